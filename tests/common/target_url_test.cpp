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
  EXPECT_EQ(v4->to_host, "127.0.0.1");
  auto v6 = parse_resolve_override("example.test:8443:[::1]");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->to_host, "::1");
  EXPECT_EQ(parse_resolve_override("example.test:8443:::1")->to_host, "::1");
  EXPECT_EQ(connect_point_for({"example.test:8443:[::1]"}, {}, "EXAMPLE.test", 8443).host, "::1");
  EXPECT_EQ(connect_point_for({"example.test:8443:[::1]"}, {}, "example.test", 443).host, "example.test");
}

TEST(ConnectTo, ParsesCurlsFormWithEmptyParts) {
  auto full = parse_connect_to("Example.test:443:127.0.0.1:8443");
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->host, "example.test");
  EXPECT_EQ(full->port, 443);
  EXPECT_EQ(full->to_host, "127.0.0.1");
  EXPECT_EQ(full->to_port, 8443);
  auto any = parse_connect_to("::backend.test:");
  ASSERT_TRUE(any.has_value());
  EXPECT_EQ(any->host, "");
  EXPECT_EQ(any->port, 0);
  EXPECT_EQ(any->to_host, "backend.test");
  EXPECT_EQ(any->to_port, 0);
  auto v6 = parse_connect_to("[::1]:80:[::1]:8080");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "[::1]");
  EXPECT_EQ(v6->to_host, "::1");
  EXPECT_EQ(v6->to_port, 8080);
}

TEST(ConnectTo, NamesWhatIsWrong) {
  const auto message = [](const std::string& text) {
    auto parsed = parse_connect_to(text);
    EXPECT_FALSE(parsed.has_value()) << text;
    return parsed ? std::string() : parsed.error().message;
  };
  EXPECT_NE(message("example.test:443:127.0.0.1").find("it has 3 parts, not 4"), std::string::npos);
  EXPECT_NE(message("example.test:0:127.0.0.1:80").find("PORT1 must be"), std::string::npos);
  EXPECT_NE(message("example.test:443:127.0.0.1:http").find("PORT2 must be"), std::string::npos);
  EXPECT_NE(message("[::1:443:h:1").find("no ']'"), std::string::npos);
}

// curl's order: --connect-to moves the connection, then --resolve answers for where it went.
TEST(ConnectPoint, ConnectToFirstThenResolve) {
  const std::vector<std::string> connect_to = {"other.test:80::8080", "example.test:443:backend.test:8443"};
  const std::vector<std::string> resolve = {"backend.test:8443:127.0.0.2"};
  const auto moved = connect_point_for(resolve, connect_to, "Example.Test", 443);
  EXPECT_EQ(moved.host, "127.0.0.2");
  EXPECT_EQ(moved.port, 8443);
  const auto port_only = connect_point_for({}, connect_to, "other.test", 80);
  EXPECT_EQ(port_only.host, "other.test");
  EXPECT_EQ(port_only.port, 8080);
  const auto untouched = connect_point_for(resolve, connect_to, "example.test", 80);
  EXPECT_EQ(untouched.host, "example.test");
  EXPECT_EQ(untouched.port, 80);
  EXPECT_EQ(connect_point_for({}, {"[::1]:80:[::1]:8080"}, "[::1]", 80).port, 8080);
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
