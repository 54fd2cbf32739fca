#include "report/profile.h"

#include <gtest/gtest.h>

namespace termprobe {
namespace {

const std::vector<std::string> kScenarios = {"ok",
                                             "need-disconnect",
                                             "reset",
                                             "reset-continue",
                                             "reset-after-flush",
                                             "cancel-io-read",
                                             "cancel-io-send"};

TEST(Profile, BuiltInReferenceJudgesEveryScenario) {
  auto profile = load_profile("reference", kScenarios);
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_EQ(profile->name, "reference");
  for (const auto& name : kScenarios) {
    ASSERT_TRUE(profile->scenarios.contains(name)) << name;
    EXPECT_TRUE(profile->scenarios.at(name).labels.has_value()) << name;
  }
  EXPECT_EQ(profile->scenarios.at("reset").labels, std::set<Label>{Label::reset_before_response});
}

TEST(Profile, BuiltInIisAcceptsBothReadingsOfSetNeedDisconnectAndLeavesSilenceUnverified) {
  auto profile = load_profile("iis", kScenarios);
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_EQ(profile->scenarios.at("need-disconnect").labels,
            (std::set<Label>{Label::close_after_response, Label::reset_after_response}));
  EXPECT_FALSE(profile->scenarios.at("cancel-io-read").labels.has_value());
  EXPECT_FALSE(profile->scenarios.at("cancel-io-send").labels.has_value());
  EXPECT_FALSE(profile->scenarios.at("ok").labels.has_value());
  EXPECT_NE(profile->scenarios.at("cancel-io-read").note.find("unverified"), std::string::npos);
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
  EXPECT_NE(error(R"({"scenarios": {"ok": {"expect": ["fine"]}}})").find("\"fine\" is not a label"),
            std::string::npos);
  EXPECT_NE(error(R"({"scenarios": {"ok": {"expect": null, "colour": 1}}})").find("\"colour\""),
            std::string::npos);
  EXPECT_NE(error(R"({"scenarios": {"ok": {"note": "x"}}})").find("missing \"expect\""), std::string::npos);
  EXPECT_NE(error(R"([])").find("expected {"), std::string::npos);
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
