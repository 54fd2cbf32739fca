// The HTTP/1.1 driver on its own: the request's bytes taken from output()
// and the response's bytes handed to input() by the test, at times the test
// chooses, so every size and timing in the record is known exactly.
#include "probes/http1_exchange.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

namespace termprobe {
namespace {

// The head the engine would build for GET http://127.0.0.1/x; its exact
// text matters only through its size.
std::string head_for(const std::string& method, std::int64_t body_bytes = 0) {
  std::vector<HeaderField> fields = {{"Host", "127.0.0.1"}, {"Accept", "*/*"}};
  if (body_bytes > 0) fields.push_back({"Content-Length", std::to_string(body_bytes)});
  return http1_request_head(method, fields, "/x");
}

ProbeSpec spec_with_body(std::int64_t body_bytes, std::int64_t upload_rate = 0) {
  ProbeSpec spec;
  spec.url = "http://127.0.0.1/x";
  spec.method = body_bytes > 0 ? "POST" : "GET";
  spec.body_bytes = body_bytes;
  spec.upload_rate = upload_rate;
  return spec;
}

// Hands the whole head to the kernel at now_us, as one send.
void send_head(Http1Exchange& exchange, std::int64_t now_us) {
  const std::string_view out = exchange.output(now_us);
  exchange.output_sent(out.size(), now_us);
}

Observation recorded(const Http1Exchange& exchange) {
  Observation o;
  exchange.record(o, 0);
  return o;
}

// Every fact the driver writes, in one comparable value.
auto facts_of(const Observation& o) {
  return std::tuple(o.status, o.interim_responses, o.http_version, o.response_bytes, o.final_response_bytes,
                    o.header_bytes, o.body_bytes, o.declared_length, o.chunked, o.close_delimited,
                    o.response_complete, o.connection_close, o.module, o.response_headers.server,
                    o.response_headers.connection, o.parse_error, o.bytes_after_response,
                    o.timings.first_byte_us, o.timings.response_complete_us);
}

TEST(Http1Exchange, TheHeadGoesOutFirstAndResumesAfterAPartialSend) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  EXPECT_EQ(exchange.output(0), head);
  exchange.output_sent(10, 5);
  EXPECT_EQ(exchange.output(6), head.substr(10));
  EXPECT_FALSE(recorded(exchange).head_complete);
  EXPECT_EQ(recorded(exchange).request_bytes_sent, 10);
  EXPECT_EQ(recorded(exchange).timings.request_sent_us, std::nullopt);
  exchange.output_sent(head.size() - 10, 7);
  EXPECT_EQ(exchange.output(8), "");
  EXPECT_EQ(exchange.output_resumes_us(), std::nullopt);

  const Observation o = recorded(exchange);
  EXPECT_EQ(o.method, "GET");
  EXPECT_EQ(o.head_bytes, static_cast<std::int64_t>(head.size()));
  EXPECT_TRUE(o.head_complete);
  EXPECT_EQ(o.request_bytes_sent, static_cast<std::int64_t>(head.size()));
  EXPECT_EQ(o.body_bytes_total, 0);
  EXPECT_TRUE(o.request_complete);
  EXPECT_EQ(o.timings.request_sent_us, 7);  // the send that completed the request
  EXPECT_FALSE(exchange.response_done());
}

TEST(Http1Exchange, TheExactBodyFollowsTheHeadInPieces) {
  ProbeSpec spec = spec_with_body(0);
  spec.method = "PUT";
  spec.body = "0123456789";
  const std::string head = head_for("PUT", 10);
  Http1Exchange exchange(spec, head, nullptr);
  EXPECT_EQ(exchange.output(0), head);  // never head and body in one piece
  exchange.output_sent(head.size(), 1);
  EXPECT_EQ(exchange.output(2), "0123456789");
  exchange.output_sent(4, 3);
  EXPECT_EQ(recorded(exchange).timings.request_sent_us, std::nullopt);
  EXPECT_FALSE(recorded(exchange).request_complete);
  EXPECT_EQ(exchange.output(4), "456789");
  exchange.output_sent(6, 9);
  EXPECT_EQ(exchange.output(10), "");

  const Observation o = recorded(exchange);
  EXPECT_EQ(o.method, "PUT");
  EXPECT_EQ(o.body_bytes_total, 10);
  EXPECT_EQ(o.body_bytes_sent, 10);
  EXPECT_EQ(o.request_bytes_sent, static_cast<std::int64_t>(head.size()) + 10);
  EXPECT_TRUE(o.request_complete);
  EXPECT_EQ(o.timings.request_sent_us, 9);
}

TEST(Http1Exchange, ASyntheticBodyComesAt64KiBAPiece) {
  const ProbeSpec spec = spec_with_body(100'000);
  const std::string head = head_for("POST", 100'000);
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  const std::string_view first = exchange.output(0);
  EXPECT_EQ(first.size(), 65'536u);
  EXPECT_EQ(first.find_first_not_of('x'), std::string_view::npos);
  exchange.output_sent(first.size(), 1);
  EXPECT_EQ(exchange.output(1).size(), 100'000u - 65'536u);
}

// 1000 B/s paces in quanta of 50 B (a twentieth of a second): the first
// quantum goes at once, the next when the rate has earned it.
TEST(Http1Exchange, AnUploadRateHoldsTheBodyBack) {
  const ProbeSpec spec = spec_with_body(150, 1000);
  const std::string head = head_for("POST", 150);
  Http1Exchange exchange(spec, head, nullptr);
  EXPECT_EQ(exchange.output_resumes_us(), std::nullopt);  // the head is never held
  send_head(exchange, 1000);
  EXPECT_EQ(exchange.output(1000).size(), 50u);
  exchange.output_sent(50, 1000);
  EXPECT_EQ(exchange.output(1000), "");
  EXPECT_EQ(exchange.output_resumes_us(), 51'001);
  EXPECT_EQ(exchange.output(26'000).size(), 25u);  // earned, not yet a quantum: the engine waits
  EXPECT_EQ(exchange.output(51'001).size(), 50u);
  exchange.output_sent(50, 51'001);
  EXPECT_EQ(exchange.output_resumes_us(), 101'001);
  EXPECT_EQ(exchange.output(101'001).size(), 50u);
  exchange.output_sent(50, 101'001);
  EXPECT_EQ(exchange.output_resumes_us(), std::nullopt);
  EXPECT_EQ(exchange.output(200'000), "");
  EXPECT_EQ(recorded(exchange).timings.request_sent_us, 101'001);
  EXPECT_EQ(recorded(exchange).body_bytes_sent, 150);
}

// The rate counts from when the head was out, not from the exchange's start.
TEST(Http1Exchange, TheRatesClockStartsWithTheBody) {
  const ProbeSpec spec = spec_with_body(150, 1000);
  const std::string head = head_for("POST", 150);
  Http1Exchange exchange(spec, head, nullptr);
  const std::string_view out = exchange.output(0);
  exchange.output_sent(out.size() - 1, 0);
  exchange.output_sent(1, 500'000);
  EXPECT_EQ(exchange.output(500'000).size(), 50u);
  exchange.output_sent(50, 500'000);
  EXPECT_EQ(exchange.output_resumes_us(), 550'001);
}

constexpr std::string_view kLengthResponse =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: probe-test\r\nX-Termprobe-Module: ok\r\n\r\nhello";

TEST(Http1Exchange, AContentLengthResponseIsCompleteAtItsLastByte) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 10);
  exchange.input(kLengthResponse.substr(0, kLengthResponse.size() - 1), 200);
  EXPECT_FALSE(exchange.response_done());
  exchange.input(kLengthResponse.substr(kLengthResponse.size() - 1), 300);
  EXPECT_TRUE(exchange.response_done());
  EXPECT_FALSE(exchange.close_announced());

  const Observation o = recorded(exchange);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.http_version, 11);
  EXPECT_EQ(o.declared_length, 5);
  EXPECT_EQ(o.body_bytes, 5);
  EXPECT_EQ(o.header_bytes, static_cast<std::int64_t>(kLengthResponse.size()) - 5);
  EXPECT_EQ(o.response_bytes, static_cast<std::int64_t>(kLengthResponse.size()));
  EXPECT_EQ(o.final_response_bytes, static_cast<std::int64_t>(kLengthResponse.size()));
  EXPECT_TRUE(o.response_complete);
  EXPECT_FALSE(o.chunked);
  EXPECT_FALSE(o.close_delimited);
  EXPECT_EQ(o.module, "ok");
  EXPECT_EQ(o.response_headers.server, "probe-test");
  EXPECT_EQ(o.parse_error, "");
  EXPECT_EQ(o.timings.request_sent_us, 10);
  EXPECT_EQ(o.timings.first_byte_us, 200);
  EXPECT_EQ(o.timings.response_complete_us, 300);
}

TEST(Http1Exchange, BytesAfterTheResponseAreCountedNotParsed) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input(std::string(kLengthResponse) + "HTTP/1.1 200", 50);
  exchange.input("garbage", 60);
  const Observation o = recorded(exchange);
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.bytes_after_response, 12 + 7);
  EXPECT_EQ(o.body_bytes, 5);
  EXPECT_EQ(o.parse_error, "");
  EXPECT_EQ(o.timings.response_complete_us, 50);
}

Observation split_once(std::string_view response, std::size_t at, bool fin) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  // Both pieces at one time: only the split differs from the single read.
  exchange.input(response.substr(0, at), 100);
  exchange.input(response.substr(at), 100);
  if (fin) exchange.input_ended(100);
  return recorded(exchange);
}

TEST(Http1Exchange, AResponseSplitAtEveryByteGivesTheSameRecord) {
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n";
  const std::string close_delimited = "HTTP/1.0 200 OK\r\nServer: s\r\n\r\nuntil the fin";
  const std::string garbage = "SSH-2.0-OpenSSH_9.2\r\n";
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  for (const std::string_view response :
       {kLengthResponse, std::string_view(chunked), std::string_view(close_delimited),
        std::string_view(garbage), std::string_view(interim)}) {
    const auto whole = facts_of(split_once(response, response.size(), true));
    for (std::size_t at = 0; at <= response.size(); ++at)
      EXPECT_EQ(facts_of(split_once(response, at, true)), whole) << response << " split at " << at;
  }
}

TEST(Http1Exchange, OneByteAtATimeGivesTheSameFactsWithEachBytesTime) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  for (std::size_t i = 0; i < kLengthResponse.size(); ++i)
    exchange.input(kLengthResponse.substr(i, 1), 1000 + static_cast<std::int64_t>(i));
  const Observation o = recorded(exchange);
  EXPECT_EQ(o.timings.first_byte_us, 1000);
  EXPECT_EQ(o.timings.response_complete_us, 1000 + static_cast<std::int64_t>(kLengthResponse.size()) - 1);
  Observation whole = split_once(kLengthResponse, kLengthResponse.size(), false);
  whole.timings = o.timings;
  EXPECT_EQ(facts_of(o), facts_of(whole));
}

TEST(Http1Exchange, AChunkedResponseNeedsItsLastChunk) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 10);
  EXPECT_FALSE(exchange.response_done());
  EXPECT_TRUE(recorded(exchange).chunked);
  EXPECT_EQ(recorded(exchange).body_bytes, 5);
  EXPECT_EQ(recorded(exchange).timings.response_complete_us, std::nullopt);
  exchange.input("0\r\n\r\n", 20);
  EXPECT_TRUE(exchange.response_done());
  const Observation o = recorded(exchange);
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.declared_length, std::nullopt);
  EXPECT_EQ(o.timings.first_byte_us, 10);
  EXPECT_EQ(o.timings.response_complete_us, 20);
}

TEST(Http1Exchange, ACloseDelimitedBodyEndsAtTheServersFin) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("HTTP/1.1 200 OK\r\n\r\nsome bytes", 10);
  EXPECT_FALSE(exchange.response_done());
  EXPECT_TRUE(recorded(exchange).close_delimited);
  EXPECT_FALSE(recorded(exchange).response_complete);
  exchange.input_ended(40);
  EXPECT_TRUE(exchange.response_done());
  const Observation o = recorded(exchange);
  EXPECT_TRUE(o.response_complete);
  EXPECT_TRUE(o.close_delimited);
  EXPECT_EQ(o.body_bytes, 10);
  EXPECT_EQ(o.timings.response_complete_us, 40);  // the FIN's time, not the last byte's
}

TEST(Http1Exchange, AFinMidBodyLeavesTheResponseTruncated) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(50, 'b'), 10);
  exchange.input_ended(20);
  // Not done: nothing completes it, and the engine already knows the FIN.
  EXPECT_FALSE(exchange.response_done());
  const Observation o = recorded(exchange);
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.declared_length, 100);
  EXPECT_EQ(o.body_bytes, 50);
  EXPECT_EQ(o.parse_error, "");
  EXPECT_EQ(o.timings.first_byte_us, 10);
  EXPECT_EQ(o.timings.response_complete_us, std::nullopt);
}

TEST(Http1Exchange, AFinMidChunkLeavesTheResponseTruncated) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhalf a c", 10);
  exchange.input_ended(20);
  const Observation o = recorded(exchange);
  EXPECT_FALSE(o.response_complete);
  EXPECT_TRUE(o.chunked);
  EXPECT_EQ(o.body_bytes, 8);
  EXPECT_EQ(o.timings.response_complete_us, std::nullopt);
}

TEST(Http1Exchange, AFinInTheHeadersIsNeitherCompleteNorBad) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("HTTP/1.1 200 OK\r\nContent-Le", 10);
  exchange.input_ended(20);
  const Observation o = recorded(exchange);
  EXPECT_EQ(o.status, 0);
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.parse_error, "");
  EXPECT_EQ(o.response_bytes, 27);
  EXPECT_EQ(o.timings.first_byte_us, 10);
}

TEST(Http1Exchange, ConnectionCloseIsAnnounced) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  for (const std::string_view response : {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                                          "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\n\r\n",
                                          "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"}) {
    Http1Exchange exchange(spec, head, nullptr);
    send_head(exchange, 0);
    EXPECT_FALSE(exchange.close_announced());
    exchange.input(response, 10);
    EXPECT_TRUE(exchange.close_announced()) << response;
    EXPECT_TRUE(recorded(exchange).connection_close) << response;
  }
  Http1Exchange kept(spec, head, nullptr);
  send_head(kept, 0);
  kept.input("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", 10);
  EXPECT_FALSE(kept.close_announced());
  EXPECT_EQ(recorded(kept).response_headers.connection, "keep-alive");
}

// A server that answers (413) before the upload is over ends the request:
// the rest of the body is never sent, and the record says how far it got.
TEST(Http1Exchange, AnEarlyResponseStopsTheUpload) {
  const ProbeSpec spec = spec_with_body(1000);
  const std::string head = head_for("POST", 1000);
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  EXPECT_EQ(exchange.output(1).size(), 1000u);
  exchange.output_sent(100, 1);
  exchange.input("HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 5);
  EXPECT_TRUE(exchange.response_done());
  EXPECT_TRUE(exchange.close_announced());
  EXPECT_EQ(exchange.output(6), "");
  EXPECT_EQ(exchange.output_resumes_us(), std::nullopt);

  const Observation o = recorded(exchange);
  EXPECT_EQ(o.status, 413);
  EXPECT_TRUE(o.head_complete);
  EXPECT_FALSE(o.request_complete);
  EXPECT_EQ(o.body_bytes_total, 1000);
  EXPECT_EQ(o.body_bytes_sent, 100);
  EXPECT_EQ(o.request_bytes_sent, static_cast<std::int64_t>(head.size()) + 100);
  EXPECT_EQ(o.timings.request_sent_us, std::nullopt);
  EXPECT_EQ(o.timings.first_byte_us, 5);
  EXPECT_EQ(o.timings.response_complete_us, 5);
}

TEST(Http1Exchange, AnEarlyResponseEndsARatesWait) {
  const ProbeSpec spec = spec_with_body(1000, 1000);
  const std::string head = head_for("POST", 1000);
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.output_sent(exchange.output(0).size(), 0);
  EXPECT_EQ(exchange.output_resumes_us(), 50'001);
  exchange.input("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n", 10);
  EXPECT_EQ(exchange.output_resumes_us(), std::nullopt);
  EXPECT_EQ(exchange.output(1'000'000), "");
}

TEST(Http1Exchange, TheFirstByteIsTheFinalResponsesNotAnInterimOnes) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("HTTP/1.1 100 Continue\r\n\r\n", 10);
  EXPECT_EQ(recorded(exchange).timings.first_byte_us, std::nullopt);
  exchange.input("HTTP/1.1 204 No Content\r\n\r\n", 20);
  const Observation o = recorded(exchange);
  EXPECT_EQ(o.interim_responses, 1);
  EXPECT_EQ(o.status, 204);
  EXPECT_EQ(o.response_bytes, 25 + 27);
  EXPECT_EQ(o.final_response_bytes, 27);
  EXPECT_EQ(o.timings.first_byte_us, 20);
  EXPECT_EQ(o.timings.response_complete_us, 20);
}

// The same as above with the interim response split across two reads: its
// first piece looks like the final response's start until the block turns
// out to be a 1xx.
TEST(Http1Exchange, TheFirstByteIsTheFinalResponsesWhenAnInterimOneIsSplit) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("HTTP/1.1 1", 10);
  exchange.input("00 Continue\r\n\r\n", 11);
  exchange.input("HTTP/1.1 204 No Content\r\n\r\n", 20);
  EXPECT_EQ(recorded(exchange).interim_responses, 1);
  EXPECT_EQ(recorded(exchange).timings.first_byte_us, 20);
}

// The read that ends a 1xx may carry the final response's first bytes.
TEST(Http1Exchange, TheFinalResponseCanStartInTheReadThatEndsAnInterimOne) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("HTTP/1.1 1", 10);
  exchange.input("03 Early Hints\r\n\r\nHTTP/1.1 2", 15);
  exchange.input("04 No Content\r\n\r\n", 20);
  const Observation o = recorded(exchange);
  EXPECT_EQ(o.interim_responses, 1);
  EXPECT_EQ(o.status, 204);
  EXPECT_EQ(o.timings.first_byte_us, 15);
  EXPECT_EQ(o.timings.response_complete_us, 20);
}

TEST(Http1Exchange, AResponseToHeadHasNoBody) {
  ProbeSpec spec = spec_with_body(0);
  spec.method = "HEAD";
  const std::string head = head_for("HEAD");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 10);
  EXPECT_TRUE(exchange.response_done());
  const Observation o = recorded(exchange);
  EXPECT_EQ(o.method, "HEAD");
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.declared_length, 100);
  EXPECT_EQ(o.body_bytes, 0);
}

TEST(Http1Exchange, BytesThatAreNotHttpEndTheResponseWithTheirHex) {
  const ProbeSpec spec = spec_with_body(0);
  const std::string head = head_for("GET");
  Http1Exchange exchange(spec, head, nullptr);
  send_head(exchange, 0);
  exchange.input("SSH-2", 10);
  EXPECT_TRUE(exchange.response_done());
  EXPECT_EQ(exchange.output(11), "");
  const Observation o = recorded(exchange);
  EXPECT_EQ(o.parse_error, "not an HTTP/1.x status line");
  EXPECT_EQ(o.first_bytes_hex, "5353482d32");
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.timings.response_complete_us, std::nullopt);
}

}  // namespace
}  // namespace termprobe
