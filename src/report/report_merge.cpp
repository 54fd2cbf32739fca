#include "report/report_merge.h"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "report/input_file.h"
#include "report/label_stats.h"
#include "report/report.h"
#include "report/report_reader.h"
#include "report/report_stream.h"

namespace termprobe {
namespace {

using json = nlohmann::ordered_json;

// read_report_stream has read each input whole already: an error here is a file that changed.
Result<json> read_without_results(const std::string& path, const EntryVisitor& visit) {
  auto file = open_input_file(path, "report");
  if (!file) return tl::unexpected(file.error());
  return read_report_without_results(*file, path, visit);
}

// What the shards add up to, and what each of them must agree on.
struct Merged {
  std::optional<std::string> profile;  // of the first input (nullopt: not judged)
  std::string first_path;
  std::string started_at;
  bool interrupted = false;
  std::size_t entries = 0;  // results[] members read
  std::size_t total = 0;
  std::size_t requested = 0;
  std::map<std::string, std::size_t> labels;
  LabelTimings timings;
  json targets = json::array();
  json verdicts = json::array();
  json shards = json::array();
  std::map<std::string, std::string> target_files;  // target -> the input it came from
};

std::optional<std::string> profile_of(const json& report) {
  if (!report.contains("profile")) return std::nullopt;
  return report["profile"].get<std::string>();
}

std::string profile_text(const std::optional<std::string>& profile) {
  return profile ? "profile " + *profile : "no profile (not judged)";
}

Result<void> add_shard(Merged& merged, const std::string& path, const json& report, bool first) {
  const auto profile = profile_of(report);
  if (first) {
    merged.profile = profile;
    merged.first_path = path;
  } else if (profile != merged.profile) {
    return fail(ErrorKind::invalid_input,
                fmt::format("'{}' has {}, '{}' has {}: merge reports judged alike", path,
                            profile_text(profile), merged.first_path, profile_text(merged.profile)));
  }
  for (const auto& target : report["targets"]) {
    const std::string name = target["target"].get<std::string>();
    auto [at, added] = merged.target_files.emplace(name, path);
    if (!added)
      return fail(ErrorKind::invalid_input,
                  fmt::format("target '{}' is in both '{}' and '{}': each target belongs to one shard", name,
                              at->second, path));
    merged.targets.push_back(target);
  }
  const std::string started = report["started_at"].get<std::string>();
  if (first || started < merged.started_at) merged.started_at = started;
  merged.interrupted = merged.interrupted || report["interrupted"].get<bool>();
  const json& summary = report["summary"];
  merged.total += summary["total"].get<std::size_t>();
  merged.requested += summary["requested"].get<std::size_t>();
  for (const auto& [label, count] : summary["labels"].items())
    merged.labels[label] += count.get<std::size_t>();
  if (report.contains("verdicts")) {
    for (const auto& verdict : report["verdicts"]) merged.verdicts.push_back(verdict);
  }
  merged.shards.push_back({{"file", path},
                           {"command", report["command"]},
                           {"started_at", started},
                           {"tool_version", report["tool"].value("version", "")},
                           {"total", summary["total"]}});
  return {};
}

std::optional<std::int64_t> optional_micros(const json& value) {
  if (!value.is_number_integer()) return std::nullopt;
  return value.get<std::int64_t>();
}

// Each connection's label and times, for the merged summary's percentiles.
void count_timings(LabelTimings& timings, const json& entry) {
  const auto label = label_from_string(entry["outcome"]["label"].get<std::string>());
  if (!label) return;  // the report reader has checked every label already
  Timings times;
  const json& recorded = entry["timings_us"];
  times.first_byte_us = optional_micros(recorded.value("first_byte", json()));
  times.ended_us = optional_micros(recorded.value("ended", json()));
  timings.add(*label, times);
}

json merged_document(const Merged& merged, const MergeRequest& request) {
  json out = {
      {"schema_version", kReportSchemaVersion},
      {"tool", {{"name", "termprobe"}, {"version", request.tool_version}}},
      {"command", request.command},
      {"started_at", merged.started_at},
      {"targets", merged.targets},
      {"interrupted", merged.interrupted},
      {"results", json::array()},
      {"summary", summary_json(merged.total, merged.requested, merged.labels, merged.timings.stats())}};
  if (merged.profile) out["profile"] = *merged.profile;
  if (merged.profile) out["verdicts"] = merged.verdicts;
  out["merged_from"] = merged.shards;
  return out;
}

}  // namespace

Result<void> merge_reports(const MergeRequest& request, const TextSink& sink) {
  Merged merged;
  for (std::size_t i = 0; i < request.paths.size(); ++i) {
    const std::string& path = request.paths[i];
    if (auto checked = read_report_facts(path); !checked) return tl::unexpected(checked.error());
    auto report = read_without_results(path, [&](const json& entry) {
      count_timings(merged.timings, entry);
      ++merged.entries;
    });
    if (!report) return tl::unexpected(report.error());
    if (auto added = add_shard(merged, path, *report, i == 0); !added) return added;
  }
  const auto copy_results = [&](const TextSink& into) -> Result<void> {
    bool first = true;
    std::optional<Error> failure;
    for (const auto& path : request.paths) {
      auto read = read_without_results(path, [&](const json& entry) {
        if (failure) return;
        auto written = into((first ? "\n    " : ",\n    ") + nested_dump(entry, 2));
        if (!written) failure = written.error();
        first = false;
      });
      if (!read) return tl::unexpected(read.error());
      if (failure) return tl::unexpected(*failure);
    }
    return {};
  };
  return write_report_layout(merged_document(merged, request), merged.entries != 0, copy_results, sink);
}

}  // namespace termprobe
