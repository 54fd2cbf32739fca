// Every label's meaning is a claim about the facts beside it ("never
// answered" means no response byte; "a complete answer" means one). This
// walks the classifier's whole table — every phase the facts can put a
// connection in, every ending, response none/partial/complete, announced or
// not, over HTTP/1.1, TLS and HTTP/2 — and checks that the label it gets
// says nothing its own entry refutes. The claims are written here from the
// meanings' words (outcome.cpp), not from the classifier's code.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "probes/classifier.h"

namespace termprobe {
namespace {

enum class Response { none, partial, complete };
enum class Request { sent, upload_cut };
enum class Transport { http1, tls_close_notify, http2_end_stream_short, http2_reset_mid_data };

struct Cell {
  Request request;
  Response response;
  StreamEnd end;
  bool announced;
  Transport transport;
};

std::string describe(const Cell& c) {
  return "request " + std::to_string(static_cast<int>(c.request)) + ", response " +
         std::to_string(static_cast<int>(c.response)) + ", end " + std::string(to_string(c.end)) +
         ", announced " + std::to_string(c.announced) + ", transport " +
         std::to_string(static_cast<int>(c.transport));
}

Observation facts_of(const Cell& c) {
  Observation o;
  o.connected = true;
  o.head_complete = true;
  o.head_bytes = 80;
  o.request_complete = c.request == Request::sent;
  o.body_bytes_total = c.request == Request::upload_cut ? 1 << 20 : 0;
  o.body_bytes_sent = c.request == Request::upload_cut ? 1000 : 0;
  o.end = c.end;
  if (c.response != Response::none) {
    o.status = 200;
    o.header_bytes = 60;
    o.declared_length = 100;
    o.body_bytes = c.response == Response::complete ? 100 : 7;
    o.response_bytes = o.final_response_bytes = o.wire_bytes_received = o.header_bytes + o.body_bytes;
    o.response_complete = c.response == Response::complete;
    o.connection_close = c.announced;
  }
  switch (c.transport) {
    case Transport::http1: break;
    case Transport::tls_close_notify:
      o.tls = o.tls_established = true;
      o.tls_facts.close_notify_us = 5000;
      break;
    case Transport::http2_end_stream_short:
    case Transport::http2_reset_mid_data:
      o.http2.emplace();
      o.http2->end_stream = c.transport == Transport::http2_end_stream_short || o.response_complete;
      if (c.transport == Transport::http2_reset_mid_data)
        o.http2->reset = Http2Reset{
            2, "INTERNAL_ERROR", o.response_complete ? "after_end_stream" : "mid_data", o.body_bytes, 6000};
      o.connection_close = false;  // HTTP/2 has no Connection: close
      break;
  }
  return o;
}

bool any_response_byte(const Observation& o) { return o.final_response_bytes > 0 || o.status != 0; }
bool server_closed(const Observation& o) {
  return o.end == StreamEnd::fin || o.end == StreamEnd::rst || o.tls_facts.close_notify_us.has_value();
}
bool stream_cut_short(const Observation& o) { return o.http2 && o.http2->end_stream && !o.response_complete; }

// What each label's meaning asserts, as a predicate on the facts.
const std::map<Label, std::function<bool(const Observation&)>>& claims() {
  static const std::map<Label, std::function<bool(const Observation&)>> table = {
      {Label::keepalive,
       [](const Observation& o) { return o.response_complete && o.end == StreamEnd::open; }},
      {Label::close_after_response,
       [](const Observation& o) {
         return o.response_complete && o.end != StreamEnd::rst && server_closed(o);
       }},
      {Label::reset_after_response,
       [](const Observation& o) { return o.response_complete && o.end == StreamEnd::rst; }},
      {Label::reset_before_response,
       [](const Observation& o) { return !any_response_byte(o) && o.end == StreamEnd::rst; }},
      {Label::reset_mid_response,
       [](const Observation& o) {
         return any_response_byte(o) && !o.response_complete && o.end == StreamEnd::rst;
       }},
      {Label::empty_reply, [](const Observation& o) { return !any_response_byte(o) && server_closed(o); }},
      {Label::truncated_response,
       [](const Observation& o) {
         return any_response_byte(o) && !o.response_complete && (server_closed(o) || stream_cut_short(o));
       }},
      {Label::upload_aborted,
       [](const Observation& o) {
         return !o.request_complete && (server_closed(o) || (o.http2 && o.http2->reset));
       }},
      {Label::upload_stalled,
       [](const Observation& o) {
         return !o.request_complete && !any_response_byte(o) && o.end == StreamEnd::timeout;
       }},
      {Label::early_response,
       [](const Observation& o) { return !o.request_complete && o.response_complete && !server_closed(o); }},
      {Label::timeout_before_response,
       [](const Observation& o) { return !any_response_byte(o) && o.end == StreamEnd::timeout; }},
      {Label::timeout_mid_response,
       [](const Observation& o) {
         return any_response_byte(o) && !o.response_complete && o.end == StreamEnd::timeout;
       }},
      {Label::timeout_after_response,
       [](const Observation& o) {
         return o.response_complete && o.connection_close && o.end == StreamEnd::timeout;
       }},
      {Label::stream_reset, [](const Observation& o) { return o.http2 && o.http2->reset; }},
      {Label::error, [](const Observation&) { return true; }},
  };
  return table;
}

TEST(LabelClaims, NoLabelContradictsTheFactsOfItsOwnEntry) {
  int cells = 0;
  for (Request request : {Request::sent, Request::upload_cut}) {
    for (Response response : {Response::none, Response::partial, Response::complete}) {
      for (StreamEnd end : {StreamEnd::rst, StreamEnd::fin, StreamEnd::open, StreamEnd::timeout}) {
        for (bool announced : {false, true}) {
          for (Transport transport : {Transport::http1, Transport::tls_close_notify,
                                      Transport::http2_end_stream_short, Transport::http2_reset_mid_data}) {
            const Cell cell{request, response, end, announced, transport};
            const Observation o = facts_of(cell);
            const Outcome outcome = classify(o);
            const auto claim = claims().find(outcome.label);
            ASSERT_NE(claim, claims().end())
                << to_string(outcome.label) << " has no claim: " << describe(cell);
            EXPECT_TRUE(claim->second(o)) << to_string(outcome.label) << " ('" << label_meaning(outcome.label)
                                          << "') contradicts " << describe(cell);
            EXPECT_EQ(outcome.announced_close_missed,
                      o.connection_close && o.response_complete && !server_closed(o))
                << describe(cell);
            ++cells;
          }
        }
      }
    }
  }
  EXPECT_EQ(cells, 2 * 3 * 4 * 2 * 4);
}

TEST(LabelClaims, AnAnswerDuringAnUploadThatOutlivesTheDeadlineIsEarlyNotStalled) {
  // nginx's lingering close: a complete 413 during a large upload, then the
  // connection held open past the probe's deadline.
  const Observation o =
      facts_of({Request::upload_cut, Response::complete, StreamEnd::timeout, true, Transport::http1});
  const Outcome outcome = classify(o);
  EXPECT_EQ(outcome.phase, Phase::upload);
  EXPECT_EQ(outcome.label, Label::early_response);
  EXPECT_TRUE(outcome.announced_close_missed);
  EXPECT_TRUE(outcome.response_before_abort);
}

TEST(LabelClaims, TheServersCloseAfterTheProbeStoppedSendingStillCutsTheUpload) {
  // Whoever noticed first: the probe stops its body once the answer is in
  // (as curl does); the server's FIN a moment later still cut the body off.
  for (StreamEnd end : {StreamEnd::fin, StreamEnd::rst}) {
    const Outcome outcome =
        classify(facts_of({Request::upload_cut, Response::complete, end, true, Transport::http1}));
    EXPECT_EQ(outcome.label, Label::upload_aborted);
    EXPECT_TRUE(outcome.response_before_abort);
  }
}

TEST(LabelClaims, AShortHttp2StreamIsTruncatedWhateverTheConnectionDid) {
  for (StreamEnd end : {StreamEnd::open, StreamEnd::fin, StreamEnd::timeout}) {
    const Outcome outcome =
        classify(facts_of({Request::sent, Response::partial, end, false, Transport::http2_end_stream_short}));
    EXPECT_EQ(outcome.phase, Phase::mid_response) << to_string(end);
    EXPECT_EQ(outcome.label, Label::truncated_response) << to_string(end);
  }
}

}  // namespace
}  // namespace termprobe
