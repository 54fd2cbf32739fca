#include "report/html_report.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "report/connection_events.h"
#include "report/event_lines.h"
#include "report/html_drawing.h"
#include "report/report_stream.h"

namespace termprobe {
namespace {

using json = nlohmann::ordered_json;

// Inline styles only: the policy lets nothing else in, and the page needs no script.
constexpr std::string_view kHead = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width">
<title>termprobe report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1100px}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em;margin:.2em 0}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
code,pre{font:12px/1.3 ui-monospace,monospace}pre{background:#f6f6f6;padding:6px;overflow-x:auto}
.conn{border-top:1px solid #ddd;padding:.4em 0}.unexpected h3{color:#b00}
.timeline text{font:10px sans-serif}.timeline .lane{font-weight:bold;fill:#444}.laneline{stroke:#999}
.timeline .axis,.histogram .axis{fill:#777;font:10px sans-serif}
.phase{fill:#9ec5e8}.p0{fill:#ccc}.p1{fill:#c9b3e6}.p2{fill:#f2d38a}.p3{fill:#e6e6e6}.p4{fill:#9ed9a8}.p5{fill:#9ec5e8}.ev line{stroke-width:2;stroke:#555}.ev.srv line{stroke:#1a6}.ev.fin line{stroke:#e80}
.ev.rst line{stroke:#d00}.ev.fin text{fill:#a50}.ev.rst text{fill:#d00}
.histogram rect{fill:#4a8}
.fail{color:#b00;font-weight:bold}.pass{color:#070;font-weight:bold}
</style></head><body>
)";

std::string cell(const json& value) {
  if (value.is_string()) return escape_html(value.get<std::string>());
  if (value.is_null()) return "&mdash;";
  return escape_html(value.dump());
}

std::string share(const json& value) {
  return value.is_number() ? fmt::format("{:.1f}%", value.get<double>() * 100) : cell(value);
}

std::string text_of(const json& document, const char* key) {
  const auto found = document.find(key);
  return found != document.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::string parameters_html(const json& doc) {
  std::string command;
  if (doc.contains("command") && doc["command"].is_array())
    for (const json& word : doc["command"]) command += (command.empty() ? "" : " ") + cell(word);
  std::string out = "<h1>termprobe report</h1>\n<table class=\"params\">";
  out += fmt::format("<tr><th>command</th><td><code>{}</code></td></tr>", command);
  if (doc.contains("tool"))
    out += fmt::format("<tr><th>tool</th><td>termprobe {}</td></tr>", cell(doc["tool"].value("version", "")));
  out += fmt::format("<tr><th>started</th><td>{}</td></tr>", escape_html(text_of(doc, "started_at")));
  if (doc.contains("targets"))
    for (const json& target : doc["targets"])
      out += fmt::format("<tr><th>target</th><td>{} ({} connections)</td></tr>",
                         cell(target.value("target", json())), cell(target.value("total", json())));
  if (doc.contains("merged_from"))
    for (const json& shard : doc["merged_from"])
      out += fmt::format("<tr><th>merged from</th><td>{} ({} connections)</td></tr>",
                         cell(shard.value("file", json())), cell(shard.value("total", json())));
  if (doc.value("interrupted", false))
    out += "<tr><th>interrupted</th><td>Ctrl-C or SIGTERM stopped the run</td></tr>";
  return out + "</table>\n";
}

std::string summary_html(const json& doc, const std::map<std::string, EndTimeHistogram>& histograms) {
  const json summary = doc.value("summary", json::object());
  std::string out =
      fmt::format("<h2>Summary</h2>\n<p>{} connections.</p>\n", cell(summary.value("total", json())));
  out +=
      "<table class=\"summary\"><tr><th>label</th><th>count</th><th>share</th><th>meaning</th>"
      "<th>time to end p50 / p90 / p99</th></tr>";
  const json by_label = summary.value("by_label", json::object());
  for (const auto& [label, stats] : by_label.items()) {
    const json ended = stats.value("ended_us", json::object());
    const auto time = [&](const char* p) {
      const json v = ended.value(p, json());
      return v.is_number() ? escape_html(format_us(v.get<std::int64_t>())) : std::string("&mdash;");
    };
    out += fmt::format(
        "<tr data-label=\"{}\"><td><b>{}</b></td><td>{}</td><td>{}</td><td>{}</td><td>{} / {} / {}</td></tr>",
        escape_html(label), escape_html(label), cell(stats.value("count", json())),
        share(stats.value("share", json())), cell(stats.value("meaning", json())), time("p50"), time("p90"),
        time("p99"));
  }
  out +=
      "</table>\n<h2>Time to end, per label</h2>\n<p>From the request's start to the connection's end, in "
      "quarter decades (hover a bar for its range and count).</p>\n<table class=\"histograms\">";
  for (const auto& [label, histogram] : histograms)
    out += fmt::format("<tr><td><b>{}</b><br>{} connections</td><td>{}</td></tr>", escape_html(label),
                       histogram.count(), histogram.svg());
  return out + "</table>\n";
}

std::string verdicts_html(const json& doc) {
  if (!doc.contains("verdicts") || doc["verdicts"].empty()) return "";
  std::string out = fmt::format(
      "<h2>Verdicts</h2>\n<p>profile {}</p>\n<table class=\"verdicts\"><tr><th>target</th>"
      "<th>scenario</th><th>expected</th><th>observed</th><th>verdict</th><th>note</th></tr>",
      cell(doc.value("profile", json())));
  for (const json& v : doc["verdicts"]) {
    const std::string verdict = v.value("verdict", "");
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
        cell(v.value("target", json())), cell(v.value("scenario", json())), cell(v.value("expected", json())),
        cell(v.value("observed", json())), verdict == "fail" ? "fail" : "pass", escape_html(verdict),
        cell(v.value("note", json())));
  }
  return out + "</table>\n";
}

// Per target and scenario, the labels its verdict expected (absent: not judged).
using Expected = std::map<std::pair<std::string, std::string>, std::set<std::string>>;

Expected expected_labels(const json& doc) {
  Expected expected;
  if (!doc.contains("verdicts")) return expected;
  for (const json& v : doc["verdicts"]) {
    const json labels = v.value("expected", json());
    if (!labels.is_array()) continue;
    auto& set = expected[{v.value("target", ""), v.value("scenario", "")}];
    for (const json& label : labels)
      if (label.is_string()) set.insert(label.get<std::string>());
  }
  return expected;
}

bool is_unexpected_label(const Expected& expected, const ConnectionEvents& c) {
  const auto found = expected.find({c.target, c.scenario});
  return found != expected.end() && !found->second.contains(c.label);
}

std::string connection_html(std::size_t index, const ConnectionEvents& c, bool is_unexpected) {
  const std::string ended = c.ended_us ? format_us(*c.ended_us) : "not timed";
  return fmt::format(
      "<section class=\"conn{}\" data-index=\"{}\" data-label=\"{}\" data-ended-us=\"{}\">\n<h3>#{} {} {} "
      "#{}: "
      "<span class=\"label\">{}</span>{}, ended at <span "
      "class=\"ended\">{}</span></h3>\n{}\n<details><summary>"
      "events</summary><pre>{}</pre></details></section>\n",
      is_unexpected ? " unexpected" : "", index, escape_html(c.label),
      c.ended_us ? std::to_string(*c.ended_us) : "", index, escape_html(c.target), escape_html(c.scenario),
      c.repeat, escape_html(c.label), is_unexpected ? " (unexpected)" : "", escape_html(ended),
      timeline_svg(c), escape_html(format_event_lines(c)));
}

// What the second reading keeps: the timelines to draw, and how they were chosen.
struct Drawn {
  std::string html;
  std::size_t shown = 0;
  std::size_t unexpected = 0;
  std::size_t unexpected_shown = 0;
  std::map<std::string, std::size_t> per_label;
};

std::string connections_heading(const Drawn& drawn, std::size_t total, bool sampled, const HtmlSampling& s) {
  std::string out = fmt::format("<h2>Connections</h2>\n<p id=\"shown\" data-shown=\"{}\" data-total=\"{}\">",
                                drawn.shown, total);
  if (!sampled) return out + fmt::format("Every connection's timeline ({}).</p>\n", total);
  return out +
         fmt::format(
             "A sample: {} of {} connections are drawn, the first {} of each label and every unexpected one "
             "(outside its expectation; {} of {} drawn, at most {}).</p>\n",
             drawn.shown, total, s.per_label, drawn.unexpected_shown, drawn.unexpected, s.unexpected_limit);
}

}  // namespace

Result<void> write_html_report(std::istream& report, const std::string& path, const TextSink& sink,
                               const HtmlSampling& sampling) {
  std::map<std::string, EndTimeHistogram> histograms;
  std::size_t total = 0;
  auto document = read_report_without_results(report, path, [&](const json& entry) {
    ++total;
    const json ended = entry.value(json::json_pointer("/timings_us/ended"), json());
    const json label = entry.value(json::json_pointer("/outcome/label"), json());
    if (ended.is_number() && label.is_string())
      histograms[label.get<std::string>()].add(ended.get<std::int64_t>());
  });
  if (!document) return tl::unexpected(document.error());
  const Expected expected = expected_labels(*document);
  const bool sampled = total > sampling.draw_all_up_to;
  Drawn drawn;
  std::size_t index = 0;
  report.clear();
  report.seekg(0);
  auto again = read_report_without_results(report, path, [&](const json& entry) {
    const ConnectionEvents c = connection_events(entry);
    const bool is_unexpected = is_unexpected_label(expected, c);
    drawn.unexpected += is_unexpected;
    const bool by_label = drawn.per_label[c.label] < sampling.per_label;
    const bool as_unexpected = is_unexpected && drawn.unexpected_shown < sampling.unexpected_limit;
    if (!sampled || by_label || as_unexpected) {
      drawn.html += connection_html(index, c, is_unexpected);
      ++drawn.shown;
      ++drawn.per_label[c.label];
      drawn.unexpected_shown += is_unexpected;
    }
    ++index;
  });
  if (!again) return tl::unexpected(again.error());
  const std::string pieces[] = {std::string(kHead),
                                parameters_html(*document),
                                summary_html(*document, histograms),
                                verdicts_html(*document),
                                connections_heading(drawn, total, sampled, sampling),
                                std::move(drawn.html),
                                "</body></html>\n"};
  for (const std::string& piece : pieces)
    if (auto written = sink(piece); !written) return written;
  return {};
}

}  // namespace termprobe
