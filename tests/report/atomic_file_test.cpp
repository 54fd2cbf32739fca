#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/atomic_file.h"

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

}  // namespace
}  // namespace termprobe
