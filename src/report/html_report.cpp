#include "report/html_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "report/connection_events.h"
#include "report/event_lines.h"
#include "report/html_drawing.h"
#include "report/json_member.h"
#include "report/report_stream.h"
#include "report/summary_text.h"

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
.fail,.capture.disagrees{color:#b00;font-weight:bold}.capture{margin:.2em 0}.pass{color:#070;font-weight:bold}
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

std::string parameters_html(const json& doc) {
  std::string command;
  if (doc.contains("command") && doc["command"].is_array())
    for (const json& word : doc["command"]) command += (command.empty() ? "" : " ") + cell(word);
  std::string out = "<h1>termprobe report</h1>\n<table class=\"params\">";
  out += fmt::format("<tr><th>command</th><td><code>{}</code></td></tr>", command);
  if (doc.contains("tool"))
    out += fmt::format("<tr><th>tool</th><td>termprobe {}</td></tr>", cell(doc["tool"].value("version", "")));
  out += fmt::format("<tr><th>started</th><td>{}</td></tr>", escape_html(json_text(doc, "started_at")));
  if (doc.contains("targets"))
    for (const json& target : doc["targets"])
      out += fmt::format("<tr><th>target</th><td>{} ({} connections)</td></tr>",
                         cell(json_member(target, "target")), cell(json_member(target, "total")));
  if (doc.contains("merged_from"))
    for (const json& shard : doc["merged_from"])
      out += fmt::format("<tr><th>merged from</th><td>{} ({} connections)</td></tr>",
                         cell(json_member(shard, "file")), cell(json_member(shard, "total")));
  if (doc.value("interrupted", false))
    out += "<tr><th>interrupted</th><td>Ctrl-C or SIGTERM stopped the run</td></tr>";
  return out + "</table>\n";
}

// --capture's counts: how many entries the packets were compared with and contradicted.
std::string capture_summary_html(const json& summary) {
  const json& capture = json_member(summary, "capture");
  if (!capture.is_object()) return "";
  const json& disagreements = json_member(capture, "disagreements");
  const bool any = disagreements.is_number() && disagreements.get<std::int64_t>() > 0;
  return fmt::format(
      "<table class=\"capture-summary\"><tr><th>packet capture</th><td><code>{}</code> on {}, filter "
      "<code>{}</code></td></tr><tr><th>packets</th><td>{} written, {} dropped by the kernel</td></tr>"
      "<tr><th>entries</th><td><span class=\"compared\">{}</span> compared, <span "
      "class=\"disagreements{}\">{}"
      "</span> disagree with the packets, {} not compared</td></tr></table>\n",
      cell(json_member(capture, "file")), cell(json_member(capture, "interface")),
      cell(json_member(capture, "filter")), cell(json_member(capture, "packets")),
      cell(json_member(capture, "dropped")), cell(json_member(capture, "compared")), any ? " fail" : "",
      cell(disagreements), cell(json_member(capture, "not_compared")));
}

std::string summary_html(const json& doc, const std::map<std::string, EndTimeHistogram>& histograms) {
  const json& summary = json_member(doc, "summary");
  std::string out =
      fmt::format("<h2>Summary</h2>\n<p>{} entries.</p>\n", cell(json_member(summary, "total")));
  out += capture_summary_html(summary);
  out +=
      "<table class=\"summary\"><tr><th>label</th><th>count</th><th>share</th><th>meaning</th>"
      "<th>time to end p50 / p90 / p99</th></tr>";
  const json& by_label = json_member(summary, "by_label");
  for (const auto& [label, stats] : by_label.items()) {
    const json& ended = json_member(stats, "ended_us");
    const auto time = [&](const char* p) {
      const json& v = json_member(ended, p);
      return v.is_number() ? escape_html(format_us(v.get<std::int64_t>())) : std::string("&mdash;");
    };
    out += fmt::format(
        "<tr data-label=\"{}\"><td><b>{}</b></td><td>{}</td><td>{}</td><td>{}</td><td>{} / {} / {}</td></tr>",
        escape_html(label), escape_html(label), cell(json_member(stats, "count")),
        share(json_member(stats, "share")), cell(json_member(stats, "meaning")), time("p50"), time("p90"),
        time("p99"));
  }
  out +=
      "</table>\n<h2>Time to end, per label</h2>\n<p>From the request's start to the connection's end, in "
      "quarter decades (hover a bar for its range and count).</p>\n<table class=\"histograms\">";
  for (const auto& [label, histogram] : histograms)
    out += fmt::format("<tr><td><b>{}</b><br>{} entries</td><td>{}</td></tr>", escape_html(label),
                       histogram.count(), histogram.svg());
  return out + "</table>\n";
}

std::string verdicts_html(const json& doc) {
  if (!doc.contains("verdicts") || doc["verdicts"].empty()) return "";
  std::string out = fmt::format(
      "<h2>Verdicts</h2>\n<p>profile {}</p>\n<table class=\"verdicts\"><tr><th>target</th>"
      "<th>scenario</th><th>expected</th><th>observed</th><th>verdict</th><th>note</th></tr>",
      cell(json_member(doc, "profile")));
  for (const json& v : doc["verdicts"]) {
    const std::string verdict = v.value("verdict", "");
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
        cell(json_member(v, "target")), cell(json_member(v, "scenario")), cell(json_member(v, "expected")),
        cell(json_member(v, "observed")), verdict == "fail" ? "fail" : "pass", escape_html(verdict),
        cell(json_member(v, "note")));
  }
  return out + "</table>\n";
}

// Per target and scenario, the labels its verdict expected (absent: not judged).
using Expected = std::map<std::pair<std::string, std::string>, std::set<std::string>>;

Expected expected_labels(const json& doc) {
  Expected expected;
  if (!doc.contains("verdicts")) return expected;
  for (const json& v : doc["verdicts"]) {
    const json& labels = json_member(v, "expected");
    if (!labels.is_array()) continue;
    auto& set = expected[{v.value("target", ""), v.value("scenario", "")}];
    for (const json& label : labels)
      if (label.is_string()) set.insert(label.get<std::string>());
  }
  return expected;
}

// Outside its expectation: the connection's label or, over HTTP/2, any stream's.
bool is_unexpected_label(const Expected& expected, const ConnectionEvents& c) {
  const auto found = expected.find({c.target, c.scenario});
  if (found == expected.end()) return false;
  if (!found->second.contains(c.label)) return true;
  for (const auto& [stream, label] : c.stream_labels)
    if (!found->second.contains(label)) return true;
  return false;
}

// The entries of one HTTP/2 connection share its local and remote address and
// port and its start (a local port used again later starts later); an entry
// without a stream is a connection of its own (empty key).
std::string connection_key(const json& entry) {
  const json& h2 = json_member(entry, "http2");
  if (!h2.is_object() || !json_member(h2, "stream_id").is_number()) return {};
  const json& local = json_member(entry, "local");
  const json& remote = json_member(entry, "remote");
  const json& started = json_member(entry, "started_at");
  if (!local.is_object() || !remote.is_object() || !json_member(local, "port").is_number() ||
      !started.is_string())
    return {};
  return fmt::format("{} {} {}", local.dump(), remote.dump(), started.get<std::string>());
}

// Each stream's lane as a row the reader (and a test) can check against the JSON.
std::string streams_html(const ConnectionEvents& c, const std::vector<std::size_t>& entries) {
  if (c.streams.empty()) return "";
  const auto data_us = [](std::optional<std::int64_t> us) {
    return us ? std::to_string(*us) : std::string();
  };
  std::string out = "<ul class=\"streams\">";
  for (std::size_t i = 0; i < c.streams.size(); ++i) {
    const std::int64_t stream = c.streams[i];
    const auto label = c.stream_labels.find(stream);
    const std::string shown = label == c.stream_labels.end() ? std::string() : label->second;
    const auto first = event_time(c, "first byte", stream);
    const auto complete = event_time(c, "complete", stream);
    const auto reset = event_time(c, "RST_STREAM", stream);
    out += fmt::format(
        "<li data-stream=\"{}\" data-index=\"{}\" data-label=\"{}\" data-first-byte-us=\"{}\" "
        "data-complete-us=\"{}\" data-reset-us=\"{}\">stream {}: <b>{}</b>{}{}{}</li>",
        stream, i < entries.size() ? std::to_string(entries[i]) : std::string(), escape_html(shown),
        data_us(first), data_us(complete), data_us(reset), stream, escape_html(shown),
        first ? ", first byte " + escape_html(format_us(*first)) : "",
        complete ? ", complete " + escape_html(format_us(*complete)) : "",
        reset ? ", RST_STREAM " + escape_html(format_us(*reset)) : "");
  }
  return out + "</ul>";
}

// What the packets say of the connection; a disagreement stands out, with its reason.
std::string capture_html(const ConnectionEvents& c) {
  std::string out;
  for (const CaptureNote& note : c.captures) {
    const std::string ending = note.packet_ending.empty() ? "not in the capture" : note.packet_ending;
    const char* verdict = !note.agrees ? "not compared" : (*note.agrees ? "agrees" : "DISAGREES");
    out += fmt::format(
        "<p class=\"capture {}\" data-packet-ending=\"{}\" data-agrees=\"{}\">packets: ending "
        "<b>{}</b>, {} with the entry{}</p>",
        !note.agrees ? "uncompared" : (*note.agrees ? "agrees" : "disagrees"),
        escape_html(note.packet_ending), !note.agrees ? "null" : (*note.agrees ? "true" : "false"),
        escape_html(ending), verdict,
        note.why.empty() ? "" : ": <span class=\"why\">" + escape_html(note.why) + "</span>");
  }
  return out;
}

// Each real client's line as `termprobe clients` printed it: what the user's own client would say.
std::string clients_html(const ConnectionEvents& c) {
  if (c.clients.empty()) return "";
  std::string out =
      "<p>What each client made of the same request (through the relay):</p><ul class=\"clients\">";
  for (const ClientVerdict& client : c.clients)
    out += fmt::format("<li data-client=\"{}\" data-outcome=\"{}\"><code>{}</code></li>",
                       escape_html(client.client), escape_html(client.outcome),
                       escape_html(format_client_line(client)));
  return out + "</ul>";
}

// `entries`: the report's indexes of the connection's entries (one per stream over HTTP/2).
std::string connection_html(const std::vector<std::size_t>& entries, const ConnectionEvents& c,
                            bool is_unexpected) {
  const std::string ended = c.ended_us ? format_us(*c.ended_us) : "not timed";
  const std::size_t index = entries.front();
  const std::string streams =
      c.streams.size() > 1 ? fmt::format(" ({} streams)", c.streams.size()) : std::string();
  return fmt::format(
      "<section class=\"conn{}\" data-index=\"{}\" data-entries=\"{}\" data-label=\"{}\" "
      "data-ended-us=\"{}\">\n<h3>#{} {} {} #{}{}: <span class=\"label\">{}</span>{}, ended at <span "
      "class=\"ended\">{}</span></h3>\n{}{}\n{}\n{}<details><summary>events</summary><pre>{}</pre></details>"
      "</section>\n",
      is_unexpected ? " unexpected" : "", index, fmt::join(entries, " "), escape_html(c.label),
      c.ended_us ? std::to_string(*c.ended_us) : "", index, escape_html(c.target), escape_html(c.scenario),
      c.repeat, streams, escape_html(c.label), is_unexpected ? " (unexpected)" : "", escape_html(ended),
      capture_html(c), streams_html(c, entries), timeline_svg(c), clients_html(c),
      escape_html(format_event_lines(c)));
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

// What the first reading counts: every entry into the histograms, and each connection once.
struct Counts {
  std::map<std::string, EndTimeHistogram> histograms;
  std::map<std::string, std::size_t> streams_per_connection;  // HTTP/2 connections, by connection_key
  std::size_t connections = 0;
};

void count_entry(const json& entry, Counts& counts) {
  const std::string key = connection_key(entry);
  if (key.empty() || counts.streams_per_connection[key]++ == 0) ++counts.connections;
  const json ended = entry.value(json::json_pointer("/timings_us/ended"), json());
  const json label = entry.value(json::json_pointer("/outcome/label"), json());
  if (ended.is_number() && label.is_string())
    counts.histograms[label.get<std::string>()].add(ended.get<std::int64_t>());
}

}  // namespace

Result<void> write_html_report(std::istream& report, const std::string& path, const TextSink& sink,
                               const HtmlSampling& sampling) {
  Counts counts;
  auto document =
      read_report_without_results(report, path, [&](const json& entry) { count_entry(entry, counts); });
  if (!document) return tl::unexpected(document.error());
  const auto& streams_per_connection = counts.streams_per_connection;
  const std::size_t total = counts.connections;
  const Expected expected = expected_labels(*document);
  const bool sampled = total > sampling.draw_all_up_to;
  Drawn drawn;
  const auto draw = [&](const std::vector<std::size_t>& entries, const ConnectionEvents& c) {
    const bool is_unexpected = is_unexpected_label(expected, c);
    drawn.unexpected += is_unexpected;
    const bool by_label = drawn.per_label[c.label] < sampling.per_label;
    const bool as_unexpected = is_unexpected && drawn.unexpected_shown < sampling.unexpected_limit;
    if (sampled && !by_label && !as_unexpected) return;
    drawn.html += connection_html(entries, c, is_unexpected);
    ++drawn.shown;
    ++drawn.per_label[c.label];
    drawn.unexpected_shown += is_unexpected;
  };
  // An HTTP/2 connection is drawn once its last stream's entry was read;
  // only connections with streams still to come are held.
  struct Pending {
    std::vector<std::size_t> entries;
    ConnectionEvents events;
  };
  std::map<std::string, Pending> pending;
  std::size_t index = 0;
  report.clear();
  report.seekg(0);
  auto again = read_report_without_results(report, path, [&](const json& entry) {
    const std::string key = connection_key(entry);
    const std::size_t this_entry = index++;
    if (key.empty()) return draw({this_entry}, connection_events(entry));
    auto [found, first] = pending.try_emplace(key);
    Pending& connection = found->second;
    if (first)
      connection.events = connection_events(entry);
    else
      add_stream(connection.events, entry);
    connection.entries.push_back(this_entry);
    const auto counted = streams_per_connection.find(key);
    if (counted != streams_per_connection.end() && connection.entries.size() < counted->second) return;
    draw(connection.entries, connection.events);
    pending.erase(found);
  });
  if (!again) return tl::unexpected(again.error());
  // Streams counted by the first reading that the second did not find (the file changed): drawn as they are.
  for (const auto& [key, connection] : pending) draw(connection.entries, connection.events);
  const std::string pieces[] = {std::string(kHead),
                                parameters_html(*document),
                                summary_html(*document, counts.histograms),
                                verdicts_html(*document),
                                connections_heading(drawn, total, sampled, sampling),
                                std::move(drawn.html),
                                "</body></html>\n"};
  for (const std::string& piece : pieces)
    if (auto written = sink(piece); !written) return written;
  return {};
}

}  // namespace termprobe
