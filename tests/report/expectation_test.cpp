#include "report/expectation.h"

#include <gtest/gtest.h>

namespace termprobe {
namespace {

struct Parsed {
  std::set<Label> labels;
  StatusRules statuses;
};

Parsed parse_all(const std::vector<std::string>& texts) {
  Parsed parsed;
  for (const auto& text : texts) {
    auto added = add_expected_label(text, parsed.labels, parsed.statuses);
    EXPECT_TRUE(added.has_value()) << text << ": " << added.error().message;
  }
  return parsed;
}

std::string refusal(const std::string& text) {
  Parsed parsed;
  auto added = add_expected_label(text, parsed.labels, parsed.statuses);
  return added ? "accepted" : added.error().message;
}

TEST(Expectation, ARefusedTextWithALineBreakIsShownOnOneLine) {
  EXPECT_EQ(refusal("keep\nalive").rfind("'keep\\nalive' is not a label", 0), 0u) << refusal("keep\nalive");
  EXPECT_EQ(refusal("keepalive/2\n00").rfind("'keepalive/2\\n00': ", 0), 0u) << refusal("keepalive/2\n00");
}

TEST(Expectation, ALabelAloneAcceptsAnyStatusAndNoStatusLine) {
  const Parsed p = parse_all({"keepalive"});
  EXPECT_TRUE(label_matches(p.labels, p.statuses, Label::keepalive, 200));
  EXPECT_TRUE(label_matches(p.labels, p.statuses, Label::keepalive, 502));
  EXPECT_TRUE(label_matches(p.labels, p.statuses, Label::keepalive, 0));
  EXPECT_FALSE(label_matches(p.labels, p.statuses, Label::close_after_response, 200));
}

TEST(Expectation, AStatusOrAClassNarrowsItsLabelOnly) {
  const Parsed p =
      parse_all({"keepalive/200", "keepalive/204", "close_after_response/2xx", "reset_before_response"});
  EXPECT_TRUE(label_matches(p.labels, p.statuses, Label::keepalive, 200));
  EXPECT_TRUE(label_matches(p.labels, p.statuses, Label::keepalive, 204));
  EXPECT_FALSE(label_matches(p.labels, p.statuses, Label::keepalive, 502));
  EXPECT_FALSE(label_matches(p.labels, p.statuses, Label::keepalive, 403));
  EXPECT_FALSE(label_matches(p.labels, p.statuses, Label::keepalive, 0)) << "no status line is no 200";
  EXPECT_TRUE(label_matches(p.labels, p.statuses, Label::close_after_response, 299));
  EXPECT_FALSE(label_matches(p.labels, p.statuses, Label::close_after_response, 300));
  EXPECT_TRUE(label_matches(p.labels, p.statuses, Label::reset_before_response, 0));
  EXPECT_EQ(expected_labels_text(p.labels, p.statuses),
            "keepalive/200|keepalive/204|close_after_response/2xx|reset_before_response");
}

TEST(Expectation, TheLabelAloneWinsOverItsStatusesWhicheverComesFirst) {
  for (const auto& texts : {std::vector<std::string>{"keepalive", "keepalive/200"},
                            std::vector<std::string>{"keepalive/200", "keepalive"}}) {
    const Parsed p = parse_all(texts);
    EXPECT_TRUE(label_matches(p.labels, p.statuses, Label::keepalive, 502)) << texts[0];
    EXPECT_EQ(expected_labels_text(p.labels, p.statuses), "keepalive");
  }
}

TEST(Expectation, BadLabelsAndStatusesAreNamed) {
  EXPECT_EQ(refusal("keepalve").rfind("'keepalve' is not a label, or LABEL/STATUS", 0), 0u);
  for (const char* status : {"20", "2000", "600", "099", "6xx", "0xx", "2XX", "", "abc", "-200"}) {
    const std::string text = std::string("keepalive/") + status;
    EXPECT_EQ(refusal(text), "'" + text +
                                 "': the status must be a code from 100 to 599 or a class such as "
                                 "2xx, not '" +
                                 status + "'");
  }
  EXPECT_EQ(refusal("keepalive/599"), "accepted");
  EXPECT_EQ(refusal("keepalive/100"), "accepted");
}

TEST(Expectation, IdleTakesAnEndingAndAWindowInSeconds) {
  auto close = parse_idle_expectation("close:0.8-1.5");
  ASSERT_TRUE(close.has_value()) << close.error().message;
  EXPECT_EQ(close->endings, (std::set<StreamEnd>{StreamEnd::fin, StreamEnd::rst}));
  EXPECT_EQ(close->low_s, 0.8);
  EXPECT_EQ(close->high_s, 1.5);
  EXPECT_EQ(idle_expectation_text(*close), "close 0.8-1.5 s");
  auto fin = parse_idle_expectation("fin");
  ASSERT_TRUE(fin.has_value());
  EXPECT_EQ(fin->endings, std::set<StreamEnd>{StreamEnd::fin});
  EXPECT_FALSE(fin->low_s.has_value());
  EXPECT_EQ(idle_expectation_text(*fin), "fin");
  auto open = parse_idle_expectation("open");
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(idle_expectation_text(*open), "open");
  for (const char* bad : {"closed", "open:1-2", "close:1", "close:2-1", "close:a-2", "close:-1-2",
                          "close:nan-2", "fin:1-99999999", ""}) {
    auto parsed = parse_idle_expectation(bad);
    EXPECT_FALSE(parsed.has_value()) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().message.rfind(std::string("'") + bad + "': ", 0), 0u) << bad;
    }
  }
}

TEST(Expectation, ReuseOutcomesAreTheClassifiersOwn) {
  for (std::string_view kind : reuse_outcome_kinds())
    EXPECT_TRUE(parse_reuse_outcome(kind).has_value()) << kind;
  EXPECT_FALSE(parse_reuse_outcome("fine").has_value());
  EXPECT_FALSE(parse_reuse_outcome("").has_value());
}

}  // namespace
}  // namespace termprobe
