// The classifier on hand-made observations: every label and every boundary.
#include <gtest/gtest.h>

#include "probes/classifier.h"

namespace termprobe {
namespace {

Observation sent_request() {
  Observation o;
  o.connected = true;
  o.head_complete = true;
  o.request_complete = true;
  return o;
}

Observation with_bytes(std::int64_t wire_bytes, StreamEnd end) {
  Observation o = sent_request();
  o.wire_bytes_received = wire_bytes;
  o.end = end;
  return o;
}

Observation complete_response(StreamEnd end) {
  Observation o = sent_request();
  o.status = 200;
  o.header_bytes = 60;
  o.body_bytes = 3;
  o.declared_length = 3;
  o.wire_bytes_received = 63;
  o.response_complete = true;
  o.end = end;
  return o;
}

Observation cut_upload(StreamEnd end) {
  Observation o;
  o.connected = true;
  o.head_complete = true;
  o.body_bytes_total = 1000;
  o.body_bytes_sent = 400;
  o.end = end;
  return o;
}

TEST(Classifier, CompleteResponseThenOpenIsKeepalive) {
  const Outcome out = classify(complete_response(StreamEnd::open));
  EXPECT_EQ(out.phase, Phase::after_response);
  EXPECT_EQ(out.ending, StreamEnd::open);
  EXPECT_EQ(out.label, Label::keepalive);
}

TEST(Classifier, CompleteResponseThenFinIsCloseAfterResponse) {
  Observation o = complete_response(StreamEnd::fin);
  EXPECT_EQ(classify(o).label, Label::close_after_response);
  EXPECT_FALSE(classify(o).announced);
  o.connection_close = true;
  EXPECT_TRUE(classify(o).announced);
}

TEST(Classifier, CompleteResponseThenRstIsResetAfterResponse) {
  EXPECT_EQ(classify(complete_response(StreamEnd::rst)).label, Label::reset_after_response);
}

TEST(Classifier, TheOutcomeCarriesTheTlsEnding) {
  Observation plain = complete_response(StreamEnd::fin);
  EXPECT_EQ(classify(plain).tls_ending, "");
  Observation tls = complete_response(StreamEnd::fin);
  tls.tls = true;
  tls.tls_established = true;
  tls.tls_facts.close_notify_us = 1200;
  EXPECT_EQ(classify(tls).tls_ending, "close_notify_then_fin");
  tls.tls_facts.close_notify_us.reset();
  tls.end = StreamEnd::rst;
  EXPECT_EQ(classify(tls).tls_ending, "rst");
  tls.tls_established = false;
  EXPECT_EQ(classify(tls).tls_ending, "") << "no TLS session to end";
}

TEST(Classifier, ZeroBytesVersusOneByteDecidesThePhase) {
  EXPECT_EQ(classify(with_bytes(0, StreamEnd::rst)).label, Label::reset_before_response);
  EXPECT_EQ(classify(with_bytes(0, StreamEnd::rst)).phase, Phase::before_response);
  EXPECT_EQ(classify(with_bytes(1, StreamEnd::rst)).label, Label::reset_mid_response);
  EXPECT_EQ(classify(with_bytes(1, StreamEnd::rst)).phase, Phase::mid_response);
  EXPECT_EQ(classify(with_bytes(0, StreamEnd::fin)).label, Label::empty_reply);
  EXPECT_EQ(classify(with_bytes(1, StreamEnd::fin)).label, Label::truncated_response);
  EXPECT_EQ(classify(with_bytes(0, StreamEnd::timeout)).label, Label::timeout_before_response);
  EXPECT_EQ(classify(with_bytes(1, StreamEnd::timeout)).label, Label::timeout_mid_response);
}

TEST(Classifier, HeadersCompleteButNoBodyIsMidResponse) {
  Observation o = with_bytes(40, StreamEnd::rst);
  o.status = 200;
  o.header_bytes = 40;
  o.declared_length = 100;
  EXPECT_EQ(classify(o).label, Label::reset_mid_response);
  o.end = StreamEnd::fin;
  EXPECT_EQ(classify(o).label, Label::truncated_response);
}

TEST(Classifier, BodyOneByteShortIsTruncated) {
  Observation o = complete_response(StreamEnd::fin);
  o.response_complete = false;  // libcurl: 18, one byte remaining
  o.body_bytes = 2;
  EXPECT_EQ(classify(o).label, Label::truncated_response);
}

TEST(Classifier, ChunkedWithoutTerminatorIsTruncated) {
  Observation o = with_bytes(80, StreamEnd::fin);
  o.status = 200;
  o.chunked = true;
  o.body_bytes = 5;
  EXPECT_EQ(classify(o).label, Label::truncated_response);
}

TEST(Classifier, FinalResponseBytesCountEvenWithoutWireCount) {
  Observation o = with_bytes(0, StreamEnd::rst);
  o.final_response_bytes = 10;  // "HTTP/1.1 2": not parsed, but the response had started
  o.response_bytes = 10;
  EXPECT_EQ(classify(o).phase, Phase::mid_response);
}

TEST(Classifier, InterimResponseAloneIsNoResponseYet) {
  Observation o = with_bytes(25, StreamEnd::rst);
  o.response_bytes = 25;
  o.interim_responses = 1;
  EXPECT_EQ(classify(o).phase, Phase::before_response);
  EXPECT_EQ(classify(o).label, Label::reset_before_response);
}

TEST(Classifier, UnsentHeadIsNotAnUpload) {
  Observation o;
  o.connected = true;
  o.body_bytes_total = 1000;  // even with a body to send: the head never got out
  o.end = StreamEnd::rst;
  EXPECT_EQ(classify(o).phase, Phase::before_response);
  EXPECT_EQ(classify(o).label, Label::reset_before_response);
  Observation get;
  get.connected = true;
  get.end = StreamEnd::fin;
  EXPECT_EQ(classify(get).label, Label::empty_reply);
}

TEST(Classifier, UnparseableBytesAreABadResponseWhateverTheEnding) {
  for (StreamEnd end : {StreamEnd::fin, StreamEnd::rst, StreamEnd::open, StreamEnd::timeout}) {
    Observation o = with_bytes(15, end);
    o.final_response_bytes = 15;
    o.parse_error = "bad version";
    EXPECT_EQ(classify(o).label, Label::bad_response);
  }
}

TEST(Classifier, InterruptedBeforeTheServerEndedIt) {
  Observation o = with_bytes(0, StreamEnd::open);
  o.interrupted = true;
  EXPECT_EQ(classify(o).label, Label::interrupted);
  o.end = StreamEnd::rst;  // the server's ending came first: it counts
  EXPECT_EQ(classify(o).label, Label::reset_before_response);
}

TEST(Classifier, InterruptedWhileConnectingIsNotAConnectFailure) {
  Observation o;
  o.end = StreamEnd::open;
  o.interrupted = true;
  EXPECT_EQ(classify(o).label, Label::interrupted);
}

TEST(Classifier, AnnouncedCloseThatNeverCame) {
  Observation o = complete_response(StreamEnd::timeout);
  o.connection_close = true;
  EXPECT_EQ(classify(o).label, Label::timeout_after_response);
  EXPECT_TRUE(classify(o).announced);
}

TEST(Classifier, UploadCutByResetOrFin) {
  for (StreamEnd end : {StreamEnd::rst, StreamEnd::fin}) {
    const Outcome out = classify(cut_upload(end));
    EXPECT_EQ(out.phase, Phase::upload);
    EXPECT_EQ(out.label, Label::upload_aborted);
    EXPECT_FALSE(out.response_before_abort);
  }
}

TEST(Classifier, UploadCutAfterAnEarlyResponseSaysSo) {
  Observation o = cut_upload(StreamEnd::rst);
  o.status = 413;
  o.response_complete = true;
  const Outcome out = classify(o);
  EXPECT_EQ(out.label, Label::upload_aborted);
  EXPECT_TRUE(out.response_before_abort);
}

TEST(Classifier, UploadThatTimesOutIsStalled) {
  EXPECT_EQ(classify(cut_upload(StreamEnd::timeout)).label, Label::upload_stalled);
}

TEST(Classifier, EarlyResponseWithConnectionLeftOpen) {
  Observation o = cut_upload(StreamEnd::open);
  o.status = 413;
  o.response_complete = true;
  EXPECT_EQ(classify(o).label, Label::early_response);
}

TEST(Classifier, NotConnectedIsConnectFailed) {
  Observation o;
  o.end = StreamEnd::refused;
  EXPECT_EQ(classify(o).label, Label::connect_failed);
  EXPECT_EQ(classify(o).phase, Phase::connect);
  o.end = StreamEnd::timeout;
  EXPECT_EQ(classify(o).label, Label::connect_failed);
}

TEST(Classifier, TlsHandshakeFailure) {
  Observation o;
  o.connected = true;
  o.tls = true;
  o.end = StreamEnd::error;
  EXPECT_EQ(classify(o).label, Label::tls_failed);
  o.tls_established = true;
  o.head_complete = true;
  o.request_complete = true;
  o.end = StreamEnd::rst;
  EXPECT_EQ(classify(o).label, Label::reset_before_response);
}

TEST(Classifier, OtherFailuresAreErrorNotGuesses) {
  EXPECT_EQ(classify(with_bytes(10, StreamEnd::error)).label, Label::error);
  EXPECT_EQ(classify(with_bytes(0, StreamEnd::open)).label, Label::error);
  EXPECT_EQ(classify(complete_response(StreamEnd::refused)).label, Label::error);
}

}  // namespace
}  // namespace termprobe

namespace termprobe {
namespace {

Observation over_tls(Observation o) {
  o.tls = true;
  o.tls_established = true;
  return o;
}

TEST(ClassifierTls, AHandshakeThatNeverCompletedIsTlsFailedWhateverTheEnding) {
  for (StreamEnd end : {StreamEnd::fin, StreamEnd::rst, StreamEnd::timeout, StreamEnd::error}) {
    Observation o;
    o.connected = o.tls = true;
    o.end = end;
    const Outcome outcome = classify(o);
    EXPECT_EQ(outcome.phase, Phase::tls);
    EXPECT_EQ(outcome.label, Label::tls_failed);
    EXPECT_EQ(tls_ending(o), "");
  }
}

TEST(ClassifierTls, CloseNotifyWithTheSocketLeftOpenIsTheServersClose) {
  Observation o = over_tls(complete_response(StreamEnd::open));
  o.tls_facts.close_notify_us = 10;
  EXPECT_EQ(classify(o).label, Label::close_after_response);
  EXPECT_EQ(classify(o).ending, StreamEnd::open);  // the TCP truth stays in the report
  EXPECT_EQ(tls_ending(o), "close_notify_open");
  o.end = StreamEnd::fin;
  EXPECT_EQ(tls_ending(o), "close_notify_then_fin");
  o.end = StreamEnd::rst;
  EXPECT_EQ(tls_ending(o), "close_notify_then_rst");
}

TEST(ClassifierTls, BareFinAndResetAndAlertsAreNamed) {
  Observation o = over_tls(complete_response(StreamEnd::fin));
  EXPECT_EQ(tls_ending(o), "fin_without_close_notify");
  o.end = StreamEnd::rst;
  EXPECT_EQ(tls_ending(o), "rst");
  o.end = StreamEnd::open;
  EXPECT_EQ(tls_ending(o), "open");
  EXPECT_EQ(classify(o).label, Label::keepalive);
  o.tls_facts.alert = TlsAlert{true, 80, "internal_error", 5};
  EXPECT_EQ(tls_ending(o), "alert");
  EXPECT_EQ(classify(o).label, Label::close_after_response);
  o.tls_facts.alert->fatal = false;  // a warning alert ends nothing
  EXPECT_EQ(classify(o).label, Label::keepalive);
}

TEST(ClassifierTls, ACloseDelimitedBodyEndedByABareFinIsTruncated) {
  // The TLS layer does not complete such a body (RFC 9112 §9.8): what reaches the classifier.
  Observation o = over_tls(with_bytes(80, StreamEnd::fin));
  o.status = 200;
  o.final_response_bytes = o.response_bytes = 80;
  o.close_delimited = true;
  EXPECT_EQ(classify(o).label, Label::truncated_response);
}

Observation http2_stream(Observation o) {
  o.http_version = 20;
  o.http2 = Http2Facts{};
  o.http2->stream_id = 1;
  return o;
}

TEST(ClassifierHttp2, AResetStreamIsStreamResetInThePhaseItCameIn) {
  Observation before = http2_stream(with_bytes(0, StreamEnd::open));
  before.http2->reset = Http2Reset{1, "PROTOCOL_ERROR", "before_headers", 0, 5};
  EXPECT_EQ(classify(before).label, Label::stream_reset);
  EXPECT_EQ(classify(before).phase, Phase::before_response);
  Observation mid = http2_stream(with_bytes(90, StreamEnd::open));
  mid.status = 200;
  mid.final_response_bytes = mid.response_bytes = 90;
  mid.http2->reset = Http2Reset{2, "INTERNAL_ERROR", "mid_data", 50, 5};
  EXPECT_EQ(classify(mid).label, Label::stream_reset);
  EXPECT_EQ(classify(mid).phase, Phase::mid_response);
}

TEST(ClassifierHttp2, AResetAfterEndStreamIsNotALostResponse) {
  Observation o = http2_stream(complete_response(StreamEnd::open));
  o.http2->reset = Http2Reset{0, "NO_ERROR", "after_end_stream", 5, 5};
  EXPECT_EQ(classify(o).label, Label::keepalive);
  o.request_complete = false;
  o.head_complete = true;
  o.body_bytes_total = 1000;
  EXPECT_EQ(classify(o).phase, Phase::upload);
  EXPECT_EQ(classify(o).label, Label::upload_aborted);
}

TEST(ClassifierHttp2, AStreamAboveTheGoawaysLastIdWasNotProcessed) {
  Observation o = http2_stream(with_bytes(0, StreamEnd::fin));
  o.http2->stream_id = 3;
  o.http2->refused_by_goaway = true;
  o.http2->goaways.push_back({1, 0, "NO_ERROR", "", 5});
  EXPECT_EQ(classify(o).label, Label::refused_by_goaway);
}

TEST(ClassifierHttp2, ACompleteStreamTakesTheConnectionsEnding) {
  Observation o = http2_stream(complete_response(StreamEnd::fin));
  o.http2->goaways.push_back({1, 0, "NO_ERROR", "", 5});
  EXPECT_EQ(classify(o).label, Label::close_after_response);
  o.end = StreamEnd::open;
  EXPECT_EQ(classify(o).label, Label::keepalive);
}

}  // namespace
}  // namespace termprobe
