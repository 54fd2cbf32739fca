#include "report/report_merge.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "probes/classifier.h"
#include "report/report.h"
#include "report/report_reader.h"
#include "report_dom_oracle.h"

namespace termprobe {
namespace {

ReportEntry entry(const std::string& target, const std::string& scenario, std::int64_t ended_us,
                  StreamEnd end = StreamEnd::fin) {
  Observation o;
  o.connected = true;
  o.method = "GET";
  o.request_complete = true;
  o.status = 200;
  o.wire_bytes_received = 63;
  o.response_complete = true;
  o.end = end;
  o.timings.first_byte_us = 300;
  o.timings.response_complete_us = 400;
  o.timings.ended_us = ended_us;
  return ReportEntry{target, scenario, target + "/" + scenario, 0, o, classify(o), nullptr, std::nullopt};
}

// One shard's report file, as a run writes it.
std::string write_shard(const std::string& name, const std::vector<ReportEntry>& entries,
                        const std::string& profile = "reference") {
  Report report;
  report.tool_version = "0.1.0";
  report.command = {"termprobe", "run", "--shard", name};
  report.started_at = name == "a" ? "2026-12-03T10:00:05Z" : "2026-12-03T10:00:01Z";
  report.profile = profile;
  EntrySpill spill = EntrySpill::open().value();
  for (const auto& e : entries) {
    if (std::find(report.targets.begin(), report.targets.end(), e.target) == report.targets.end())
      report.targets.push_back(e.target);
    spill.append(e);
    report.tally.add(e);
  }
  report.requested = entries.size();
  for (const auto& target : report.targets)
    report.verdicts.push_back(
        {target, "ok", std::set<Label>{Label::close_after_response}, {}, Verdict::pass, ""});
  // ctest runs each test in a process of its own, two at a time: the test's
  // name keeps one test's shards from overwriting another's.
  const std::string path = ::testing::TempDir() + "termprobe-merge-" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" + name +
                           ".json";
  std::ofstream out(path, std::ios::binary);
  EXPECT_TRUE(write_report_json(report, spill, [&](std::string_view piece) -> Result<void> {
                out << piece;
                return {};
              }).has_value());
  return path;
}

Result<std::string> merged(const std::vector<std::string>& paths) {
  std::string text;
  auto done =
      merge_reports({paths, "9.9.9", {"termprobe", "merge"}}, [&](std::string_view piece) -> Result<void> {
        text += piece;
        return {};
      });
  if (!done) return tl::unexpected(done.error());
  return text;
}

const std::vector<ReportEntry> kShardA{entry("http://a", "ok", 2'000'000),
                                       entry("http://a", "ok", 2'100'000)};
const std::vector<ReportEntry> kShardB{entry("http://b", "ok", 1'000'000),
                                       entry("http://b", "reset", 900, StreamEnd::rst)};

TEST(ReportMerge, TheMergedReportIsTheReportOfEveryShardsConnections) {
  const auto text = merged({write_shard("a", kShardA), write_shard("b", kShardB)});
  ASSERT_TRUE(text.has_value()) << text.error().message;
  const auto document = nlohmann::ordered_json::parse(*text);
  std::vector<ReportEntry> all = kShardA;
  all.insert(all.end(), kShardB.begin(), kShardB.end());
  ASSERT_EQ(document["results"].size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(document["results"][i], oracle::entry_dom(all[i]));
  EXPECT_EQ(document["summary"], oracle::summary_dom(all, all.size()));
  EXPECT_EQ(document["targets"], oracle::targets_dom({"http://a", "http://b"}, all));
  EXPECT_EQ(document["started_at"], "2026-12-03T10:00:01Z");  // the earliest shard's
  EXPECT_EQ(document["tool"]["version"], "9.9.9");
  EXPECT_EQ(document["profile"], "reference");
  EXPECT_EQ(document["verdicts"].size(), 2u);
  ASSERT_EQ(document["merged_from"].size(), 2u);
  EXPECT_EQ(document["merged_from"][1]["command"].back(), "b");
  EXPECT_EQ(document["merged_from"][0]["total"], 2);
}

TEST(ReportMerge, CompareReadsTheMergedReport) {
  const auto text = merged({write_shard("a", kShardA), write_shard("b", kShardB)});
  ASSERT_TRUE(text.has_value());
  std::istringstream input(*text);
  const auto facts = read_report_stream(input, "'all.json'");
  ASSERT_TRUE(facts.has_value()) << facts.error().message;
  EXPECT_EQ(facts->scenarios.size(), 3u);
  const ScenarioFacts& a_ok = facts->scenarios.at({"http://a", "ok"});
  EXPECT_EQ(a_ok.total, 2u);
  EXPECT_EQ(a_ok.closed_after_response_us.count(), 2u);
}

TEST(ReportMerge, ATargetInTwoShardsIsRefused) {
  const auto text = merged({write_shard("a", kShardA), write_shard("b", kShardA)});
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().kind, ErrorKind::invalid_input);
  EXPECT_NE(text.error().message.find("target 'http://a' is in both '"), std::string::npos)
      << text.error().message;
}

TEST(ReportMerge, ShardsJudgedWithOtherProfilesAreRefused) {
  const auto text = merged({write_shard("a", kShardA), write_shard("b", kShardB, "iis")});
  ASSERT_FALSE(text.has_value());
  EXPECT_NE(text.error().message.find("has profile iis, '"), std::string::npos) << text.error().message;
  EXPECT_NE(text.error().message.find("' has profile reference: merge reports judged alike"),
            std::string::npos);
}

TEST(ReportMerge, AnotherSchemaVersionIsRefusedNamingTheFile) {
  const std::string path = write_shard("b", kShardB);
  std::stringstream whole;
  whole << std::ifstream(path).rdbuf();
  std::string text = whole.str();
  text.replace(text.find("\"schema_version\": 4"), 19, "\"schema_version\": 1");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  const auto result = merged({write_shard("a", kShardA), path});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message,
            "'" + path +
                "' has schema_version 1; this termprobe reads version 4 only (write it again with this "
                "version)");
}

}  // namespace
}  // namespace termprobe
