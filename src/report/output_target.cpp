#include "report/output_target.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

namespace termprobe {
namespace {

// The kernel's own limit on the links one lookup follows (MAXSYMLINKS).
constexpr int kMaxLinks = 40;

// A link in procfs (/proc/self/fd/N, which /dev/fd/N and /dev/stdout lead
// to) names an open file, a pipe or a socket, not a path: its text
// ("pipe:[123]", a deleted file's old name) must not be followed.
bool names_an_open_file(const std::string& link) {
  struct statfs folder {};
  return statfs(folder_of(link).c_str(), &folder) == 0 && folder.f_type == PROC_SUPER_MAGIC;
}

// N when link is /proc/<this process>/fd/N, however it was reached; else -1.
int own_descriptor(const std::string& link) {
  char folder[PATH_MAX];
  if (realpath(folder_of(link).c_str(), folder) == nullptr) return -1;
  if (folder != "/proc/" + std::to_string(getpid()) + "/fd") return -1;
  const std::string name = std::filesystem::path(link).filename().string();
  if (name.empty() || name.size() > 9 || name.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(name);
}

// Where the link points, relative to the link's own folder.
Result<std::string> follow(const std::string& link, std::string_view what, const std::string& given) {
  std::string text(PATH_MAX, '\0');
  const ssize_t length = readlink(link.c_str(), text.data(), text.size());
  if (length < 0 || static_cast<std::size_t>(length) >= text.size())
    return tl::unexpected(cannot_open(what, given, length < 0 ? errno : ENAMETOOLONG));
  text.resize(static_cast<std::size_t>(length));
  if (!text.empty() && text.front() == '/') return text;
  return (std::filesystem::path(folder_of(link)) / text).string();
}

Result<OutputTarget> by_type(mode_t mode, const std::string& found, std::string_view what,
                             const std::string& given) {
  if (S_ISREG(mode)) return OutputTarget{OutputKind::replace, found};
  if (S_ISCHR(mode) || S_ISFIFO(mode)) return OutputTarget{OutputKind::stream, found};
  const std::string is = S_ISDIR(mode)    ? "a directory"
                         : S_ISBLK(mode)  ? "a block device"
                         : S_ISSOCK(mode) ? "a socket"
                                          : "not a file";
  const std::string via = found == given ? "" : " (it leads to '" + found + "')";
  return fail(ErrorKind::invalid_input,
              std::string(what) + " path '" + given + "' is " + is + via + ": give a file name");
}

}  // namespace

std::string folder_of(const std::string& path) {
  const std::filesystem::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : ".";
}

Error cannot_write(ErrorKind kind, std::string_view what, const std::string& path, int error) {
  return Error{kind, "cannot write " + std::string(what) + " '" + path + "': " + std::strerror(error)};
}

Error cannot_open(std::string_view what, const std::string& path, int error) {
  const bool machine = error == EMFILE || error == ENFILE || error == ENOMEM || error == ENOSPC ||
                       error == EDQUOT || error == EIO;
  return cannot_write(machine ? ErrorKind::io : ErrorKind::invalid_input, what, path, error);
}

Result<OutputTarget> output_target(const std::string& given, std::string_view what) {
  if (given == "-") return OutputTarget{OutputKind::standard_output, given};
  if (given.empty())
    return fail(ErrorKind::invalid_input,
                "empty " + std::string(what) + " path: give a file name or - for stdout");
  std::string path = given;
  for (int links = 0; links <= kMaxLinks; ++links) {
    struct stat info {};
    if (lstat(path.c_str(), &info) != 0) {
      if (errno == ENOENT)
        return OutputTarget{OutputKind::replace, path};  // a new file (or a dangling link's)
      return tl::unexpected(cannot_open(what, given, errno));
    }
    if (!S_ISLNK(info.st_mode)) return by_type(info.st_mode, path, what, given);
    if (names_an_open_file(path)) return OutputTarget{OutputKind::stream, path, own_descriptor(path)};
    auto next = follow(path, what, given);
    if (!next) return tl::unexpected(next.error());
    path = std::move(*next);
  }
  return tl::unexpected(cannot_open(what, given, ELOOP));
}

}  // namespace termprobe
