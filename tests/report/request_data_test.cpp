#include "report/request_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace termprobe {
namespace {

std::string assembled(const std::vector<DataPart>& parts) {
  auto body = assemble_request_data(parts);
  return body ? *body : "refused: " + body.error().message;
}

class RequestData : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctest runs tests of this suite in parallel processes: the file name carries the test's name and pid.
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            (std::string("termprobe-data-") + test->name() + "-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(path_, std::ios::binary) << "a=1\r\nb=2\n";
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string at() const { return "@" + path_.string(); }
  std::filesystem::path path_;
};

TEST_F(RequestData, PartsJoinWithAmpersandInTheOrderGiven) {
  EXPECT_EQ(assembled({{"x=1", false}, {"y=2", false}}), "x=1&y=2");
  EXPECT_EQ(assembled({{"raw", true}, {"x=1", false}}), "raw&x=1");
  EXPECT_EQ(assembled({{"", false}}), "");
}

TEST_F(RequestData, DataDropsCrAndLfFromAFileDataBinaryKeepsEveryByte) {
  EXPECT_EQ(assembled({{at(), false}}), "a=1b=2");
  EXPECT_EQ(assembled({{at(), true}}), "a=1\r\nb=2\n");
  EXPECT_EQ(assembled({{"x=1\n", false}}), "x=1\n");  // text is sent as typed, as curl does
}

TEST_F(RequestData, AMissingFileOrStdinIsRefusedByName) {
  EXPECT_EQ(
      assembled({{"@/nonexistent/body.txt", false}}),
      "refused: --data @/nonexistent/body.txt: cannot read file '/nonexistent/body.txt': No such file or "
      "directory");
  EXPECT_EQ(assembled({{"@-", true}}),
            "refused: --data-binary @-: reading the body from stdin is not supported: give a file");
}

}  // namespace
}  // namespace termprobe
