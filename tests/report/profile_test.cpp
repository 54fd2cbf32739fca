#include "report/profile.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace termprobe {
namespace {

const std::vector<std::string> kScenarios = {"ok",
                                             "need-disconnect",
                                             "reset",
                                             "reset-continue",
                                             "reset-after-flush",
                                             "cancel-io-read",
                                             "cancel-io-send"};
const std::vector<std::string> kHttp2Scenarios = {"reset-stream-0",
                                                  "reset-stream-2",
                                                  "reset-stream-8",
                                                  "reset-stream-1111",
                                                  "reset-stream-after-headers",
                                                  "reset-stream-mid-data",
                                                  "goaway"};
// What run knows: the HTTP/1.1 scenarios and the HTTP/2 ones.
std::vector<std::string> all_scenarios() {
  std::vector<std::string> all = kScenarios;
  all.insert(all.end(), kHttp2Scenarios.begin(), kHttp2Scenarios.end());
  return all;
}

TEST(Profile, BuiltInReferenceJudgesEveryScenario) {
  auto profile = load_profile("reference", all_scenarios());
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_EQ(profile->name, "reference");
  for (const auto& name : kScenarios) {
    ASSERT_TRUE(profile->scenarios.contains(name)) << name;
    EXPECT_TRUE(profile->scenarios.at(name).labels.has_value()) << name;
  }
  EXPECT_EQ(profile->scenarios.at("reset").labels, std::set<Label>{Label::reset_before_response});
}

// module/src answers 200 wherever a response goes out; a reset before the
// response (of the connection, or of the stream before its headers) has no
// status line, so no status is judged there.
bool has_no_status_line(Label label, const Expectation& expectation) {
  if (label == Label::reset_before_response) return true;
  if (label != Label::stream_reset || !expectation.http2_endings) return false;
  return std::all_of(expectation.http2_endings->begin(), expectation.http2_endings->end(),
                     [](const std::string& ending) { return ending.ends_with("before_headers"); });
}

TEST(Profile, BuiltInProfilesExpectTheStatusTheModuleSends) {
  const std::vector<StatusRange> ok = {{200, 200}};
  for (const char* name : {"reference", "iis"}) {
    auto profile = load_profile(name, all_scenarios());
    ASSERT_TRUE(profile.has_value()) << profile.error().message;
    for (const auto* part : {&profile->scenarios, &profile->tls_scenarios, &profile->http2_scenarios}) {
      for (const auto& [scenario, expectation] : *part) {
        if (!expectation.labels) continue;
        for (Label label : *expectation.labels) {
          if (has_no_status_line(label, expectation)) {
            EXPECT_FALSE(expectation.statuses.contains(label)) << name << " " << scenario;
          } else {
            ASSERT_TRUE(expectation.statuses.contains(label)) << name << " " << scenario;
            EXPECT_EQ(expectation.statuses.at(label), ok) << name << " " << scenario;
          }
        }
      }
    }
  }
  auto reference = load_profile("reference", all_scenarios());
  EXPECT_EQ(reference->tls_scenarios.at("cancel-io-send").statuses.at(Label::keepalive), ok);
}

TEST(Profile, BuiltInIisAcceptsBothReadingsOfSetNeedDisconnectAndLeavesSilenceUnverified) {
  auto profile = load_profile("iis", all_scenarios());
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_EQ(profile->scenarios.at("need-disconnect").labels,
            (std::set<Label>{Label::close_after_response, Label::reset_after_response}));
  EXPECT_FALSE(profile->scenarios.at("cancel-io-read").labels.has_value());
  EXPECT_FALSE(profile->scenarios.at("cancel-io-send").labels.has_value());
  EXPECT_FALSE(profile->scenarios.at("ok").labels.has_value());
  EXPECT_NE(profile->scenarios.at("cancel-io-read").note.find("unverified"), std::string::npos);
}

TEST(Profile, BuiltInReferenceJudgesEveryScenarioOverTlsWithItsEnding) {
  auto profile = load_profile("reference", all_scenarios());
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  for (const auto& name : kScenarios) {
    ASSERT_TRUE(profile->tls_scenarios.contains(name)) << name;
    EXPECT_TRUE(profile->tls_scenarios.at(name).tls_endings.has_value()) << name;
    EXPECT_EQ(profile->tls_scenarios.at(name).labels, profile->scenarios.at(name).labels) << name;
  }
  EXPECT_EQ(profile->tls_scenarios.at("need-disconnect").tls_endings,
            std::set<std::string>{"close_notify_then_fin"});
  EXPECT_EQ(profile->tls_scenarios.at("reset").tls_endings, std::set<std::string>{"rst"});
}

TEST(Profile, BuiltInIisLeavesEveryTlsExpectationUnverified) {
  auto profile = load_profile("iis", all_scenarios());
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  for (const auto& name : kScenarios) {
    ASSERT_TRUE(profile->tls_scenarios.contains(name)) << name;
    EXPECT_FALSE(profile->tls_scenarios.at(name).labels.has_value()) << name;
    EXPECT_EQ(profile->tls_scenarios.at(name).note.rfind("unverified: ", 0), 0u) << name;
  }
}

TEST(Profile, TlsPartTakesLabelsAndTlsEndings) {
  auto parsed = parse_profile(
      R"({"scenarios": {"reset": {"expect": ["reset_before_response"],
          "tls": {"expect": ["reset_before_response"], "tls_ending": ["rst", "fin_without_close_notify"]}}}})",
      "'p.json'", kScenarios);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_FALSE(parsed->scenarios.at("reset").tls_endings.has_value());
  EXPECT_EQ(parsed->tls_scenarios.at("reset").tls_endings,
            (std::set<std::string>{"rst", "fin_without_close_notify"}));
}

TEST(Profile, MistakesNameWhatIsWrong) {
  const auto error = [](const std::string& text) {
    auto parsed = parse_profile(text, "'p.json'", kScenarios);
    EXPECT_FALSE(parsed.has_value()) << text;
    return parsed ? std::string() : parsed.error().message;
  };
  EXPECT_NE(error("{").find("is not valid JSON"), std::string::npos);
  EXPECT_NE(error(R"({"scenarios": {"nope": {"expect": null}}})").find("scenario \"nope\": no such scenario"),
            std::string::npos);
  EXPECT_NE(error(R"({"scenarios": {"ok": {"expect": ["fine"]}}})").find("'fine' is not a label"),
            std::string::npos);
  EXPECT_NE(error(R"({"scenarios": {"ok": {"expect": ["keepalive/2000"]}}})")
                .find("scenario \"ok\": 'keepalive/2000': the status must be a code from 100 to 599"),
            std::string::npos);
  EXPECT_NE(error(R"({"scenarios": {"ok": {"expect": null, "colour": 1}}})").find("\"colour\""),
            std::string::npos);
  EXPECT_NE(error(R"({"scenarios": {"ok": {"note": "x"}}})").find("missing \"expect\""), std::string::npos);
  EXPECT_NE(error(R"([])").find("expected {"), std::string::npos);
  EXPECT_NE(error(R"({"scenarios": {"ok": {"expect": null, "tls_ending": ["rst"]}}})").find("\"tls_ending\""),
            std::string::npos)
      << "tls_ending belongs in the tls part";
  EXPECT_NE(
      error(R"({"scenarios": {"ok": {"expect": null, "tls": {"expect": null, "tls_ending": ["fin"]}}}})")
          .find("scenario \"ok\", \"tls\": \"tls_ending\" takes a list of alert, close_notify_then_fin"),
      std::string::npos);
  EXPECT_NE(error(R"({"scenarios": {"ok": {"expect": null, "tls": {"expect": null, "tls_ending": []}}}})")
                .find("not []"),
            std::string::npos);
  EXPECT_NE(
      error(R"({"scenarios": {"ok": {"expect": null, "tls": {"note": "x"}}}})").find("missing \"expect\""),
      std::string::npos);
  EXPECT_NE(
      error(R"({"scenarios": {"ok": {"expect": null, "tls": {"expect": null, "tls": {}}}}})").find("\"tls\""),
      std::string::npos);
}

TEST(Profile, AMistakeInANameOrKeyWithALineBreakIsOneLine) {
  const auto error = [](const std::string& text) {
    auto parsed = parse_profile(text, "'p.json'", kScenarios);
    return parsed ? std::string() : parsed.error().message;
  };
  EXPECT_EQ(error(R"({"scenarios": {"no\npe": {"expect": null}}})"),
            "profile 'p.json', scenario \"no\\npe\": no such scenario");
  const std::string key = error(R"({"scenarios": {"ok": {"expect": null, "col\nour": 1}}})");
  EXPECT_NE(key.find("unexpected key or value \"col\\nour\""), std::string::npos) << key;
  EXPECT_EQ(key.find('\n'), std::string::npos);
}

TEST(Profile, BuiltInReferenceJudgesEveryScenarioOverHttp2WithItsStreamEnding) {
  auto profile = load_profile("reference", all_scenarios());
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  for (const auto& name : all_scenarios()) {
    ASSERT_TRUE(profile->http2_scenarios.contains(name)) << name;
    EXPECT_TRUE(profile->http2_scenarios.at(name).labels.has_value()) << name;
    EXPECT_TRUE(profile->http2_scenarios.at(name).http2_endings.has_value()) << name;
  }
  EXPECT_EQ(profile->http2_scenarios.at("reset-stream-1111").http2_endings,
            std::set<std::string>{"RST_STREAM(0x457) before_headers"});
  EXPECT_EQ(profile->http2_scenarios.at("goaway").http2_endings,
            std::set<std::string>{"GOAWAY(NO_ERROR, last 2147483647)"});
}

TEST(Profile, BuiltInIisTakesHttp2FromAspNetCoresTestsMarkedUnverified) {
  auto profile = load_profile("iis", all_scenarios());
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  for (const auto& name : kHttp2Scenarios) {
    ASSERT_TRUE(profile->http2_scenarios.contains(name)) << name;
    const Expectation& h2 = profile->http2_scenarios.at(name);
    EXPECT_TRUE(h2.labels.has_value()) << name;
    EXPECT_NE(h2.note.find("documented by ASP.NET Core's tests (Http2TrailersResetTests.cs, ResetTests.cs), "
                           "unverified here"),
              std::string::npos)
        << name;
  }
  EXPECT_EQ(profile->http2_scenarios.at("reset-stream-0").http2_endings,
            std::set<std::string>{"RST_STREAM(NO_ERROR) before_headers"});
  for (const auto& name : kScenarios)
    EXPECT_FALSE(profile->http2_scenarios.at(name).labels.has_value()) << name;
}

TEST(Profile, Http2PartTakesLabelsAndStreamEndings) {
  const auto parsed = parse_profile(
      R"({"scenarios": {"reset": {"expect": ["reset_before_response"],
          "http2": {"expect": ["stream_reset"], "http2_ending": ["RST_STREAM(CANCEL) before_headers"]}}}})",
      "test", kScenarios);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->http2_scenarios.at("reset").labels, std::set<Label>{Label::stream_reset});
  EXPECT_EQ(parsed->http2_scenarios.at("reset").http2_endings,
            std::set<std::string>{"RST_STREAM(CANCEL) before_headers"});
  const auto wrong = parse_profile(
      R"({"scenarios": {"ok": {"expect": null, "http2": {"expect": null, "http2_ending": ["fin"]}}}})",
      "test", kScenarios);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find("\"http2_ending\" takes a list of"), std::string::npos)
      << wrong.error().message;
  EXPECT_FALSE(parse_profile(R"({"scenarios": {"ok": {"expect": null, "http2_ending": ["none"]}}})", "test",
                             kScenarios)
                   .has_value())
      << "http2_ending belongs in the http2 part";
}

TEST(Profile, UnknownNameOrMissingFile) {
  auto unknown = load_profile("production", kScenarios);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message.find("unknown profile 'production'"), std::string::npos);
  auto missing = load_profile("/no/such/profile.json", kScenarios);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("cannot read profile file"), std::string::npos);
}

}  // namespace
}  // namespace termprobe
