#include "report/redaction.h"

#include <gtest/gtest.h>

namespace termprobe {
namespace {

const std::string kToken(40, 't');

TEST(Redaction, AuthorizationKeepsItsSchemeAndTheLengthOfWhatItHides) {
  const Redaction redaction;
  EXPECT_EQ(redaction.header_value("Authorization", "Bearer " + kToken), "Bearer <redacted: 40 chars>");
  EXPECT_EQ(redaction.header_value("proxy-authorization", "Basic dXNlcjpwdw=="),
            "Basic <redacted: 12 chars>");
  EXPECT_EQ(redaction.header_value("AUTHORIZATION", "opaque"), "<redacted: 6 chars>");  // no scheme word
  EXPECT_EQ(redaction.header_value("authorization", "x"), "<redacted: 1 char>");
}

TEST(Redaction, CookiesAndTheModuleTokenKeepOnlyTheirLength) {
  const Redaction redaction;
  EXPECT_EQ(redaction.header_value("Cookie", "session=abc; theme=dark"), "<redacted: 23 chars>");
  EXPECT_EQ(redaction.header_value("set-cookie", "id=1; Path=/"), "<redacted: 12 chars>");
  EXPECT_EQ(redaction.header_value("X-Termprobe-Token", "s3cret"), "<redacted: 6 chars>");
}

TEST(Redaction, OtherHeadersAreKeptUnlessNamed) {
  EXPECT_EQ(Redaction().header_value("X-Api-Key", "k e y"), "k e y");
  const Redaction named({"x-api-key"}, false);
  EXPECT_TRUE(named.hides("X-API-Key"));
  EXPECT_EQ(named.header_value("X-Api-Key", "k e y"), "<redacted: 5 chars>");  // no scheme kept
  EXPECT_TRUE(named.hides("Cookie"));                                          // the built-in names stay
  EXPECT_EQ(named.header_value("Host", "127.0.0.1"), "127.0.0.1");
}

TEST(Redaction, ResponseHeadLinesHideSecretFieldsAndTheirFoldedLines) {
  const Redaction redaction({"X-Api-Key"}, false);
  EXPECT_EQ(redaction.head_lines({"HTTP/1.1 200 OK", "Set-Cookie: sid=abc", " more=1", "x-api-key:k1",
                                  "Server: s", " folded", ":status: 200", "set-cookie: a=b"}),
            (std::vector<std::string>{"HTTP/1.1 200 OK", "Set-Cookie: <redacted: 7 chars>",
                                      "<redacted: 7 chars>", "x-api-key:<redacted: 2 chars>", "Server: s",
                                      " folded", ":status: 200", "set-cookie: <redacted: 3 chars>"}));
}

TEST(Redaction, ShowSecretsHidesNothing) {
  const Redaction shown({"X-Api-Key"}, true);
  EXPECT_FALSE(shown.hides("Authorization"));
  EXPECT_EQ(shown.header_value("Authorization", "Bearer x"), "Bearer x");
  EXPECT_EQ(shown.urls("http://u:pw@h/"), "http://u:pw@h/");
  const std::vector<std::string> argv = {"termprobe", "probe", "-H", "Cookie: a", "--token", "t"};
  EXPECT_EQ(shown.command(argv), argv);
}

TEST(Redaction, UrlPasswordsAreHiddenWhereverTheyAre) {
  const Redaction redaction;
  EXPECT_EQ(redaction.urls("http://user:pw@127.0.0.1:8080/x?a=b@c"),
            "http://user:<redacted: 2 chars>@127.0.0.1:8080/x?a=b@c");
  EXPECT_EQ(redaction.urls("https://u:p%40ss@[::1]/"), "https://u:<redacted: 6 chars>@[::1]/");
  EXPECT_EQ(redaction.urls("cannot reach http://a:b@h: refused, nor https://c:dd@i/"),
            "cannot reach http://a:<redacted: 1 char>@h: refused, nor https://c:<redacted: 2 chars>@i/");
  EXPECT_EQ(redaction.urls("http://user@h/ and http://h:8080/ and http://u:@h/"),
            "http://user@h/ and http://h:8080/ and http://u:@h/");  // no password: nothing to hide
  EXPECT_EQ(redaction.urls("no url: at all"), "no url: at all");
}

TEST(Redaction, TheCommandLineHidesHeaderValuesTokensAndPasswords) {
  const Redaction redaction({"X-Api-Key"}, false);
  const std::vector<std::string> argv = {"termprobe",
                                         "probe",
                                         "http://user:pw@127.0.0.1/",
                                         "-H",
                                         "Authorization: Bearer " + kToken,
                                         "--header=Cookie: a=1",
                                         "-HX-Api-Key:k",
                                         "-H",
                                         "X-Other: visible",
                                         "--token",
                                         "s3cret",
                                         "--token=s3cret",
                                         "--target=https://a:bb@h/",
                                         "-H",
                                         "Cookie:"};
  EXPECT_EQ(
      redaction.command(argv),
      (std::vector<std::string>{
          "termprobe", "probe", "http://user:<redacted: 2 chars>@127.0.0.1/", "-H",
          "Authorization: Bearer <redacted: 40 chars>", "--header=Cookie: <redacted: 3 chars>",
          "-HX-Api-Key:<redacted: 1 char>", "-H", "X-Other: visible", "--token", "<redacted: 6 chars>",
          "--token=<redacted: 6 chars>", "--target=https://a:<redacted: 2 chars>@h/", "-H", "Cookie:"}));
}

TEST(Redaction, TheCommandLineHidesTheUsersPasswordInEveryForm) {
  const Redaction redaction;
  const std::vector<std::string> argv = {
      "termprobe",     "probe", "-u",       "alice:pw1",   "--user", "bob:pw22",      "-ucarol:x",
      "--user=dan:yy", "-ku",   "erin:zzz", "--user=nopw", "-H",     "X-A: -uvisible"};
  EXPECT_EQ(redaction.command(argv),
            (std::vector<std::string>{"termprobe", "probe", "-u", "alice:<redacted: 3 chars>", "--user",
                                      "bob:<redacted: 4 chars>", "-ucarol:<redacted: 1 char>",
                                      "--user=dan:<redacted: 2 chars>", "-ku", "erin:<redacted: 3 chars>",
                                      "--user=<redacted: 4 chars>", "-H", "X-A: -uvisible"}));
  EXPECT_EQ(Redaction({}, true).command(argv), argv);
}

TEST(Redaction, FieldsAreCopiedOnlyWhenSomethingIsHidden) {
  const Redaction redaction;
  auto plain = std::make_shared<const std::vector<HeaderField>>(
      std::vector<HeaderField>{{"Host", "h"}, {"Accept", "*/*"}});
  EXPECT_EQ(redaction.fields(plain), plain);
  EXPECT_EQ(redaction.fields(nullptr), nullptr);
  auto secret = std::make_shared<const std::vector<HeaderField>>(
      std::vector<HeaderField>{{"Host", "h"}, {"authorization", "Basic dXNlcjpwdw=="}, {"cookie", "a=1"}});
  const auto shown = redaction.fields(secret);
  ASSERT_NE(shown, secret);
  EXPECT_EQ((*shown)[0].value, "h");
  EXPECT_EQ((*shown)[1].value, "Basic <redacted: 12 chars>");
  EXPECT_EQ((*shown)[2].value, "<redacted: 3 chars>");
  EXPECT_EQ((*secret)[1].value, "Basic dXNlcjpwdw==");  // what went out is untouched
}

}  // namespace
}  // namespace termprobe
