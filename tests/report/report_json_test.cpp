#include <gtest/gtest.h>

#include <random>

#include "probes/classifier.h"
#include "report/entry_json.h"
#include "report/report.h"
#include "report/report_facts.h"
#include "report_dom_oracle.h"

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
  return ReportEntry{"http://127.0.0.1:8080/x",
                     "probe",
                     "http://127.0.0.1:8080/x",
                     0,
                     o,
                     classify(o),
                     nullptr,
                     std::nullopt};
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

// A report as the CLI's recorder makes one: each entry spilled and tallied.
// The entries themselves are kept here only to check the report against.
struct Recorded {
  Report report;
  EntrySpill spill = EntrySpill::open().value();
  std::vector<ReportEntry> entries;

  void add(const ReportEntry& entry) {
    spill.append(entry);
    report.tally.add(entry);
    entries.push_back(entry);
  }
  std::string streamed() {
    std::string text;
    const auto written = write_report_json(report, spill, [&](std::string_view piece) -> Result<void> {
      text += piece;
      return {};
    });
    EXPECT_TRUE(written.has_value());
    return text;
  }
};

TEST(ReportJson, SummaryCountsLabels) {
  Recorded recorded;
  recorded.report.tool_version = "0.1.0";
  recorded.report.command = {"termprobe", "probe", "x"};
  recorded.report.requested = 3;
  recorded.add(reset_after_response_entry());
  recorded.add(reset_after_response_entry());
  const auto json = nlohmann::ordered_json::parse(recorded.streamed());
  EXPECT_EQ(json["schema_version"], kReportSchemaVersion);
  EXPECT_EQ(json["summary"]["total"], 2);
  EXPECT_EQ(json["summary"]["requested"], 3);
  EXPECT_EQ(json["summary"]["labels"]["reset_after_response"], 2);
  EXPECT_EQ(json["summary"]["labels"].size(), 1u);
}

// Laid out as nlohmann lays out the same document; each entry's object is
// exactly the DOM the report used to build, and the summary and targets
// are what the report computed when it kept every entry.
void expect_same_document(Recorded& recorded) {
  const std::string text = recorded.streamed();
  const auto document = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(text, document.dump(2) + "\n");
  ASSERT_EQ(document["results"].size(), recorded.entries.size());
  for (std::size_t i = 0; i < recorded.entries.size(); ++i)
    EXPECT_EQ(document["results"][i], oracle::entry_dom(recorded.entries[i])) << "entry " << i;
  EXPECT_EQ(document["summary"], oracle::summary_dom(recorded.entries, recorded.report.requested));
  EXPECT_EQ(document["targets"], oracle::targets_dom(recorded.report.targets, recorded.entries));
}

// Labels, targets and scenarios mixed, timings spread and sometimes missing.
ReportEntry varied_entry(std::mt19937& random, std::size_t i) {
  ReportEntry entry = reset_after_response_entry();
  entry.target = i % 3 == 0 ? "http://[::1]:8080/" : "http://127.0.0.1:8080/x";
  entry.scenario = "s" + std::to_string(i % 4);
  entry.repeat = i;
  entry.outcome.label = static_cast<Label>(random() % 4 == 0 ? random() % 18 : i % 3);
  auto& t = entry.observation.timings;
  t.first_byte_us = random() % 5 == 0 ? std::nullopt : std::optional<std::int64_t>(random() % 100000);
  t.ended_us = random() % 7 == 0 ? std::nullopt : std::optional<std::int64_t>(random() % 1000000);
  return entry;
}

TEST(ReportJson, StreamedDocumentIsTheDocumentOfEveryEntry) {
  Recorded recorded;
  recorded.report.tool_version = "0.1.0";
  recorded.report.command = {"termprobe", "run"};
  recorded.report.targets = {"http://127.0.0.1:8080/x", "http://[::1]:8080/", "http://unused/"};
  recorded.report.requested = 3;
  expect_same_document(recorded);
  std::mt19937 random(7);
  for (std::size_t i = 0; i < 3000; ++i) recorded.add(varied_entry(random, i));
  recorded.report.profile = "reference";
  recorded.report.verdicts.push_back(
      ScenarioVerdict{"t", "reset", std::set<Label>{Label::keepalive}, {}, Verdict::fail, "n"});
  expect_same_document(recorded);
}

// --baseline compares these: the same as adding each connection in turn.
TEST(ReportTally, FactsAreEachConnectionAdded) {
  Recorded recorded;
  std::mt19937 random(11);
  std::map<ScenarioKey, ScenarioFacts> expected;
  for (std::size_t i = 0; i < 500; ++i) {
    ReportEntry entry = varied_entry(random, i);
    const Observation& o = entry.observation;
    entry.observation.rst_after_fin_us = i % 5 == 0 ? std::optional<std::int64_t>(9) : std::nullopt;
    entry.observation.wire_bytes_received = static_cast<std::int64_t>(i);
    entry.observation.status = i % 6 == 0 ? 0 : 200 + static_cast<int>(i % 3);
    entry.outcome.announced = i % 4 == 0;
    add_connection(
        expected[{entry.target, entry.scenario}],
        {to_string(entry.outcome.label), o.status == 0 ? std::nullopt : std::optional<int>(o.status),
         entry.outcome.announced, o.wire_bytes_received, o.rst_after_fin_us.has_value()});
    recorded.add(entry);
  }
  const ReportFacts facts = report_facts_from(recorded.report, "run");
  ASSERT_EQ(facts.scenarios.size(), expected.size());
  for (const auto& [key, want] : expected) {
    const ScenarioFacts& got = facts.scenarios.at(key);
    EXPECT_EQ(got.total, want.total);
    EXPECT_EQ(got.labels, want.labels);
    EXPECT_EQ(got.statuses, want.statuses);
    EXPECT_EQ(got.announced, want.announced);
    EXPECT_EQ(got.rst_after_fin, want.rst_after_fin);
    EXPECT_EQ(got.reset_bytes_min, want.reset_bytes_min);
    EXPECT_EQ(got.reset_bytes_max, want.reset_bytes_max);
  }
}

TEST(ReportTally, AnyConnected) {
  ReportTally tally;
  ReportEntry refused = reset_after_response_entry();
  refused.observation.connected = false;
  tally.add(refused);
  EXPECT_FALSE(tally.any_connected());
  tally.add(reset_after_response_entry());
  tally.add(refused);
  EXPECT_TRUE(tally.any_connected());
  EXPECT_EQ(tally.total(), 3u);
}

TEST(ReportJson, TheFirstRefusalStopsTheWriting) {
  Recorded recorded;
  recorded.add(reset_after_response_entry());
  int pieces = 0;
  const auto written =
      write_report_json(recorded.report, recorded.spill, [&](std::string_view) -> Result<void> {
        ++pieces;
        return fail(ErrorKind::io, "disk full");
      });
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().message, "disk full");
  EXPECT_EQ(pieces, 1);
}

TEST(ReportJson, TimestampIsRfc3339Utc) {
  const std::string stamp = utc_timestamp_now();
  ASSERT_EQ(stamp.size(), 27u);  // to the microsecond: 2026-11-24T20:00:00.123456Z
  EXPECT_EQ(stamp[19], '.');
  EXPECT_EQ(stamp[10], 'T');
  EXPECT_EQ(stamp.back(), 'Z');
}

}  // namespace
}  // namespace termprobe

namespace termprobe {
namespace {

TEST(ReportJson, WallClockTimestampsGoToTheMicrosecond) {
  EXPECT_EQ(utc_timestamp_us(1764773701123456), "2025-12-03T14:55:01.123456Z");
  EXPECT_EQ(utc_timestamp_us(1764773701000001), "2025-12-03T14:55:01.000001Z");
  EXPECT_EQ(utc_timestamp_us(0), "1970-01-01T00:00:00.000000Z");
}

TEST(ReportJson, EveryLabelHasAPlainMeaning) {
  for (const std::string_view name : label_names()) {
    const auto meaning = label_meaning(*label_from_string(name));
    EXPECT_NE(meaning, "unknown") << name;
    EXPECT_EQ(meaning.find('\n'), std::string_view::npos) << name;
  }
}

}  // namespace
}  // namespace termprobe
