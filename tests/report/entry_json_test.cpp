// The direct entry writer against the DOM it replaced: every byte the same,
// pretty (as nested in a report) and compact (ndjson).
#include "report/entry_json.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "probes/classifier.h"
#include "report_dom_oracle.h"

namespace termprobe {
namespace {

using json = nlohmann::ordered_json;

std::string pretty(const ReportEntry& entry, int depth = kEntryDepth) {
  std::string text;
  JsonTextWriter writer = JsonTextWriter::indented(text, depth);
  write_entry_json(writer, entry);
  return text;
}

std::string compact(const ReportEntry& entry) {
  std::string text;
  JsonTextWriter writer = JsonTextWriter::compact(text);
  write_entry_json(writer, entry);
  return text;
}

void expect_same_bytes(const ReportEntry& entry,
                       json::error_handler_t on_bad_utf8 = json::error_handler_t::strict) {
  const json dom = oracle::entry_dom(entry);
  EXPECT_EQ(pretty(entry), oracle::nested_dump(dom, kEntryDepth, on_bad_utf8));
  EXPECT_EQ(compact(entry), dom.dump(-1, ' ', false, on_bad_utf8));
}

// Every field set, with values at the edges of their types.
ReportEntry everything_set() {
  Observation o;
  o.local = {"2001:db8::dead:beef", 65535};
  o.remote = {"fe80::1%eth0", 1};
  o.connected = o.tls = o.tls_established = true;
  o.method = "PROPFIND";
  o.request_headers = std::make_shared<const std::vector<HeaderField>>(
      std::vector<HeaderField>{{"Host", "[::1]:8080"}, {"X-Quote", "\"\\\x01\xC3\xA9"}, {"Empty", ""}});
  o.head_bytes = 120;
  o.head_complete = o.request_complete = true;
  o.request_bytes_sent = std::numeric_limits<std::int64_t>::max();
  o.request_bytes_acked = 50;  // fewer than the head: body_bytes_acked clamps to 0
  o.body_bytes_total = o.body_bytes_sent = 1 << 20;
  o.status = 599;
  o.interim_responses = 2;
  o.http_version = 10;
  o.response_bytes = o.final_response_bytes = o.header_bytes = o.body_bytes = 7;
  o.wire_bytes_received = 0;
  o.declared_length = std::numeric_limits<std::int64_t>::min();
  o.chunked = o.close_delimited = o.response_complete = o.connection_close = true;
  o.parse_error = "bad \"chunk\" size \\ here";
  o.first_bytes_hex = "485454502f312e31";
  o.bytes_after_response = 3;
  o.module = "termprobe-module/1 (\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80)";
  o.response_headers = {"nginx/1.22.1 \"q\"", "", "timeout=5, max=\x01"};
  o.end = StreamEnd::rst;
  o.end_errno = -104;
  o.error = "ctl \x01\x02\x07\b\t\n\v\f\r\x1b\x1f\x7f end";
  o.rst_after_fin_us = 0;
  o.fin_watch_us = 100000;
  o.watch_cut_short = o.interrupted = o.reused = true;
  o.reuse_idle_us = 5000000;
  o.closed_before_reuse = StreamEnd::fin;
  o.closed_before_reuse_us = 4999999;
  o.timings = {1, 2, 3, 4, 5, 6, 7};
  o.tls_facts.version = "TLSv1.3";
  o.tls_facts.cipher = "TLS_AES_256_GCM_SHA384";
  o.tls_facts.alpn_offered = {"h2", "http/1.1"};
  o.tls_facts.alpn = "http/1.1";
  o.tls_facts.resumed = o.tls_facts.verified = true;
  o.tls_facts.certificate_subject = "CN=\"quoted\",O=Ã©";
  o.tls_facts.certificate_issuer = "CN=termprobe test CA";
  o.tls_facts.certificate_not_after = "2027-01-31T12:00:00Z";
  o.tls_facts.name_matched = false;
  o.tls_facts.verify_result = "ok";
  o.tls_facts.close_notify_us = 2;
  o.tls_facts.alert = TlsAlert{true, 20, "bad_record_mac", 7};
  o.tls_facts.bytes_after_close_notify = 31;
  o.tls_facts.local_error = "decryption failed or bad record mac";
  o.tls_facts.failure_kind = "alert";
  o.tls_facts.failure = "the server sent alert handshake_failure";
  Http2Facts h2;
  h2.stream_id = 2147483647;
  h2.streams_on_connection = 3;
  h2.end_stream = true;
  h2.reset = Http2Reset{4369, "0x1111", "mid_data", 50, 9};
  h2.refused_by_goaway = true;
  h2.goaways = {{2147483647, 0, "NO_ERROR", "", 1}, {1, 11, "ENHANCE_YOUR_CALM", "bye \x01\"\xC3\xA9", 2}};
  h2.goaways_total = 100000;  // the first and the latest kept (the writer takes them as they are)
  h2.goaways_dropped = 99998;
  h2.settings = {{"MAX_CONCURRENT_STREAMS", 128}, {"0x10", 4294967295u}};
  h2.local_error = "would have reset";
  o.http2 = h2;
  Outcome outcome{Phase::upload, StreamEnd::rst, Label::upload_aborted,   true,
                  true,          "reset",        "close_notify_then_rst", true};
  return {"http://[::1]:8080",
          "reuse after 5000 ms",
          "http://[::1]:8080/a?b=\"c\"&d=\\e",
          std::numeric_limits<std::size_t>::max(),
          o,
          outcome,
          nullptr,
          std::nullopt};
}

TEST(EntryJson, NothingSetIsNullsAndZeros) { expect_same_bytes(ReportEntry{}); }

TEST(EntryJson, ClientVerdictsAreWrittenAsTheOracleLaysThemOut) {
  ReportEntry entry = everything_set();
  ClientVerdict failed{"python-requests",
                       "2.28.1",
                       "error",
                       200,
                       false,
                       ClientError{"requests.exceptions.ChunkedEncodingError",
                                   "Connection broken: \"x\"",
                                   {"urllib3.exceptions.ProtocolError: a", "ConnectionResetError: b"}},
                       1,
                       1,
                       {ClientWire{"reset_mid_response", StreamEnd::rst, false, 78, 90, 1}}};
  ClientVerdict missing{"go",
                        "",
                        "unavailable",
                        std::nullopt,
                        std::nullopt,
                        ClientError{"unavailable", "go is not installed (apt install golang-go)", {}},
                        0,
                        std::nullopt,
                        {}};
  ClientVerdict tls{"curl",
                    "7.88.1",
                    "response",
                    200,
                    true,
                    std::nullopt,
                    2,
                    std::nullopt,
                    {ClientWire{"", StreamEnd::open, true, 500, 4000, std::nullopt},
                     ClientWire{"", StreamEnd::fin, false, 10, 20, std::nullopt}}};
  entry.clients =
      std::make_shared<const std::vector<ClientVerdict>>(std::vector<ClientVerdict>{failed, missing, tls});
  expect_same_bytes(entry);
}

TEST(EntryJson, EverythingSet) { expect_same_bytes(everything_set()); }

TEST(EntryJson, Http2WithNothingReceived) {
  ReportEntry entry = everything_set();
  entry.observation.http2 = Http2Facts{};
  entry.observation.http_version = 20;
  expect_same_bytes(entry);
}

TEST(EntryJson, EveryLabelPhaseAndEnding) {
  ReportEntry entry = everything_set();
  for (int label = 0; label <= static_cast<int>(Label::error); ++label) {
    entry.outcome.label = static_cast<Label>(label);
    expect_same_bytes(entry);
  }
  for (int phase = 0; phase <= static_cast<int>(Phase::after_response); ++phase) {
    entry.outcome.phase = static_cast<Phase>(phase);
    expect_same_bytes(entry);
  }
  for (int end = 0; end <= static_cast<int>(StreamEnd::error); ++end) {
    entry.observation.end = entry.observation.closed_before_reuse = static_cast<StreamEnd>(end);
    expect_same_bytes(entry);
  }
}

// Every control character, both escape forms, and each UTF-8 length.
TEST(EntryJson, StringEscapes) {
  ReportEntry entry;
  for (int c = 0; c < 0x80; ++c) {
    entry.observation.error = std::string("<") + static_cast<char>(c) + ">";
    expect_same_bytes(entry);
  }
  entry.target = "\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF";
  expect_same_bytes(entry);
}

// Where nlohmann would throw, the writer replaces as its replace handler does.
TEST(EntryJson, BrokenUtf8BecomesReplacementCharacters) {
  ReportEntry entry;
  for (const char* bad :
       {"\x80", "a\xC3", "\xC3(", "\xC0\x80", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF5",
        "\xFF\xFE", "\xE2\x82", "\xF0\x9F\x98", "\xF0\x9F\x98x", "\xE2\x28\xA1"}) {
    entry.observation.module = bad;
    entry.observation.response_headers.server = bad;  // a server's Latin-1 bytes, say
    expect_same_bytes(entry, json::error_handler_t::replace);
  }
}

std::string random_text(std::mt19937& random) {
  static constexpr char kPieces[][5] = {
      "a",    "\"",   "\\",       "\n",       "\x01", "\x7f", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
      "\xC3", "\x80", "\xED\xA0", "\xF4\x90", "/",    " "};
  std::string text;
  for (auto n = random() % 8; n > 0; --n) text += kPieces[random() % std::size(kPieces)];
  return text;
}

std::optional<std::int64_t> maybe_number(std::mt19937& random) {
  if (random() % 2 == 0) return std::nullopt;
  return static_cast<std::int64_t>(random()) - (1LL << 31);
}

// Each optional field set or unset at random, strings from escapable pieces.
ReportEntry random_entry(std::mt19937& random) {
  Observation o;
  o.local = {random_text(random), static_cast<int>(random() % 3) * 40000};
  o.remote = {random() % 2 ? "::1" : "", static_cast<int>(random() % 2) * 443};
  o.method = random_text(random);
  o.head_bytes = maybe_number(random).value_or(0);
  o.request_bytes_acked = maybe_number(random).value_or(0);
  o.body_bytes_sent = maybe_number(random).value_or(0);
  o.status = static_cast<int>(random() % 2) * 200;
  o.http_version = static_cast<int>(random() % 3) * 5 + 1;
  o.declared_length = maybe_number(random);
  o.parse_error = random_text(random);
  o.first_bytes_hex = random_text(random);
  o.module = random_text(random);
  if (random() % 2)
    o.request_headers = std::make_shared<const std::vector<HeaderField>>(
        random() % 2 ? std::vector<HeaderField>{}
                     : std::vector<HeaderField>{{random_text(random), random_text(random)}});
  if (random() % 2) o.response_headers.server = random_text(random);
  if (random() % 2) o.response_headers.keep_alive = random_text(random);
  o.error = random_text(random);
  o.end = static_cast<StreamEnd>(random() % 6);
  o.rst_after_fin_us = maybe_number(random);
  o.reused = random() % 2 == 0;
  o.reuse_idle_us = maybe_number(random);
  o.closed_before_reuse = static_cast<StreamEnd>(random() % 6);
  o.closed_before_reuse_us = maybe_number(random);
  o.timings = {maybe_number(random), maybe_number(random), maybe_number(random), maybe_number(random),
               maybe_number(random), maybe_number(random), maybe_number(random)};
  Outcome outcome = classify(o);
  outcome.phase = static_cast<Phase>(random() % 6);
  outcome.response_before_abort = random() % 2 == 0;
  return {random_text(random), random_text(random), random_text(random), random(), o, outcome, nullptr,
          std::nullopt};
}

TEST(EntryJson, RandomEntries) {
  std::mt19937 random(20261124);
  for (int i = 0; i < 3000; ++i) expect_same_bytes(random_entry(random), json::error_handler_t::replace);
}

TEST(EntryJson, AnyDepth) {
  for (int depth : {0, 1, 14, 15, 16, 40})
    EXPECT_EQ(pretty(everything_set(), depth),
              oracle::nested_dump(oracle::entry_dom(everything_set()), depth));
}

// The recorder writes every connection into one reused entry and buffer.
TEST(EntryJson, ReusedEntryAndBufferCarryNothingOver) {
  ReportEntry entry = everything_set();
  std::string text;
  JsonTextWriter writer = JsonTextWriter::compact(text);
  write_entry_json(writer, entry);
  entry.observation = Observation{};
  entry.outcome = classify(entry.observation);
  text.clear();
  write_entry_json(writer, entry);
  EXPECT_EQ(text, oracle::entry_dom(entry).dump());
}

}  // namespace
}  // namespace termprobe
