#include <gtest/gtest.h>

#include "probes/target_url.h"

namespace termprobe {
namespace {

TEST(TargetUrl, AcceptsHttpAndHttpsWithDefaultPorts) {
  auto plain = parse_target_url("http://127.0.0.1/x");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->scheme, "http");
  auto secure = parse_target_url("https://[::1]:8443/");
  ASSERT_TRUE(secure.has_value());
  EXPECT_EQ(secure->port, 8443);
  EXPECT_EQ(secure->host, "[::1]");
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
