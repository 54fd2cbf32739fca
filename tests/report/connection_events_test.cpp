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
