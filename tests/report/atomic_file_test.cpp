#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/atomic_file.h"
#include "report/output_target.h"

namespace termprobe {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("termprobe-atomic-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), fs::directory_iterator()));
  }
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a descriptor holds now, without waiting for more.
std::string drain(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<std::size_t>(n));
  return text;
}

mode_t type_of(const fs::path& path) {
  struct stat info {};
  return lstat(path.c_str(), &info) == 0 ? (info.st_mode & S_IFMT) : 0;
}

// A device node of our own (/dev/null is 1,3, /dev/full 1,7), so a writer
// that replaced it would break nothing but the test. Needs CAP_MKNOD.
bool make_device(const fs::path& path, mode_t type, unsigned major, unsigned minor) {
  return mknod(path.c_str(), type | 0666, makedev(major, minor)) == 0;
}

TEST(AtomicFile, NothingAppearsUntilCommit) {
  TempDir dir;
  const fs::path target = dir.path / "report.json";
  auto file = AtomicFile::open(target.string());
  ASSERT_TRUE(file.has_value());
  EXPECT_FALSE(fs::exists(target));
  ASSERT_TRUE(file->commit("{}\n").has_value());
  EXPECT_EQ(read(target), "{}\n");
  EXPECT_EQ(dir.entries(), 1u);  // the temporary file is gone
}

TEST(AtomicFile, AbandonedFileLeavesNothingBehind) {
  TempDir dir;
  {
    auto file = AtomicFile::open((dir.path / "report.json").string());
    ASSERT_TRUE(file.has_value());
  }
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(AtomicFile, CommitReplacesAnOldReportWhole) {
  TempDir dir;
  const fs::path target = dir.path / "report.json";
  std::ofstream(target) << "old";
  auto file = AtomicFile::open(target.string());
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(read(target), "old");
  ASSERT_TRUE(file->commit("new").has_value());
  EXPECT_EQ(read(target), "new");
}

TEST(AtomicFile, AKilledWriterLeavesNothingBehind) {
  TempDir dir;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // a run killed mid-report: no destructor, no cleanup
    auto file = AtomicFile::open((dir.path / "report.json").string());
    if (file) (void)file->write("{\"half\": ");
    raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(AtomicFile, ALongestAllowedNameIsWritable) {
  // NAME_MAX is 255: the old temporary name was the report's name plus 12 characters.
  TempDir dir;
  const fs::path target = dir.path / (std::string(250, 'r') + ".json");
  auto file = AtomicFile::open(target.string());
  ASSERT_TRUE(file.has_value()) << file.error().message;
  ASSERT_TRUE(file->commit("{}\n").has_value());
  EXPECT_EQ(read(target), "{}\n");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, UnwritablePlacesAreRefusedUpFront) {
  TempDir dir;
  auto missing = AtomicFile::open((dir.path / "no-such-dir" / "r.json").string());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::invalid_input);
  EXPECT_NE(missing.error().message.find("cannot write report"), std::string::npos);
  auto directory = AtomicFile::open(dir.path.string());
  ASSERT_FALSE(directory.has_value());
  EXPECT_NE(directory.error().message.find("is a directory"), std::string::npos);
}

TEST(AtomicFile, ASymbolicLinkStaysAndItsTargetIsReplaced) {
  TempDir dir;
  fs::create_directories(dir.path / "shared");
  std::ofstream(dir.path / "shared" / "r.json") << "old";
  const fs::path link = dir.path / "report.json";
  fs::create_symlink("shared/r.json", link);  // relative to the link's folder
  auto file = AtomicFile::open(link.string());
  ASSERT_TRUE(file.has_value()) << file.error().message;
  ASSERT_TRUE(file->commit("new").has_value());
  EXPECT_EQ(type_of(link), S_IFLNK);
  EXPECT_EQ(fs::read_symlink(link), "shared/r.json");
  EXPECT_EQ(read(dir.path / "shared" / "r.json"), "new");
  EXPECT_EQ(type_of(dir.path / "shared" / "r.json"), S_IFREG);
}

TEST(AtomicFile, ALinkToNothingYetGetsItsTargetMade) {
  TempDir dir;
  fs::create_symlink(dir.path / "later.json", dir.path / "hop");
  fs::create_symlink("hop", dir.path / "report.json");  // a chain: report.json -> hop -> later.json
  auto file = AtomicFile::open((dir.path / "report.json").string());
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_FALSE(fs::exists(dir.path / "later.json"));
  ASSERT_TRUE(file->commit("{}").has_value());
  EXPECT_EQ(type_of(dir.path / "report.json"), S_IFLNK);
  EXPECT_EQ(type_of(dir.path / "hop"), S_IFLNK);
  EXPECT_EQ(read(dir.path / "later.json"), "{}");
}

TEST(AtomicFile, ALoopOfLinksIsRefused) {
  TempDir dir;
  fs::create_symlink("b", dir.path / "a");
  fs::create_symlink("a", dir.path / "b");
  auto file = AtomicFile::open((dir.path / "a").string());
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().kind, ErrorKind::invalid_input);
  EXPECT_NE(file.error().message.find(std::strerror(ELOOP)), std::string::npos) << file.error().message;
}

TEST(AtomicFile, ACharacterDeviceIsWrittenThroughAndStaysOne) {
  TempDir dir;
  const fs::path null = dir.path / "null";
  if (!make_device(null, S_IFCHR, 1, 3)) GTEST_SKIP() << "mknod: " << std::strerror(errno);
  fs::create_symlink("null", dir.path / "report.json");
  for (const fs::path& path : {null, dir.path / "report.json"}) {
    auto file = AtomicFile::open(path.string());
    ASSERT_TRUE(file.has_value()) << file.error().message;
    EXPECT_FALSE(file->writes_to_stdout());
    ASSERT_TRUE(file->commit("{}\n").has_value());
  }
  EXPECT_EQ(type_of(null), S_IFCHR);
  EXPECT_EQ(type_of(dir.path / "report.json"), S_IFLNK);
  EXPECT_EQ(dir.entries(), 2u);  // no temporary file was made beside it
}

TEST(AtomicFile, AFullDeviceFailsTheCommitAsAnIoError) {
  TempDir dir;
  const fs::path full = dir.path / "full";
  if (!make_device(full, S_IFCHR, 1, 7)) GTEST_SKIP() << "mknod: " << std::strerror(errno);
  auto file = AtomicFile::open(full.string());
  ASSERT_TRUE(file.has_value()) << file.error().message;
  auto written = file->commit("{}\n");
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().kind, ErrorKind::io);
  EXPECT_EQ(written.error().message, "cannot write report '" + full.string() + "': " + std::strerror(ENOSPC));
  EXPECT_EQ(type_of(full), S_IFCHR);
}

TEST(AtomicFile, AFifoWithAReaderGetsTheContent) {
  TempDir dir;
  const fs::path fifo = dir.path / "report.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  auto file = AtomicFile::open(fifo.string());
  ASSERT_TRUE(file.has_value()) << file.error().message;
  ASSERT_TRUE(file->commit("{\"whole\": true}\n").has_value());
  EXPECT_EQ(drain(reader), "{\"whole\": true}\n");
  close(reader);
  EXPECT_EQ(type_of(fifo), S_IFIFO);
}

TEST(AtomicFile, AFifoWithoutAReaderIsRefusedAfterAShortWait) {
  TempDir dir;
  const fs::path fifo = dir.path / "report.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  auto file = AtomicFile::open(fifo.string());
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().kind, ErrorKind::invalid_input);
  EXPECT_NE(file.error().message.find("no process opened for reading within 2 s"), std::string::npos)
      << file.error().message;
  EXPECT_GE(waited, AtomicFile::kReaderWait);
  EXPECT_LT(waited, AtomicFile::kReaderWait + std::chrono::seconds(3));
  EXPECT_EQ(type_of(fifo), S_IFIFO);
}

TEST(AtomicFile, ADevFdPathIsWrittenThroughToItsPipe) {
  int ends[2];
  ASSERT_EQ(pipe2(ends, O_NONBLOCK), 0);
  {
    auto file = AtomicFile::open("/dev/fd/" + std::to_string(ends[1]));
    ASSERT_TRUE(file.has_value()) << file.error().message;
    EXPECT_FALSE(file->writes_to_stdout());
    ASSERT_TRUE(file->commit("through").has_value());
  }
  EXPECT_EQ(drain(ends[0]), "through");
  close(ends[0]);
  close(ends[1]);
}

TEST(AtomicFile, AReaderThatLeftIsAWriteErrorNotASignal) {
  ASSERT_EQ(signal(SIGPIPE, SIG_DFL), SIG_DFL);  // as compare and merge run: SIGPIPE would end the process
  int ends[2];
  ASSERT_EQ(pipe(ends), 0);
  auto file = AtomicFile::open("/dev/fd/" + std::to_string(ends[1]));
  ASSERT_TRUE(file.has_value()) << file.error().message;
  close(ends[0]);  // the reader leaves before the report is written
  auto written = file->commit("{}\n");
  close(ends[1]);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().kind, ErrorKind::io);
  EXPECT_NE(written.error().message.find(std::strerror(EPIPE)), std::string::npos) << written.error().message;
  sigset_t pending;
  ASSERT_EQ(sigpending(&pending), 0);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);  // nothing left to strike later
}

TEST(AtomicFile, DevStdoutIsStandardOutputLikeADash) {
  auto dash = AtomicFile::open("-");
  ASSERT_TRUE(dash.has_value());
  EXPECT_TRUE(dash->writes_to_stdout());
  // A link of our own, as /dev/stdout is: a broken writer replaces this one, not the machine's.
  TempDir dir;
  const fs::path stdout_link = dir.path / "stdout";
  fs::create_symlink("/proc/self/fd/1", stdout_link);
  auto file = AtomicFile::open(stdout_link.string());
  if (!file) GTEST_SKIP() << "stdout cannot be opened again here: " << file.error().message;  // a socket
  EXPECT_TRUE(file->writes_to_stdout());
  EXPECT_EQ(type_of(stdout_link), S_IFLNK);
}

TEST(AtomicFile, BlockDevicesAndSocketsAreRefusedAndLeftAlone) {
  TempDir dir;
  const fs::path socket_path = dir.path / "s.sock";
  const int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
  auto socket_file = AtomicFile::open(socket_path.string());
  close(listener);
  ASSERT_FALSE(socket_file.has_value());
  EXPECT_EQ(socket_file.error().message,
            "report path '" + socket_path.string() + "' is a socket: give a file name");
  EXPECT_EQ(type_of(socket_path), S_IFSOCK);
  const fs::path block = dir.path / "loop";
  if (!make_device(block, S_IFBLK, 7, 0)) GTEST_SKIP() << "mknod: " << std::strerror(errno);
  fs::create_symlink("loop", dir.path / "report.json");
  auto block_file = AtomicFile::open((dir.path / "report.json").string());
  ASSERT_FALSE(block_file.has_value());
  EXPECT_EQ(block_file.error().kind, ErrorKind::invalid_input);
  EXPECT_EQ(block_file.error().message, "report path '" + (dir.path / "report.json").string() +
                                            "' is a block device (it leads to '" + block.string() +
                                            "'): give a file name");
  EXPECT_EQ(type_of(block), S_IFBLK);
}

TEST(OutputTarget, APathThatCannotBeOpenedIsTheUsersUnlessTheMachineRanOut) {
  EXPECT_EQ(cannot_open("report", "r.json", EACCES).kind, ErrorKind::invalid_input);
  EXPECT_EQ(cannot_open("report", "r.json", ENOENT).kind, ErrorKind::invalid_input);
  EXPECT_EQ(cannot_open("report", "r.json", EMFILE).kind, ErrorKind::io);
  EXPECT_EQ(cannot_open("report", "r.json", ENOSPC).kind, ErrorKind::io);
  EXPECT_EQ(cannot_open("--junit", "j.xml", EACCES).message,
            std::string("cannot write --junit 'j.xml': ") + std::strerror(EACCES));
}

}  // namespace
}  // namespace termprobe
