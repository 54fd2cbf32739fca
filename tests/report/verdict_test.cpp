#include "report/verdict.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "report/profile.h"
#include "report/report.h"
#include "report/summary_text.h"
#include "report/verdict_table.h"

namespace termprobe {
namespace {

ReportEntry entry(const std::string& scenario, Label label) {
  ReportEntry e;
  e.scenario = scenario;
  e.outcome.label = label;
  return e;
}

// An https connection whose TLS session the server ended as `ending` (a tls_ending() kind).
ReportEntry tls_entry(const std::string& scenario, Label label, std::string_view ending) {
  ReportEntry e = entry(scenario, label);
  e.observation.tls = true;
  e.observation.tls_established = true;
  e.outcome.tls_ending = ending;
  return e;
}

// An HTTP/2 stream the server reset with code at `when`.
ReportEntry h2_reset_entry(const std::string& scenario, std::string code_name, std::string when) {
  ReportEntry e = entry(scenario, Label::stream_reset);
  e.observation.http2.emplace();
  e.observation.http2->reset = Http2Reset{0, std::move(code_name), std::move(when)};
  return e;
}

ReportTally tally_of(const std::vector<ReportEntry>& entries) {
  ReportTally tally;
  for (const auto& e : entries) tally.add(e);
  return tally;
}

Profile profile() {
  Profile p;
  p.name = "test";
  p.scenarios["reset"] = Expectation{std::set<Label>{Label::reset_before_response, Label::empty_reply}, ""};
  p.scenarios["ok"] = Expectation{std::set<Label>{Label::keepalive}, ""};
  p.scenarios["cancel-io-send"] = Expectation{std::nullopt, "unverified"};
  return p;
}

TEST(Verdict, EveryObservedLabelMustBeExpected) {
  const std::vector<ReportEntry> results = {entry("reset", Label::reset_before_response),
                                            entry("reset", Label::empty_reply), entry("ok", Label::keepalive),
                                            entry("ok", Label::reset_after_response),
                                            entry("cancel-io-send", Label::keepalive)};
  const auto verdicts =
      judge(profile(), {"reset", "ok", "cancel-io-send", "reset-continue"}, tally_of(results));
  ASSERT_EQ(verdicts.size(), 4u);
  EXPECT_EQ(verdicts[0].verdict, Verdict::pass);
  EXPECT_EQ(verdicts[1].verdict, Verdict::fail);
  EXPECT_EQ(verdicts[1].observed.at(Label::reset_after_response), 1u);
  EXPECT_EQ(verdicts[2].verdict, Verdict::unverified);
  EXPECT_EQ(verdicts[3].verdict, Verdict::unverified) << "a scenario the profile does not mention";
  EXPECT_FALSE(all_held(verdicts));
}

TEST(Verdict, NothingObservedIsNotAPass) {
  const auto verdicts = judge(profile(), {"ok"}, ReportTally{});
  EXPECT_EQ(verdicts[0].verdict, Verdict::fail);
}

TEST(Verdict, UnverifiedDoesNotFailTheRun) {
  const auto verdicts =
      judge(profile(), {"cancel-io-send"}, tally_of({entry("cancel-io-send", Label::reset_mid_response)}));
  EXPECT_TRUE(all_held(verdicts));
}

Profile profile_with_tls() {
  Profile p = profile();
  p.scenarios["need-disconnect"] = Expectation{std::set<Label>{Label::close_after_response}, "plain"};
  p.tls_scenarios["need-disconnect"] = Expectation{std::set<Label>{Label::close_after_response}, "over TLS",
                                                   std::set<std::string>{"close_notify_then_fin"}};
  return p;
}

TEST(Verdict, OverTlsTheTlsExpectationJudgesTheEndingToo) {
  const auto clean = tls_entry("need-disconnect", Label::close_after_response, "close_notify_then_fin");
  const auto bare = tls_entry("need-disconnect", Label::close_after_response, "fin_without_close_notify");
  const auto passed = judge(profile_with_tls(), {"need-disconnect"}, tally_of({clean, clean}));
  EXPECT_EQ(passed[0].verdict, Verdict::pass);
  EXPECT_TRUE(passed[0].tls);
  EXPECT_EQ(passed[0].note, "over TLS");
  EXPECT_EQ(passed[0].observed_tls_endings,
            (std::map<std::string, std::size_t>{{"close_notify_then_fin", 2}}));
  const auto failed = judge(profile_with_tls(), {"need-disconnect"}, tally_of({clean, bare}));
  EXPECT_EQ(failed[0].verdict, Verdict::fail) << "a FIN without close_notify is not the expected ending";
  EXPECT_EQ(failed[0].observed.at(Label::close_after_response), 2u) << "the labels alone would pass";
}

TEST(Verdict, PlainHttpIgnoresTheTlsExpectation) {
  const auto verdicts = judge(profile_with_tls(), {"need-disconnect"},
                              tally_of({entry("need-disconnect", Label::close_after_response)}));
  EXPECT_EQ(verdicts[0].verdict, Verdict::pass);
  EXPECT_FALSE(verdicts[0].tls);
  EXPECT_FALSE(verdicts[0].expected_tls_endings);
  EXPECT_EQ(verdicts[0].note, "plain");
}

TEST(Verdict, OverTlsAScenarioWithoutATlsPartIsJudgedByItsLabels) {
  const auto verdicts = judge(profile_with_tls(), {"reset"},
                              tally_of({tls_entry("reset", Label::reset_before_response, "rst")}));
  EXPECT_EQ(verdicts[0].verdict, Verdict::pass);
  EXPECT_TRUE(verdicts[0].tls);
  EXPECT_FALSE(verdicts[0].expected_tls_endings);
}

Profile profile_with_http2() {
  Profile p = profile();
  p.http2_scenarios["reset"] =
      Expectation{std::set<Label>{Label::stream_reset}, "over HTTP/2", std::nullopt,
                  std::set<std::string>{"RST_STREAM(INTERNAL_ERROR) before_headers"}};
  return p;
}

TEST(Verdict, OverHttp2TheHttp2ExpectationJudgesTheStreamEndingToo) {
  const auto right = h2_reset_entry("reset", "INTERNAL_ERROR", "before_headers");
  const auto late = h2_reset_entry("reset", "INTERNAL_ERROR", "after_headers");
  const auto passed = judge(profile_with_http2(), {"reset"}, tally_of({right, right}));
  EXPECT_EQ(passed[0].verdict, Verdict::pass);
  EXPECT_TRUE(passed[0].http2);
  EXPECT_EQ(passed[0].observed_http2_endings,
            (std::map<std::string, std::size_t>{{"RST_STREAM(INTERNAL_ERROR) before_headers", 2}}));
  EXPECT_EQ(judge(profile_with_http2(), {"reset"}, tally_of({right, late}))[0].verdict, Verdict::fail);
  const auto other_code = h2_reset_entry("reset", "CANCEL", "before_headers");
  EXPECT_EQ(judge(profile_with_http2(), {"reset"}, tally_of({other_code}))[0].verdict, Verdict::fail);
}

TEST(Verdict, Http1IgnoresTheHttp2Expectation) {
  const auto verdicts =
      judge(profile_with_http2(), {"reset"}, tally_of({entry("reset", Label::reset_before_response)}));
  EXPECT_EQ(verdicts[0].verdict, Verdict::pass);
  EXPECT_FALSE(verdicts[0].http2);
  EXPECT_FALSE(verdicts[0].expected_http2_endings);
}

TEST(VerdictTable, OverTlsShowsTheTlsEnding) {
  const auto verdicts =
      judge(profile_with_tls(), {"need-disconnect"},
            tally_of({tls_entry("need-disconnect", Label::close_after_response, "close_notify_then_fin")}));
  EXPECT_EQ(format_verdict_table(verdicts),
            "scenario         expected                                         observed"
            "                                               verdict\n"
            "need-disconnect  close_after_response, tls close_notify_then_fin  close_after_response x1; tls "
            "close_notify_then_fin x1  pass\n");
}

TEST(VerdictTable, ShowsExpectedObservedWithCountsAndVerdict) {
  const auto verdicts = judge(
      profile(), {"reset", "cancel-io-send"},
      tally_of({entry("reset", Label::reset_before_response), entry("reset", Label::reset_before_response),
                entry("cancel-io-send", Label::keepalive)}));
  EXPECT_EQ(format_verdict_table(verdicts),
            "scenario        expected                           observed                  verdict\n"
            "reset           reset_before_response|empty_reply  reset_before_response x2  pass\n"
            "cancel-io-send  unverified                         keepalive x1              unverified\n");
}

ReportEntry status_entry(const std::string& scenario, Label label, int status) {
  ReportEntry e = entry(scenario, label);
  e.observation.status = status;
  return e;
}

Expectation expect_labels(const std::vector<std::string>& texts) {
  Expectation expectation;
  std::set<Label> labels;
  for (const auto& text : texts) EXPECT_TRUE(add_expected_label(text, labels, expectation.statuses));
  expectation.labels = labels;
  return expectation;
}

TEST(Verdict, AStatusInTheExpectationFailsAnyOtherStatus) {
  Profile p;
  p.scenarios["ok"] = expect_labels({"keepalive/200"});
  p.scenarios["any"] = expect_labels({"keepalive"});
  const auto verdicts =
      judge(p, {"ok", "any"},
            tally_of({status_entry("ok", Label::keepalive, 200), status_entry("ok", Label::keepalive, 502),
                      status_entry("any", Label::keepalive, 502)}));
  EXPECT_EQ(verdicts[0].verdict, Verdict::fail) << "a 502 with the right label";
  EXPECT_EQ(verdicts[1].verdict, Verdict::pass) << "no status expected: any";
  EXPECT_EQ(format_verdict_table(verdicts),
            "scenario  expected       observed                            verdict\n"
            "ok        keepalive/200  keepalive/200 x1, keepalive/502 x1  fail\n"
            "any       keepalive      keepalive/502 x1                    pass\n");
  const auto held = judge(p, {"ok"}, tally_of({status_entry("ok", Label::keepalive, 200)}));
  EXPECT_EQ(held[0].verdict, Verdict::pass);
}

ReportEntry idle_entry(StreamEnd end, std::int64_t after_us) {
  ReportEntry e = entry("idle", end == StreamEnd::open ? Label::keepalive : Label::close_after_response);
  e.observation.response_complete = true;
  e.observation.end = end;
  e.observation.timings.response_complete_us = 1000;
  e.observation.timings.ended_us = 1000 + after_us;
  return e;
}

Profile idle_profile(const std::string& text) {
  Profile p;
  p.scenarios["idle"].idle = *parse_idle_expectation(text);
  return p;
}

TEST(Verdict, AnIdleEntryIsJudgedByHowAndWhenTheIdleConnectionEnded) {
  const auto within =
      judge(idle_profile("close:0.8-1.5"), {"idle"},
            tally_of({idle_entry(StreamEnd::fin, 900'000), idle_entry(StreamEnd::rst, 1'500'000)}));
  EXPECT_EQ(within[0].verdict, Verdict::pass);
  EXPECT_EQ(format_verdict_table(within),
            "scenario  expected         observed                                   verdict\n"
            "idle      close 0.8-1.5 s  fin after 900 ms x1, rst after 1500 ms x1  pass\n");
  const auto late =
      judge(idle_profile("close:0.8-1.5"), {"idle"},
            tally_of({idle_entry(StreamEnd::fin, 1'000'000), idle_entry(StreamEnd::fin, 1'600'000)}));
  EXPECT_EQ(late[0].verdict, Verdict::fail) << "one close after the window";
  EXPECT_EQ(observed_text(late[0]), "fin after 1000-1600 ms x2");
  const auto early =
      judge(idle_profile("fin:0.8-1.5"), {"idle"}, tally_of({idle_entry(StreamEnd::fin, 799'000)}));
  EXPECT_EQ(early[0].verdict, Verdict::fail);
  const auto rst = judge(idle_profile("fin"), {"idle"}, tally_of({idle_entry(StreamEnd::rst, 1'000'000)}));
  EXPECT_EQ(rst[0].verdict, Verdict::fail) << "an RST is not the FIN expected";
  const auto open =
      judge(idle_profile("close:0.8-1.5"), {"idle"}, tally_of({idle_entry(StreamEnd::open, 2'000'000)}));
  EXPECT_EQ(open[0].verdict, Verdict::fail) << "still open at --max is no close";
  EXPECT_EQ(
      judge(idle_profile("open"), {"idle"}, tally_of({idle_entry(StreamEnd::open, 2'000'000)}))[0].verdict,
      Verdict::pass);
  ReportEntry refused = entry("idle", Label::connect_failed);
  const auto unreachable = judge(idle_profile("open"), {"idle"}, tally_of({refused}));
  EXPECT_EQ(unreachable[0].verdict, Verdict::fail) << "no response is neither open nor closed";
  EXPECT_EQ(observed_text(unreachable[0]), "no response x1; connect_failed x1");
}

ReportEntry reuse_entry(std::string_view outcome) {
  ReportEntry e = entry("reuse", outcome == "answered" ? Label::keepalive : Label::reset_before_response);
  e.observation.reused = true;
  e.outcome.reuse = outcome;
  return e;
}

TEST(Verdict, AReuseEntryIsJudgedByWhatTheSecondRequestGot) {
  Profile p;
  p.scenarios["reuse"].reuse = std::set<std::string>{"answered"};
  EXPECT_EQ(judge(p, {"reuse"}, tally_of({reuse_entry("answered"), reuse_entry("answered")}))[0].verdict,
            Verdict::pass);
  const auto reset = judge(p, {"reuse"}, tally_of({reuse_entry("answered"), reuse_entry("reset")}));
  EXPECT_EQ(reset[0].verdict, Verdict::fail);
  EXPECT_EQ(format_verdict_table(reset),
            "scenario  expected  observed               verdict\n"
            "reuse     answered  answered x1, reset x1  fail\n");
  const auto first_failed =
      judge(p, {"reuse"}, tally_of({reuse_entry("answered"), entry("reuse", Label::connect_failed)}));
  EXPECT_EQ(first_failed[0].verdict, Verdict::fail) << "a connection that never got to its second request";
  EXPECT_EQ(observed_text(first_failed[0]), "answered x1, first request failed x1");
}

TEST(VerdictTable, TheLabelsToExplainAreTheOnesItsRowsName) {
  const auto verdicts = judge(
      profile(), {"reset", "ok", "cancel-io-send"},
      tally_of({entry("ok", Label::reset_after_response), entry("cancel-io-send", Label::upload_aborted)}));
  const std::set<Label> named = labels_named(verdicts);
  EXPECT_EQ(named, (std::set<Label>{Label::reset_before_response, Label::empty_reply, Label::keepalive,
                                    Label::reset_after_response, Label::upload_aborted}));
  const std::string meanings = format_label_meanings(named);
  for (const Label label : named) {
    const std::string line =
        "  " + std::string(to_string(label)) + ": " + std::string(label_meaning(label)) + "\n";
    EXPECT_NE(meanings.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(std::count(meanings.begin(), meanings.end(), '\n'), 5);
  EXPECT_EQ(format_label_meanings({}), "");
}

TEST(SummaryLine, SaysRequestsOnConnectionsWhenHttp2CarriedSeveralStreamsOnOne) {
  Report report;
  report.requested = 4;
  for (bool opens : {true, false, true, false}) {
    ReportEntry stream = entry("ok", Label::keepalive);
    stream.observation.opens_connection = opens;
    report.tally.add(stream);
  }
  EXPECT_EQ(format_summary_line(report), "4 of 4 request(s) on 2 connection(s), keepalive 4");
  Report one_each;
  one_each.requested = 3;
  one_each.tally = tally_of({entry("ok", Label::keepalive), entry("ok", Label::keepalive)});
  EXPECT_EQ(format_summary_line(one_each), "2 of 3 connection(s), keepalive 2");
}

TEST(SummaryLine, PaceIsElapsedTimeAndConnectionsPerSecond) {
  using std::chrono::milliseconds;
  EXPECT_EQ(format_pace(milliseconds(84), 1), " in 84 ms, 11.9 connections/s");
  EXPECT_EQ(format_pace(milliseconds(2310), 100), " in 2.31 s, 43.3 connections/s");
  EXPECT_EQ(format_pace(milliseconds(0), 0), " in 0 ms");
}

TEST(EntryLine, SaysWhenTheServerDeclinedTheOfferedH2) {
  ReportEntry e = tls_entry("probe", Label::keepalive, "open");
  e.observation.connected = true;
  e.observation.status = 200;
  e.observation.tls_facts.version = "TLSv1.2";
  e.observation.tls_facts.alpn_offered = {"h2", "http/1.1"};
  e.observation.tls_facts.alpn = "http/1.1";
  EXPECT_NE(format_entry_line(1, e).find("TLSv1.2 (h2 declined, ALPN http/1.1)"), std::string::npos);
  e.observation.tls_facts.alpn.clear();
  EXPECT_NE(format_entry_line(1, e).find("TLSv1.2 (h2 declined, ALPN none)"), std::string::npos);
  e.observation.tls_facts.alpn = "h2";
  EXPECT_EQ(format_entry_line(1, e).find("declined"), std::string::npos);
  e.observation.tls_facts.alpn_offered = {"http/1.1"};  // plain HTTP/1.1 over TLS: nothing declined
  e.observation.tls_facts.alpn = "http/1.1";
  EXPECT_EQ(format_entry_line(1, e).find("declined"), std::string::npos);
}

}  // namespace
}  // namespace termprobe
