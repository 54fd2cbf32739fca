#include "report/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "report/output_target.h"

namespace termprobe {
namespace {

constexpr const char* kTempPrefix = ".termprobe-";

// While it lives, a write to a pipe or FIFO whose reader left fails with
// EPIPE, for commit() to report, instead of raising SIGPIPE: that would end
// a command that does not ignore it (compare, merge) without a word.
class PipeSignalHeld {
 public:
  PipeSignalHeld() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    already_pending_ = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~PipeSignalHeld() {
    const timespec now{};
    if (!already_pending_) {
      while (sigtimedwait(&pipe_, nullptr, &now) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  PipeSignalHeld(const PipeSignalHeld&) = delete;
  PipeSignalHeld& operator=(const PipeSignalHeld&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t previous_{};
  bool already_pending_ = false;
};

Result<void> write_all(int fd, std::string_view content, const std::string& what) {
  const PipeSignalHeld held;
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorKind::io, "cannot write " + what + ": " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return {};
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

bool is_fifo(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISFIFO(info.st_mode);
}

// O_NONBLOCK for the open alone: on a FIFO without a reader it fails
// (ENXIO) instead of waiting for one; the writes then wait for a slow
// reader as usual. O_APPEND: a /dev/fd/N of a file a shell opened with >>
// keeps what the file held (a device or a FIFO ignores it).
Result<int> open_stream(const std::string& stream, const std::string& what, const std::string& given) {
  const auto deadline = std::chrono::steady_clock::now() + AtomicFile::kReaderWait;
  for (;;) {
    const int fd = ::open(stream.c_str(), O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      return fd;
    }
    if (errno != ENXIO || !is_fifo(stream)) return tl::unexpected(cannot_open(what, given, errno));
    if (std::chrono::steady_clock::now() >= deadline)
      return fail(ErrorKind::invalid_input,
                  what + " '" + given + "' is a FIFO that no process opened for reading within " +
                      std::to_string(AtomicFile::kReaderWait.count() / 1000) + " s: start its reader first");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

Result<AtomicFile> AtomicFile::open(const std::string& path, std::string_view what_view) {
  const std::string what(what_view);
  auto target = output_target(path, what);
  if (!target) return tl::unexpected(target.error());
  if (target->kind == OutputKind::standard_output)
    return AtomicFile(what, path, Place{Kind::standard_output, "", "", STDOUT_FILENO, true});
  if (target->kind == OutputKind::stream) {
    auto fd = open_stream(target->path, what, path);
    if (!fd) return tl::unexpected(fd.error());
    return AtomicFile(what, path, Place{Kind::stream, "", "", *fd, target->descriptor == STDOUT_FILENO});
  }
  const std::string directory = folder_of(target->path);
  const int fd = ::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd >= 0) return AtomicFile(what, path, Place{Kind::unnamed, target->path, "", fd});
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    return tl::unexpected(cannot_open(what, path, errno));
  std::string temp_path;
  const int named = open_named(directory, temp_path);
  if (named < 0) return tl::unexpected(cannot_open(what, path, errno));
  return AtomicFile(what, path, Place{Kind::named, target->path, temp_path, named});
}

AtomicFile::AtomicFile(std::string what, std::string path, Place place)
    : what_(std::move(what)), path_(std::move(path)), place_(std::move(place)) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : what_(std::move(other.what_)), path_(std::move(other.path_)), place_(std::move(other.place_)) {
  other.place_.fd = -1;
  other.place_.temp_path.clear();
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this == &other) return *this;
  discard();
  what_ = std::move(other.what_);
  path_ = std::move(other.path_);
  place_ = std::move(other.place_);
  other.place_.fd = -1;
  other.place_.temp_path.clear();
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

// Never committed: leave nothing behind (an unnamed file vanishes with its
// descriptor; a stream's reader sees its end).
void AtomicFile::discard() {
  if (place_.kind == Kind::standard_output) return;
  if (place_.fd >= 0) close(place_.fd);
  place_.fd = -1;
  if (!place_.temp_path.empty()) unlink(place_.temp_path.c_str());
  place_.temp_path.clear();
}

Result<void> AtomicFile::commit(const std::string& content) {
  auto written = write(content);
  if (!written) return written;
  return commit();
}

Result<void> AtomicFile::write(std::string_view content) {
  if (place_.fd < 0) return fail(ErrorKind::internal, what_ + " file '" + path_ + "' was already written");
  return write_all(place_.fd, content,
                   place_.kind == Kind::standard_output ? what_ + " to stdout" : what_ + " '" + path_ + "'");
}

Result<std::FILE*> AtomicFile::read_back() const {
  if (place_.kind != Kind::unnamed && place_.kind != Kind::named)
    return fail(ErrorKind::invalid_input,
                what_ + ": give a regular file, not " + path_ + " (it is read back)");
  const std::string by_proc = "/proc/self/fd/" + std::to_string(place_.fd);
  std::FILE* file = std::fopen(by_proc.c_str(), "rb");
  if (!file)
    return fail(ErrorKind::io, what_ + " '" + path_ + "': cannot read it back: " + std::strerror(errno));
  return file;
}

// linkat() with AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; through /proc it
// needs only /proc. A fresh random name is tried again if one is taken.
Result<std::string> AtomicFile::link_unnamed() {
  const std::string by_proc = "/proc/self/fd/" + std::to_string(place_.fd);
  const std::string directory = folder_of(place_.destination);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = temp_name(directory);
    if (linkat(place_.fd, "", AT_FDCWD, name.c_str(), AT_EMPTY_PATH) == 0 ||
        linkat(AT_FDCWD, by_proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0)
      return name;
    if (errno != EEXIST) break;
  }
  return tl::unexpected(cannot_write(ErrorKind::io, what_, path_, errno));
}

Result<void> AtomicFile::commit() {
  if (place_.fd < 0) return fail(ErrorKind::internal, what_ + " file '" + path_ + "' was already written");
  if (place_.kind == Kind::standard_output) {
    place_.fd = -1;
    return {};
  }
  if (place_.kind == Kind::stream) {
    const int fd = std::exchange(place_.fd, -1);
    if (close(fd) != 0) return tl::unexpected(cannot_write(ErrorKind::io, what_, path_, errno));
    return {};
  }
  if (fsync(place_.fd) != 0) return tl::unexpected(cannot_write(ErrorKind::io, what_, path_, errno));
  if (place_.kind == Kind::unnamed) {
    auto linked = link_unnamed();
    if (!linked) return tl::unexpected(linked.error());
    place_.temp_path = *linked;
  }
  close(std::exchange(place_.fd, -1));
  if (rename(place_.temp_path.c_str(), place_.destination.c_str()) != 0)
    return tl::unexpected(cannot_write(ErrorKind::io, what_, path_, errno));
  place_.temp_path.clear();
  return {};
}

}  // namespace termprobe
