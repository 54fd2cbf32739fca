#include <gtest/gtest.h>

#include "common/target_url.h"

namespace termprobe {
namespace {

TEST(TargetUrl, AcceptsHttpWithDefaultPortsAndBuildsTheRequestLine) {
  auto plain = parse_target_url("http://127.0.0.1/x?a=1");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->scheme, "http");
  EXPECT_EQ(plain->request_target, "/x?a=1");
  EXPECT_EQ(plain->host_header, "127.0.0.1");
  auto v6 = parse_target_url("http://[::1]:8443");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->port, 8443);
  EXPECT_EQ(v6->host, "[::1]");
  EXPECT_EQ(v6->host_header, "[::1]:8443");
  EXPECT_EQ(v6->request_target, "/");
}

TEST(TargetUrl, RefusesHttpsUntilTheProbeOwnsTheTlsSession) {
  auto secure = parse_target_url("https://127.0.0.1/");
  ASSERT_FALSE(secure.has_value());
  EXPECT_EQ(secure.error().kind, ErrorKind::invalid_input);
  EXPECT_NE(secure.error().message.find("https:// is not supported yet"), std::string::npos);
}

TEST(TargetUrl, RejectsWhatCannotBeProbed) {
  const auto message = [](const std::string& url) {
    auto parsed = parse_target_url(url);
    EXPECT_FALSE(parsed.has_value()) << url;
    EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_input);
    return parsed.error().message;
  };
  EXPECT_NE(message("ftp://127.0.0.1/").find("unsupported scheme 'ftp'"), std::string::npos);
  EXPECT_NE(message("http://127.0.0.1:0/").find("port 0"), std::string::npos);
  EXPECT_NE(message("http://127.0.0.1:70000/").find("bad port"), std::string::npos);
  EXPECT_NE(message("not a url").find("malformed URL"), std::string::npos);
  EXPECT_NE(message("").find("empty URL"), std::string::npos);
}

}  // namespace
}  // namespace termprobe
