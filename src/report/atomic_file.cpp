#include "report/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

namespace termprobe {
namespace {

constexpr const char* kTempPrefix = ".termprobe-";

Result<void> write_all(int fd, std::string_view content, const std::string& what) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorKind::io, "cannot write " + what + ": " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

tl::unexpected<Error> cannot_write(ErrorKind kind, std::string_view what, const std::string& path) {
  return fail(kind, "cannot write " + std::string(what) + " '" + path + "': " + std::strerror(errno));
}

// directory/.termprobe-XXXXXX with six random letters or digits.
std::string temp_name(const std::string& directory) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string suffix(6, 'x');
  for (char& c : suffix) c = kAlphabet[pick(random)];
  return (std::filesystem::path(directory) / (kTempPrefix + suffix)).string();
}

// Without O_TMPFILE support (some network and FUSE filesystems): a named temporary file.
int open_named(const std::string& directory, std::string& temp_path) {
  const std::string pattern = (std::filesystem::path(directory) / kTempPrefix).string() + "XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = mkostemp(buffer.data(), O_CLOEXEC);
  if (fd >= 0) {
    fchmod(fd, 0644);
    temp_path = buffer.data();
  }
  return fd;
}

}  // namespace

Result<AtomicFile> AtomicFile::open(const std::string& path, std::string_view what_view) {
  const std::string what(what_view);
  if (path == "-") return AtomicFile(Kind::standard_output, what, path, "", "", STDOUT_FILENO);
  if (path.empty())
    return fail(ErrorKind::invalid_input, "empty " + what + " path: give a file name or - for stdout");
  struct stat info {};
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
    return fail(ErrorKind::invalid_input, what + " path '" + path + "' is a directory: give a file name");
  const std::filesystem::path target(path);
  const std::string directory = target.has_parent_path() ? target.parent_path().string() : ".";
  const int fd = ::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd >= 0) return AtomicFile(Kind::unnamed, what, path, directory, "", fd);
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    return cannot_write(ErrorKind::invalid_input, what, path);
  std::string temp_path;
  const int named = open_named(directory, temp_path);
  if (named < 0) return cannot_write(ErrorKind::invalid_input, what, path);
  return AtomicFile(Kind::named, what, path, directory, temp_path, named);
}

AtomicFile::AtomicFile(Kind kind, std::string what, std::string path, std::string directory,
                       std::string temp_path, int fd)
    : kind_(kind),
      what_(std::move(what)),
      path_(std::move(path)),
      directory_(std::move(directory)),
      temp_path_(std::move(temp_path)),
      fd_(fd) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : kind_(other.kind_),
      what_(std::move(other.what_)),
      path_(std::move(other.path_)),
      directory_(std::move(other.directory_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(other.fd_) {
  other.fd_ = -1;
  other.temp_path_.clear();
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this == &other) return *this;
  discard();
  kind_ = other.kind_;
  what_ = std::move(other.what_);
  path_ = std::move(other.path_);
  directory_ = std::move(other.directory_);
  temp_path_ = std::move(other.temp_path_);
  fd_ = other.fd_;
  other.fd_ = -1;
  other.temp_path_.clear();
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

// Never committed: leave nothing behind (an unnamed file vanishes with its descriptor).
void AtomicFile::discard() {
  if (kind_ == Kind::standard_output) return;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
  temp_path_.clear();
}

Result<void> AtomicFile::commit(const std::string& content) {
  auto written = write(content);
  if (!written) return written;
  return commit();
}

Result<void> AtomicFile::write(std::string_view content) {
  if (fd_ < 0) return fail(ErrorKind::internal, what_ + " file '" + path_ + "' was already written");
  return write_all(fd_, content,
                   kind_ == Kind::standard_output ? what_ + " to stdout" : what_ + " '" + path_ + "'");
}

// linkat() with AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; through /proc it
// needs only /proc. A fresh random name is tried again if one is taken.
Result<std::string> AtomicFile::link_unnamed() {
  const std::string by_proc = "/proc/self/fd/" + std::to_string(fd_);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = temp_name(directory_);
    if (linkat(fd_, "", AT_FDCWD, name.c_str(), AT_EMPTY_PATH) == 0 ||
        linkat(AT_FDCWD, by_proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0)
      return name;
    if (errno != EEXIST) return cannot_write(ErrorKind::io, what_, path_);
  }
  return cannot_write(ErrorKind::io, what_, path_);
}

Result<void> AtomicFile::commit() {
  if (fd_ < 0) return fail(ErrorKind::internal, what_ + " file '" + path_ + "' was already written");
  if (kind_ == Kind::standard_output) {
    fd_ = -1;
    return {};
  }
  if (fsync(fd_) != 0) return cannot_write(ErrorKind::io, what_, path_);
  if (kind_ == Kind::unnamed) {
    auto linked = link_unnamed();
    if (!linked) return tl::unexpected(linked.error());
    temp_path_ = *linked;
  }
  close(fd_);
  fd_ = -1;
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) return cannot_write(ErrorKind::io, what_, path_);
  temp_path_.clear();
  return {};
}

}  // namespace termprobe
