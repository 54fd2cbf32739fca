#include "probes/request_fields.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace termprobe {
namespace {

std::vector<HeaderField> fields_for(const std::string& url, std::vector<std::string> headers = {}) {
  ProbeSpec spec;
  spec.url = url;
  spec.headers = std::move(headers);
  return request_header_fields(spec, *parse_target_url(url));
}

std::optional<std::string> value_of(const std::vector<HeaderField>& fields, const std::string& name) {
  for (const auto& field : fields) {
    if (field.name == name) return field.value;
  }
  return std::nullopt;
}

TEST(RequestFields, AUrlsUserAndPasswordGoOutAsBasicCredentialsAsCurlSendsThem) {
  // curl -v http://user:pw@host/ sends "Authorization: Basic dXNlcjpwdw==", after Host.
  const auto fields = fields_for("http://user:pw@127.0.0.1:8080/x");
  ASSERT_GE(fields.size(), 2u);
  EXPECT_EQ(fields[0].name, "Host");
  EXPECT_EQ(fields[0].value, "127.0.0.1:8080");
  EXPECT_EQ(fields[1].name, "Authorization");
  EXPECT_EQ(fields[1].value, "Basic dXNlcjpwdw==");
  // Percent-decoded first: "us@r:p:ss".
  EXPECT_EQ(value_of(fields_for("http://us%40r:p%3Ass@h/"), "Authorization"), "Basic dXNAcjpwOnNz");
  // A user alone is "user:", as curl sends it.
  EXPECT_EQ(value_of(fields_for("http://user@h/"), "Authorization"), "Basic dXNlcjo=");
  EXPECT_EQ(value_of(fields_for("http://h/"), "Authorization"), std::nullopt);
}

TEST(RequestFields, TheUsersOwnAuthorizationWinsOrRemovesIt) {
  const auto own = fields_for("http://user:pw@h/", {"authorization: Bearer t"});
  EXPECT_EQ(value_of(own, "Authorization"), std::nullopt);
  EXPECT_EQ(value_of(own, "authorization"), "Bearer t");
  EXPECT_EQ(value_of(fields_for("http://user:pw@h/", {"Authorization:"}), "Authorization"), std::nullopt);
}

TEST(RequestFields, DashUGoesOutOverTheUrlsCredentialsAndAHeaderWinsOverBoth) {
  ProbeSpec spec;
  spec.url = "http://url:urlpw@h/";
  spec.user = "user:pw";
  const auto url = *parse_target_url(spec.url);
  EXPECT_EQ(value_of(request_header_fields(spec, url), "Authorization"), "Basic dXNlcjpwdw==");
  spec.headers = {"Authorization: Bearer t"};
  const auto own = request_header_fields(spec, url);
  EXPECT_EQ(
      std::count_if(own.begin(), own.end(), [](const HeaderField& f) { return f.name == "Authorization"; }),
      1);
  EXPECT_EQ(value_of(own, "Authorization"), "Bearer t");
  EXPECT_EQ(basic_credentials("alice:"), "Basic YWxpY2U6");
}

}  // namespace
}  // namespace termprobe
