#include <gtest/gtest.h>

#include "common/resolve_override.h"
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

TEST(TargetUrl, HttpsDefaultsToPort443) {
  auto secure = parse_target_url("https://localhost/a?b");
  ASSERT_TRUE(secure.has_value());
  EXPECT_EQ(secure->scheme, "https");
  EXPECT_EQ(secure->port, 443);
  EXPECT_EQ(secure->host_header, "localhost");
  EXPECT_EQ(secure->request_target, "/a?b");
}

TEST(TargetUrl, KeepsTheUserAndPasswordPercentDecoded) {
  auto url = parse_target_url("http://us%40er:p%3Aw%20d@127.0.0.1:8080/x");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->user, "us@er");
  EXPECT_EQ(url->password, "p:w d");
  EXPECT_EQ(url->host_header, "127.0.0.1:8080");  // never the credentials
  EXPECT_EQ(url->request_target, "/x");
  auto user_only = parse_target_url("http://user@127.0.0.1/");
  ASSERT_TRUE(user_only.has_value());
  EXPECT_EQ(user_only->user, "user");
  EXPECT_EQ(user_only->password, "");
  auto none = parse_target_url("http://127.0.0.1/");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->user, "");
  EXPECT_EQ(none->password, "");
}

TEST(ResolveOverride, ParsesCurlsForm) {
  auto v4 = parse_resolve_override("Example.test:443:127.0.0.1");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->host, "example.test");
  EXPECT_EQ(v4->port, 443);
  EXPECT_EQ(v4->address, "127.0.0.1");
  auto v6 = parse_resolve_override("example.test:8443:[::1]");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->address, "::1");
  EXPECT_EQ(resolve_override_for({"example.test:8443:[::1]"}, "EXAMPLE.test", 8443), "::1");
  EXPECT_EQ(resolve_override_for({"example.test:8443:[::1]"}, "example.test", 443), std::nullopt);
}

TEST(ResolveOverride, NamesWhatIsWrong) {
  const auto message = [](const std::string& text) {
    auto parsed = parse_resolve_override(text);
    EXPECT_FALSE(parsed.has_value()) << text;
    return parsed ? std::string() : parsed.error().message;
  };
  EXPECT_NE(message("example.test:443").find("the address is missing"), std::string::npos);
  EXPECT_NE(message("example.test:99999:127.0.0.1").find("1-65535"), std::string::npos);
  EXPECT_NE(message("example.test:443:localhost").find("not a numeric IP address"), std::string::npos);
  EXPECT_NE(message(":443:127.0.0.1").find("the host is missing"), std::string::npos);
}

TEST(TargetUrl, RejectsWhatCannotBeProbed) {
  const auto message = [](const std::string& url) {
    auto parsed = parse_target_url(url);
    EXPECT_FALSE(parsed.has_value()) << url;
    EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_input);
    return parsed.error().message;
  };
  EXPECT_NE(message("ftp://127.0.0.1/").find("unsupported scheme 'ftp'"), std::string::npos);
  EXPECT_EQ(
      message("127.0.0.1:8080"),
      "URL '127.0.0.1:8080' has no scheme: write it with http:// or https:// (e.g. http://127.0.0.1:8080)");
  EXPECT_NE(message("http://127.0.0.1:0/").find("port 0"), std::string::npos);
  EXPECT_NE(message("http://127.0.0.1:70000/").find("bad port"), std::string::npos);
  EXPECT_NE(message("http://[::1/").find("malformed URL"), std::string::npos);
  EXPECT_NE(message("not a url").find("has no scheme"), std::string::npos);
  EXPECT_NE(message("").find("empty URL"), std::string::npos);
}

}  // namespace
}  // namespace termprobe
