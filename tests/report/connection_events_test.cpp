// The events model read from report entries (JSON as results[] holds them):
// what -v prints and the HTML timeline draws.
#include "report/connection_events.h"

#include <gtest/gtest.h>

#include <sstream>

#include "report/event_lines.h"
#include "report/html_drawing.h"
#include "report/html_report.h"

namespace termprobe {
namespace {

using json = nlohmann::ordered_json;

json http1_reset_entry() {
  return json::parse(R"({
    "target": "http://127.0.0.1:8080/x", "scenario": "probe", "url": "http://127.0.0.1:8080/x?q=1", "repeat": 2,
    "local": {"address": "127.0.0.1", "port": 40000}, "remote": {"address": "127.0.0.1", "port": 8080},
    "request": {"method": "GET", "headers": [{"name": "Host", "value": "127.0.0.1:8080"},
                                             {"name": "Authorization", "value": "Bearer <redacted: 5 chars>"}],
                "head_bytes": 60, "head_complete": true, "bytes_sent": 60, "bytes_acked": 60, "body_bytes": 0,
                "body_bytes_sent": 0, "body_bytes_acked": 0, "complete": true},
    "response": {"status": 200, "http_version": "1.1", "bytes": 40, "body_bytes": 2,
                 "headers": {"server": "fixture", "connection": null, "keep-alive": null}},
    "ending": {"kind": "rst", "errno": 104, "error": "Connection reset by peer", "after_response_us": 300,
               "rst_after_fin_us": null},
    "timings_us": {"connect": 100, "tls": null, "request_sent": 150, "first_byte": 400, "response_complete": 450,
                   "ended": 750},
    "tls": null, "http2": null,
    "outcome": {"phase": "after_response", "ending": "rst", "label": "reset_after_response", "announced": false}
  })");
}

TEST(ConnectionEvents, Http1ResetAfterResponseInTimeOrderWithTheHeads) {
  const ConnectionEvents c = connection_events(http1_reset_entry());
  EXPECT_EQ(c.label, "reset_after_response");
  EXPECT_EQ(c.ended_us, 750);
  EXPECT_EQ(c.span_us, 750);
  EXPECT_TRUE(c.streams.empty());
  std::vector<std::string> marks;
  for (const auto& e : c.events) marks.push_back(e.mark);
  EXPECT_EQ(marks,
            (std::vector<std::string>{"connect", "request", "first byte", "complete", "RST", "label"}));
  EXPECT_EQ(c.events[0].text, "connected to 127.0.0.1:8080 from 127.0.0.1:40000");
  EXPECT_EQ(c.events[1].head, (std::vector<std::string>{"GET /x?q=1 HTTP/1.1", "Host: 127.0.0.1:8080",
                                                        "Authorization: Bearer <redacted: 5 chars>"}));
  EXPECT_EQ(c.events[2].text, "response head: HTTP/1.1 200");
  EXPECT_EQ(c.events[2].head, (std::vector<std::string>{"server: fixture"}));
  EXPECT_EQ(c.events[4].text, "RST from the server, 300 µs after the response (Connection reset by peer)");
  EXPECT_TRUE(c.events[4].ending);
  EXPECT_FALSE(c.events[5].at_us);
}

TEST(ConnectionEvents, LinesAreMarkedAsCurlMarksThem) {
  const std::string lines = format_event_lines(connection_events(http1_reset_entry()));
  EXPECT_NE(lines.find("* connection to http://127.0.0.1:8080/x (probe #2):\n"), std::string::npos);
  EXPECT_NE(lines.find("*       100 µs connected to 127.0.0.1:8080"), std::string::npos);
  EXPECT_NE(lines.find("> GET /x?q=1 HTTP/1.1\n"), std::string::npos);
  EXPECT_NE(lines.find("< server: fixture\n"), std::string::npos);
  EXPECT_NE(lines.find("<       750 µs RST from the server"), std::string::npos);
}

TEST(ConnectionEvents, AKeptResponseHeadIsPrintedAsReceivedWithItsCut) {
  json entry = http1_reset_entry();
  entry["response"]["head"] = json::parse(R"({"lines": ["HTTP/1.1 200 OK", "Server: fixture",
    "Set-Cookie: <redacted: 5 chars>"], "cut_at": null})");
  const ConnectionEvents c = connection_events(entry);
  EXPECT_EQ(c.events[2].text, "response head: HTTP/1.1 200");
  EXPECT_EQ(c.events[2].head, (std::vector<std::string>{"HTTP/1.1 200 OK", "Server: fixture",
                                                        "Set-Cookie: <redacted: 5 chars>"}));
  entry["response"]["head"]["cut_at"] = 16384;
  const std::string lines = format_event_lines(connection_events(entry));
  EXPECT_NE(lines.find("< HTTP/1.1 200 OK\n< Server: fixture\n< Set-Cookie: <redacted: 5 chars>\n"
                       "< (head cut at 16384 bytes)\n"),
            std::string::npos)
      << lines;
}

TEST(ConnectionEvents, Http2StreamEventsGoOnTheStreamsLane) {
  json entry = http1_reset_entry();
  entry["response"]["http_version"] = "2";
  entry["ending"]["kind"] = "fin";
  entry["http2"] = json::parse(R"({"stream_id": 1, "reset": {"code": 2, "name": "INTERNAL_ERROR",
    "when": "mid_response", "body_bytes_before": 5, "at_us": 420}, "refused_by_goaway": false,
    "goaways": [{"last_stream_id": 1, "code": 0, "name": "NO_ERROR", "debug": null, "at_us": 500}]})");
  const ConnectionEvents c = connection_events(entry);
  EXPECT_EQ(c.streams, (std::vector<std::int64_t>{1}));
  const auto find = [&](std::string_view mark) {
    for (const auto& e : c.events)
      if (e.mark == mark) return e;
    return ConnectionEvent{};
  };
  EXPECT_EQ(find("RST_STREAM").stream_id, 1);
  EXPECT_EQ(find("RST_STREAM").text,
            "RST_STREAM INTERNAL_ERROR (2) on stream 1 mid_response, 5 DATA bytes before");
  EXPECT_EQ(find("GOAWAY").stream_id, 0);
  EXPECT_EQ(find("GOAWAY").at_us, 500);
  EXPECT_EQ(find("request").stream_id, 1);
  EXPECT_EQ(find("connect").stream_id, 0);
}

json http2_stream_entry(std::int64_t stream, const char* started_at) {
  json entry = http1_reset_entry();
  entry["started_at"] = started_at;
  entry["response"]["http_version"] = "2";
  entry["http2"] = {
      {"stream_id", stream}, {"reset", nullptr}, {"refused_by_goaway", false}, {"goaways", json::array()}};
  entry["timings_us"]["first_byte"] = 400 + stream;
  entry["timings_us"]["response_complete"] = 450 + stream;
  return entry;
}

std::string page_of(const json& report) {
  std::istringstream input(report.dump());
  std::string page;
  EXPECT_TRUE(write_html_report(input, "r.json", [&](std::string_view piece) -> Result<void> {
    page += piece;
    return {};
  }));
  return page;
}

std::size_t count_of(const std::string& page, std::string_view what) {
  std::size_t n = 0;
  for (auto at = page.find(what); at != std::string::npos; at = page.find(what, at + 1)) ++n;
  return n;
}

TEST(ConnectionEvents, AnotherStreamAddsItsLaneAndLabelNotTheConnectionsEvents) {
  ConnectionEvents c = connection_events(http2_stream_entry(1, "2026-12-07T04:00:00.000001Z"));
  json second = http2_stream_entry(3, "2026-12-07T04:00:00.000001Z");
  second["outcome"]["label"] = "stream_reset";
  add_stream(c, second);
  EXPECT_EQ(c.streams, (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(c.stream_labels.at(3), "stream_reset");
  EXPECT_NE(format_event_lines(c).find("[stream 3] label stream_reset: "), std::string::npos);
  EXPECT_EQ(event_time(c, "complete", 3), 453);
  EXPECT_EQ(event_time(c, "complete", 1), 451);
  std::size_t connects = 0;
  for (const auto& e : c.events) connects += e.mark == "connect";
  EXPECT_EQ(connects, 1u);
}

TEST(HtmlReport, OneHttp2ConnectionIsOneTimelineWithALanePerStream) {
  json report =
      json::parse(R"({"schema_version": 4, "results": [], "summary": {"total": 4, "by_label": {}}})");
  const char* start = "2026-12-07T04:00:00.000001Z";
  for (std::int64_t stream : {1, 3, 5}) report["results"].push_back(http2_stream_entry(stream, start));
  // The same local port used again by a later connection: a timeline of its own.
  report["results"].push_back(http2_stream_entry(1, "2026-12-07T04:00:01.000001Z"));
  const std::string page = page_of(report);
  EXPECT_EQ(count_of(page, "<section class=\"conn"), 2u);
  EXPECT_NE(page.find("data-shown=\"2\" data-total=\"2\""), std::string::npos);
  EXPECT_NE(page.find("data-entries=\"0 1 2\""), std::string::npos);
  EXPECT_EQ(count_of(page, "<li data-stream="), 4u);
  EXPECT_NE(page.find("<li data-stream=\"5\" data-index=\"2\" data-label=\"reset_after_response\" "
                      "data-first-byte-us=\"405\" data-complete-us=\"455\""),
            std::string::npos);
}

TEST(HtmlReport, ACaptureThatDisagreesIsMarkedWithItsReason) {
  json report = json::parse(R"({"schema_version": 4, "results": [], "summary": {"total": 1, "by_label": {},
    "capture": {"file": "run.pcap", "interface": "lo", "filter": "tcp", "packets": 9, "dropped": 0,
                "compared": 1, "disagreements": 1, "not_compared": 0}}})");
  json entry = http1_reset_entry();
  entry["capture"] = {{"found", true},
                      {"packet_ending", "fin"},
                      {"agrees", false},
                      {"why", "the entry says rst, the packets say fin"}};
  report["results"].push_back(entry);
  const std::string page = page_of(report);
  EXPECT_NE(page.find("<p class=\"capture disagrees\" data-packet-ending=\"fin\" data-agrees=\"false\">"),
            std::string::npos);
  EXPECT_NE(page.find("the entry says rst, the packets say fin"), std::string::npos);
  EXPECT_NE(page.find("<span class=\"disagreements fail\">1</span>"), std::string::npos);
}

TEST(ConnectionEvents, ARefusedConnectionHasItsFailureAndLabelOnly) {
  const json entry =
      json::parse(R"({"target": "t", "scenario": "probe", "url": "http://127.0.0.1:1/", "repeat": 0,
    "request": {"headers": null}, "response": {"status": null}, "ending": {"kind": "refused", "error": "Connection refused"},
    "timings_us": {"connect": null, "ended": 80}, "tls": null, "http2": null, "outcome": {"label": "connect_failed"}})");
  const ConnectionEvents c = connection_events(entry);
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.events[0].text, "connection refused (Connection refused)");
  EXPECT_EQ(c.events[1].mark, "label");
}

TEST(HtmlDrawing, EscapesMarkupAndQuotes) {
  EXPECT_EQ(escape_html(R"(<a href="x">'&')"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;");
}

TEST(HtmlReport, PastTheLimitDrawsTheFirstOfEachLabelAndEveryUnexpectedOne) {
  json report = json::parse(R"({"schema_version": 4, "results": [], "summary": {"total": 0, "by_label": {}},
    "verdicts": [{"target": "http://127.0.0.1:8080/x", "scenario": "probe", "expected": ["keepalive"],
                  "verdict": "fail"}]})");
  for (int i = 0; i < 10; ++i) report["results"].push_back(http1_reset_entry());  // all unexpected
  json keepalive = http1_reset_entry();
  keepalive["outcome"]["label"] = "keepalive";
  for (int i = 0; i < 10; ++i) report["results"].push_back(keepalive);
  std::istringstream input(report.dump());
  std::string page;
  const HtmlSampling sampling{.draw_all_up_to = 5, .per_label = 2, .unexpected_limit = 4};
  ASSERT_TRUE(write_html_report(
      input, "r.json",
      [&](std::string_view piece) -> Result<void> {
        page += piece;
        return {};
      },
      sampling));
  std::size_t drawn = 0;
  for (auto at = page.find("<section class=\"conn"); at != std::string::npos;
       at = page.find("<section class=\"conn", at + 1))
    ++drawn;
  EXPECT_EQ(drawn, 6u);  // 4 unexpected (the limit) + the first 2 keepalive
  EXPECT_NE(page.find("data-shown=\"6\" data-total=\"20\""), std::string::npos);
  EXPECT_NE(page.find("(outside its expectation; 4 of 10 drawn, at most 4)"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace termprobe
