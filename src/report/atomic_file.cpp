#include "report/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace termprobe {
namespace {

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

}  // namespace

Result<AtomicFile> AtomicFile::open(const std::string& path) {
  if (path == "-") return AtomicFile(path, "", STDOUT_FILENO);
  if (path.empty())
    return fail(ErrorKind::invalid_input, "empty report path: give a file name or - for stdout");
  struct stat info {};
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
    return fail(ErrorKind::invalid_input, "report path '" + path + "' is a directory: give a file name");
  const std::filesystem::path target(path);
  const std::string name = target.filename().string();
  const std::filesystem::path directory = target.has_parent_path() ? target.parent_path() : ".";
  std::string pattern = (directory / ("." + name + ".tmp.XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = mkstemp(buffer.data());
  if (fd < 0)
    return fail(ErrorKind::invalid_input, "cannot write report '" + path + "': " + std::strerror(errno));
  fchmod(fd, 0644);
  return AtomicFile(path, std::string(buffer.data()), fd);
}

AtomicFile::AtomicFile(std::string path, std::string temp_path, int fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), temp_path_(std::move(other.temp_path_)), fd_(other.fd_) {
  other.fd_ = -1;
  other.temp_path_.clear();
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this == &other) return *this;
  discard();
  path_ = std::move(other.path_);
  temp_path_ = std::move(other.temp_path_);
  fd_ = other.fd_;
  other.fd_ = -1;
  other.temp_path_.clear();
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (temp_path_.empty()) return;
  if (fd_ >= 0) close(fd_);
  unlink(temp_path_.c_str());  // never committed: leave nothing behind
  temp_path_.clear();
  fd_ = -1;
}

Result<void> AtomicFile::commit(const std::string& content) {
  auto written = write(content);
  if (!written) return written;
  return commit();
}

Result<void> AtomicFile::write(std::string_view content) {
  if (fd_ < 0) return fail(ErrorKind::internal, "report file '" + path_ + "' was already written");
  return write_all(fd_, content, temp_path_.empty() ? "report to stdout" : "report '" + path_ + "'");
}

Result<void> AtomicFile::commit() {
  if (fd_ < 0) return fail(ErrorKind::internal, "report file '" + path_ + "' was already written");
  if (temp_path_.empty()) {
    fd_ = -1;
    return {};
  }
  const bool synced = fsync(fd_) == 0;
  close(fd_);
  fd_ = -1;
  if (!synced || rename(temp_path_.c_str(), path_.c_str()) != 0)
    return fail(ErrorKind::io, "cannot write report '" + path_ + "': " + std::strerror(errno));
  temp_path_.clear();
  return {};
}

}  // namespace termprobe
