#include <gtest/gtest.h>

#include "entry_dom_oracle.h"
#include "probes/classifier.h"
#include "report/entry_json.h"
#include "report/report.h"

namespace termprobe {
namespace {

ReportEntry reset_after_response_entry() {
  Observation o;
  o.connected = true;
  o.local = {"127.0.0.1", 40122};
  o.remote = {"127.0.0.1", 8080};
  o.method = "GET";
  o.request_bytes_sent = 78;
  o.request_complete = true;
  o.status = 200;
  o.header_bytes = 60;
  o.body_bytes = 3;
  o.wire_bytes_received = 63;
  o.declared_length = 3;
  o.response_complete = true;
  o.end = StreamEnd::rst;
  o.end_errno = 104;
  o.timings.connect_us = 80;
  o.timings.response_complete_us = 410;
  o.timings.ended_us = 1860;
  return ReportEntry{"http://127.0.0.1:8080/x", "probe", "http://127.0.0.1:8080/x", 0, o, classify(o)};
}

nlohmann::ordered_json entry_json(const ReportEntry& entry) {
  std::string text;
  JsonTextWriter writer = JsonTextWriter::compact(text);
  write_entry_json(writer, entry);
  return nlohmann::ordered_json::parse(text);
}

TEST(ReportJson, EntryCarriesTheFactsAndTheOutcome) {
  const auto json = entry_json(reset_after_response_entry());
  EXPECT_EQ(json["local"]["port"], 40122);
  EXPECT_EQ(json["remote"]["address"], "127.0.0.1");
  EXPECT_EQ(json["request"]["bytes_sent"], 78);
  EXPECT_EQ(json["response"]["declared_length"], 3);
  EXPECT_EQ(json["ending"]["kind"], "rst");
  EXPECT_EQ(json["ending"]["errno"], 104);
  EXPECT_EQ(json["ending"]["after_response_us"], 1450);
  EXPECT_EQ(json["timings_us"]["connect"], 80);
  EXPECT_TRUE(json["timings_us"]["first_byte"].is_null());
  EXPECT_EQ(json["outcome"]["label"], "reset_after_response");
  EXPECT_EQ(json["outcome"]["phase"], "after_response");
  EXPECT_FALSE(json["outcome"].contains("response_before_abort"));
}

TEST(ReportJson, UnknownValuesAreNullNotZero) {
  ReportEntry entry = reset_after_response_entry();
  entry.observation = Observation{};
  const auto json = entry_json(entry);
  EXPECT_TRUE(json["response"]["status"].is_null());
  EXPECT_TRUE(json["local"]["port"].is_null());
  EXPECT_TRUE(json["ending"]["after_response_us"].is_null());
}

std::string streamed(const Report& report) {
  std::string text;
  EXPECT_TRUE(write_report_json(report, [&](std::string_view piece) {
    text += piece;
    return true;
  }));
  return text;
}

TEST(ReportJson, SummaryCountsLabels) {
  Report report;
  report.tool_version = "0.1.0";
  report.command = {"termprobe", "probe", "x"};
  report.requested = 3;
  report.results = {reset_after_response_entry(), reset_after_response_entry()};
  const auto json = nlohmann::ordered_json::parse(streamed(report));
  EXPECT_EQ(json["schema_version"], kReportSchemaVersion);
  EXPECT_EQ(json["summary"]["total"], 2);
  EXPECT_EQ(json["summary"]["requested"], 3);
  EXPECT_EQ(json["summary"]["labels"]["reset_after_response"], 2);
  EXPECT_EQ(json["summary"]["labels"].size(), 1u);
}

// Laid out as nlohmann lays out the same document, with each entry's
// object exactly the DOM the report used to build.
void expect_dump_layout(const Report& report) {
  const std::string text = streamed(report);
  const auto document = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(text, document.dump(2) + "\n");
  ASSERT_EQ(document["results"].size(), report.results.size());
  for (std::size_t i = 0; i < report.results.size(); ++i)
    EXPECT_EQ(document["results"][i], oracle::entry_dom(report.results[i])) << "entry " << i;
}

TEST(ReportJson, StreamedDocumentIsExactlyTheTreeDump) {
  Report report;
  report.tool_version = "0.1.0";
  report.command = {"termprobe", "run"};
  report.targets = {"http://127.0.0.1:8080/x"};
  report.requested = 3;
  expect_dump_layout(report);
  for (int i = 0; i < 300; ++i) report.results.push_back(reset_after_response_entry());
  report.results[7].observation.module = "caf\xC3\xA9 \"quoted\"\n";
  report.profile = "reference";
  report.verdicts.push_back(
      ScenarioVerdict{"t", "reset", std::set<Label>{Label::keepalive}, {}, Verdict::fail, "n"});
  expect_dump_layout(report);
}

TEST(ReportJson, TimestampIsRfc3339Utc) {
  const std::string stamp = utc_timestamp_now();
  ASSERT_EQ(stamp.size(), 20u);
  EXPECT_EQ(stamp[10], 'T');
  EXPECT_EQ(stamp.back(), 'Z');
}

}  // namespace
}  // namespace termprobe
