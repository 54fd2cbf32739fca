// The HTTP/2 driver on its own: the server's frames are written here byte
// by byte (HPACK by nghttp2's deflater), handed to input() at chosen
// times, and the client's output is split back into frames, so what the
// session sends and what it records are both checked exactly.
#include "probes/http2_session.h"

#include <nghttp2/nghttp2.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/target_url.h"
#include "probes/http1_response.h"

namespace termprobe {
namespace {

constexpr std::string_view kClientMagic = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

std::string u32(std::uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16), static_cast<char>(value >> 8),
          static_cast<char>(value)};
}

std::string frame(std::uint8_t type, std::uint8_t flags, std::int32_t stream, std::string_view payload) {
  const auto size = static_cast<std::uint32_t>(payload.size());
  std::string bytes = {static_cast<char>(size >> 16), static_cast<char>(size >> 8), static_cast<char>(size),
                       static_cast<char>(type), static_cast<char>(flags)};
  bytes += u32(static_cast<std::uint32_t>(stream));
  bytes += payload;
  return bytes;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// What a server would write, frame by frame. One HPACK deflater for the
// connection, so header blocks must go to the session in the order made.
class ServerFrames {
 public:
  ServerFrames() { nghttp2_hd_deflate_new(&deflater_, 4096); }
  ~ServerFrames() { nghttp2_hd_deflate_del(deflater_); }
  ServerFrames(const ServerFrames&) = delete;
  ServerFrames& operator=(const ServerFrames&) = delete;

  static std::string settings(const std::vector<std::pair<std::uint16_t, std::uint32_t>>& entries) {
    std::string payload;
    for (const auto& [id, value] : entries) {
      payload += static_cast<char>(id >> 8);
      payload += static_cast<char>(id);
      payload += u32(value);
    }
    return frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_NONE, 0, payload);
  }
  static std::string settings_ack() { return frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, ""); }
  // What a server says first: SETTINGS, here with MAX_CONCURRENT_STREAMS 100.
  static std::string preface() { return settings({{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}}); }

  std::string header_block(const Fields& fields) {
    std::vector<nghttp2_nv> nva;
    for (const auto& [name, value] : fields) {
      nva.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                     reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                     value.size(), NGHTTP2_NV_FLAG_NONE});
    }
    std::string block(nghttp2_hd_deflate_bound(deflater_, nva.data(), nva.size()), '\0');
    const auto size = nghttp2_hd_deflate_hd(deflater_, reinterpret_cast<std::uint8_t*>(block.data()),
                                            block.size(), nva.data(), nva.size());
    block.resize(static_cast<std::size_t>(size));
    return block;
  }
  std::string headers(std::int32_t stream, const Fields& fields, bool end_stream) {
    const std::uint8_t flags = NGHTTP2_FLAG_END_HEADERS | (end_stream ? NGHTTP2_FLAG_END_STREAM : 0);
    return frame(NGHTTP2_HEADERS, flags, stream, header_block(fields));
  }
  static std::string data(std::int32_t stream, std::string_view payload, bool end_stream) {
    return frame(NGHTTP2_DATA, end_stream ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE, stream, payload);
  }
  static std::string rst_stream(std::int32_t stream, std::uint32_t code) {
    return frame(NGHTTP2_RST_STREAM, NGHTTP2_FLAG_NONE, stream, u32(code));
  }
  static std::string goaway(std::int32_t last_stream, std::uint32_t code, std::string_view debug = {}) {
    return frame(NGHTTP2_GOAWAY, NGHTTP2_FLAG_NONE, 0,
                 u32(static_cast<std::uint32_t>(last_stream)) + u32(code) + std::string(debug));
  }

 private:
  nghttp2_hd_deflater* deflater_ = nullptr;
};

struct Frame {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::int32_t stream = 0;
  std::string payload;
};

// The client's frames (its magic already taken off); a partial frame at
// the end fails the test.
std::vector<Frame> frames_of(std::string_view bytes) {
  std::vector<Frame> frames;
  while (bytes.size() >= 9) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const std::size_t size = (std::size_t{b[0]} << 16) | (std::size_t{b[1]} << 8) | b[2];
    if (bytes.size() < 9 + size) break;
    const auto stream = static_cast<std::int32_t>(
        (std::uint32_t{b[5]} << 24 | std::uint32_t{b[6]} << 16 | std::uint32_t{b[7]} << 8 | b[8]) &
        0x7fffffff);
    frames.push_back({b[3], b[4], stream, std::string(bytes.substr(9, size))});
    bytes.remove_prefix(9 + size);
  }
  EXPECT_TRUE(bytes.empty()) << bytes.size() << " bytes of a partial frame";
  return frames;
}

std::vector<std::uint8_t> types_of(const std::vector<Frame>& frames) {
  std::vector<std::uint8_t> types;
  for (const auto& f : frames) types.push_back(f.type);
  return types;
}

Fields decoded(std::string_view block) {
  nghttp2_hd_inflater* inflater = nullptr;
  nghttp2_hd_inflate_new(&inflater);
  Fields fields;
  auto* in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(block.data()));
  std::size_t left = block.size();
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    const auto used = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
    if (used < 0) break;
    in += used;
    left -= static_cast<std::size_t>(used);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0)
      fields.emplace_back(std::string(reinterpret_cast<char*>(nv.name), nv.namelen),
                          std::string(reinterpret_cast<char*>(nv.value), nv.valuelen));
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) break;
    if (used == 0 && left == 0) break;
  }
  nghttp2_hd_inflate_del(inflater);
  return fields;
}

// One h2c connection's client: the spec and its fields outlive the
// session, as the engine's prepared spec does.
class Http2SessionTest : public ::testing::Test {
 protected:
  void start(int streams = 1, std::string method = "GET", std::int64_t body_bytes = 0,
             std::int64_t upload_rate = 0) {
    session_.reset();  // before the spec it refers to changes
    spec_.url = "http://127.0.0.1/x";
    spec_.http = HttpMode::http2_prior_knowledge;
    spec_.method = std::move(method);
    spec_.streams = streams;
    spec_.body_bytes = body_bytes;
    spec_.upload_rate = upload_rate;
    fields_ = std::make_shared<const std::vector<HeaderField>>(
        http2_request_fields(spec_, *parse_target_url(spec_.url)));
    session_ = std::make_unique<Http2Session>(spec_, fields_);
  }

  // Everything the session has to send at now_us, as the kernel takes it all.
  std::string drain(std::int64_t now_us) {
    std::string sent;
    for (;;) {
      const std::string_view out = session_->output(now_us);
      if (out.empty()) return sent;
      sent += out;
      session_->output_sent(out.size(), now_us);
    }
  }
  // The request (magic, SETTINGS, ...) out, the server's SETTINGS in and acknowledged.
  std::vector<Frame> open(std::int64_t now_us = 0) {
    std::string first = drain(now_us);
    EXPECT_EQ(first.substr(0, kClientMagic.size()), kClientMagic);
    session_->input(ServerFrames::preface() + ServerFrames::settings_ack(), now_us);
    auto frames = frames_of(first.substr(std::min(first.size(), kClientMagic.size())));
    const auto ack = frames_of(drain(now_us));
    frames.insert(frames.end(), ack.begin(), ack.end());
    return frames;
  }

  Observation recorded(std::size_t exchange = 0) const {
    Observation o;
    session_->record(o, exchange);
    return o;
  }

  ProbeSpec spec_;
  std::shared_ptr<const std::vector<HeaderField>> fields_;
  std::unique_ptr<Http2Session> session_;
  ServerFrames server_;
};

// Every fact of a stream's record, in one comparable value.
auto facts_of(const Observation& o) {
  const Http2Facts& h = *o.http2;
  return std::tuple(o.status, o.interim_responses, o.http_version, o.header_bytes, o.body_bytes,
                    o.response_bytes, o.declared_length, o.response_complete, o.parse_error, o.error,
                    o.response_headers.server, o.module, o.timings.first_byte_us,
                    o.timings.response_complete_us, h.stream_id, h.end_stream, h.reset.has_value(),
                    h.refused_by_goaway, h.goaways.size(), h.settings, h.local_error);
}

TEST_F(Http2SessionTest, OutputStartsWithThePrefaceAndSettingsThenTheRequest) {
  start();
  const std::string out = drain(7);
  ASSERT_EQ(out.substr(0, kClientMagic.size()), kClientMagic);
  const auto frames = frames_of(out.substr(kClientMagic.size()));
  ASSERT_EQ(types_of(frames),
            (std::vector<std::uint8_t>{NGHTTP2_SETTINGS, NGHTTP2_WINDOW_UPDATE, NGHTTP2_HEADERS}));
  // No push, and a 16 MiB window so the server never waits for the probe.
  EXPECT_EQ(frames[0].payload, std::string("\0\x02", 2) + u32(0) + std::string("\0\x04", 2) + u32(16 << 20));
  EXPECT_EQ(frames[1].stream, 0);
  EXPECT_EQ(frames[1].payload, u32((16 << 20) - 65535));
  EXPECT_EQ(frames[2].stream, 1);
  EXPECT_EQ(frames[2].flags, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM);
  const Fields request = decoded(frames[2].payload);
  ASSERT_GE(request.size(), 4u);
  EXPECT_EQ(request[0], (std::pair<std::string, std::string>(":method", "GET")));
  EXPECT_EQ(request[1], (std::pair<std::string, std::string>(":scheme", "http")));
  EXPECT_EQ(request[2], (std::pair<std::string, std::string>(":authority", "127.0.0.1")));
  EXPECT_EQ(request[3], (std::pair<std::string, std::string>(":path", "/x")));
  for (const auto& [name, value] : request) EXPECT_NE(name, "host");

  EXPECT_EQ(session_->output(8), "");
  EXPECT_EQ(session_->output_resumes_us(), std::nullopt);
  const Observation o = recorded();
  EXPECT_TRUE(o.head_complete);
  EXPECT_TRUE(o.request_complete);
  EXPECT_EQ(o.head_bytes, static_cast<std::int64_t>(9 + frames[2].payload.size()));
  EXPECT_EQ(o.request_bytes_sent, o.head_bytes);
  EXPECT_EQ(o.timings.request_sent_us, 7);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.http_version, 0);
  EXPECT_FALSE(session_->response_done());
  EXPECT_FALSE(session_->close_announced());
}

TEST_F(Http2SessionTest, APartialSendResumesWhereTheKernelStopped) {
  start();
  const std::string all(session_->output(0));
  session_->output_sent(10, 0);
  EXPECT_EQ(session_->output(1), all.substr(10));
  session_->output_sent(all.size() - 10, 1);
  EXPECT_EQ(session_->output(2), "");
}

TEST_F(Http2SessionTest, StreamsOpenAsManyRequestsOnTheConnection) {
  start(3);
  EXPECT_EQ(session_->exchange_count(), 3u);
  const auto frames = open();
  std::vector<std::int32_t> opened;
  for (const auto& f : frames) {
    if (f.type == NGHTTP2_HEADERS) opened.push_back(f.stream);
  }
  EXPECT_EQ(opened, (std::vector<std::int32_t>{1, 3, 5}));
  for (std::size_t i = 0; i < 3; ++i) {
    const Observation o = recorded(i);
    ASSERT_TRUE(o.http2);
    EXPECT_EQ(o.http2->stream_id, static_cast<std::int32_t>(1 + 2 * i));
    EXPECT_EQ(o.http2->streams_on_connection, 3);
  }
  EXPECT_THROW(recorded(3), std::out_of_range);
}

TEST_F(Http2SessionTest, TheServersSettingsAreAcknowledgedAndRecordedOnce) {
  start();
  drain(0);
  session_->input(ServerFrames::settings({{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                          {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 65535},
                                          {0x10, 7}}),
                  5);
  const auto answer = frames_of(drain(6));
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0].type, NGHTTP2_SETTINGS);
  EXPECT_EQ(answer[0].flags, NGHTTP2_FLAG_ACK);
  session_->input(ServerFrames::settings({{NGHTTP2_SETTINGS_MAX_FRAME_SIZE, 32768}}), 7);
  const std::vector<std::pair<std::string, std::uint32_t>> first = {
      {"MAX_CONCURRENT_STREAMS", 100}, {"INITIAL_WINDOW_SIZE", 65535}, {"0x10", 7}};
  EXPECT_EQ(recorded().http2->settings, first);
}

TEST_F(Http2SessionTest, ACompleteResponse) {
  start();
  open(0);
  const std::string headers = server_.headers(
      1, {{":status", "200"}, {"content-length", "5"}, {"server", "h2-test"}, {"x-termprobe-module", "m"}},
      false);
  session_->input(headers, 100);
  EXPECT_FALSE(session_->response_done());
  session_->input(ServerFrames::data(1, "hel", false), 150);
  session_->input(ServerFrames::data(1, "lo", true), 200);
  EXPECT_TRUE(session_->response_done());

  const Observation o = recorded();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.http_version, 20);
  EXPECT_EQ(o.declared_length, 5);
  EXPECT_EQ(o.body_bytes, 5);
  EXPECT_EQ(o.header_bytes, static_cast<std::int64_t>(headers.size()));
  EXPECT_EQ(o.response_bytes, static_cast<std::int64_t>(headers.size()) + 5);
  EXPECT_EQ(o.final_response_bytes, o.response_bytes);
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.response_headers.server, "h2-test");
  EXPECT_EQ(o.module, "m");
  EXPECT_EQ(o.parse_error, "");
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.timings.first_byte_us, 100);
  EXPECT_EQ(o.timings.response_complete_us, 200);
  ASSERT_TRUE(o.http2);
  EXPECT_TRUE(o.http2->end_stream);
  EXPECT_FALSE(o.http2->reset);
  EXPECT_FALSE(o.http2->refused_by_goaway);
  EXPECT_TRUE(o.http2->goaways.empty());
  EXPECT_EQ(o.http2->local_error, "");
}

// A header block too big for one frame goes on in CONTINUATION frames
// (RFC 9113 §6.10): all of them are the response's header bytes, frame
// headers included. (nghttp2 reports the block as one HEADERS frame whose
// length is the block's: the CONTINUATION frames' headers are not in it.)
TEST_F(Http2SessionTest, HeaderBytesCountEveryFrameOfTheBlock) {
  start();
  open(0);
  const std::string block = server_.header_block({{":status", "200"}, {"server", std::string(100, 's')}});
  const std::string bytes = frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_STREAM, 1, block.substr(0, 10)) +
                            frame(NGHTTP2_CONTINUATION, NGHTTP2_FLAG_NONE, 1, block.substr(10, 20)) +
                            frame(NGHTTP2_CONTINUATION, NGHTTP2_FLAG_END_HEADERS, 1, block.substr(30));
  session_->input(bytes, 10);
  const Observation o = recorded();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.response_headers.server, std::string(100, 's'));
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.header_bytes, static_cast<std::int64_t>(bytes.size()));
}

TEST_F(Http2SessionTest, EachStreamIsItsOwnExchange) {
  start(2);
  open(0);
  session_->input(server_.headers(3, {{":status", "404"}}, true), 10);
  EXPECT_FALSE(session_->response_done());  // stream 1 has not answered
  session_->input(server_.headers(1, {{":status", "200"}, {"content-length", "2"}}, false) +
                      ServerFrames::data(1, "ok", true),
                  20);
  EXPECT_TRUE(session_->response_done());
  EXPECT_EQ(recorded(0).status, 200);
  EXPECT_EQ(recorded(0).body_bytes, 2);
  EXPECT_EQ(recorded(0).timings.response_complete_us, 20);
  EXPECT_EQ(recorded(1).status, 404);
  EXPECT_EQ(recorded(1).http2->stream_id, 3);
  EXPECT_EQ(recorded(1).timings.first_byte_us, 10);
  EXPECT_EQ(recorded(1).timings.response_complete_us, 10);
}

TEST_F(Http2SessionTest, AnInterimResponseIsNotTheFinalOne) {
  start();
  open(0);
  session_->input(server_.headers(1, {{":status", "103"}, {"link", "</a>"}}, false), 10);
  EXPECT_EQ(recorded().timings.first_byte_us, std::nullopt);
  session_->input(server_.headers(1, {{":status", "204"}}, true), 20);
  const Observation o = recorded();
  EXPECT_EQ(o.interim_responses, 1);
  EXPECT_EQ(o.status, 204);
  EXPECT_EQ(o.timings.first_byte_us, 20);
  EXPECT_TRUE(o.response_complete);
}

TEST_F(Http2SessionTest, AResetIsRecordedWithItsCodeAndWhenItCame) {
  struct Case {
    std::string when;
    std::uint32_t code;
    std::string code_name;
    std::int64_t body_before;
  };
  for (const Case& c : {Case{"before_headers", NGHTTP2_REFUSED_STREAM, "REFUSED_STREAM", 0},
                        Case{"after_headers", NGHTTP2_CANCEL, "CANCEL", 0},
                        Case{"mid_data", NGHTTP2_INTERNAL_ERROR, "INTERNAL_ERROR", 3},
                        Case{"after_end_stream", NGHTTP2_NO_ERROR, "NO_ERROR", 3},
                        Case{"before_headers", 0x1111, "0x1111", 0}}) {
    start();
    ServerFrames server;
    open(0);
    if (c.when != "before_headers") session_->input(server.headers(1, {{":status", "200"}}, false), 10);
    if (c.when == "mid_data" || c.when == "after_end_stream")
      session_->input(ServerFrames::data(1, "abc", c.when == "after_end_stream"), 20);
    session_->input(ServerFrames::rst_stream(1, c.code), 30);
    EXPECT_TRUE(session_->response_done()) << c.when;
    const Observation o = recorded();
    ASSERT_TRUE(o.http2->reset) << c.when;
    EXPECT_EQ(o.http2->reset->code, c.code);
    EXPECT_EQ(o.http2->reset->code_name, c.code_name);
    EXPECT_EQ(o.http2->reset->when, c.when);
    EXPECT_EQ(o.http2->reset->body_bytes_before, c.body_before);
    EXPECT_EQ(o.http2->reset->at_us, 30);
    EXPECT_EQ(o.error, "the server reset stream 1: " + c.code_name);
    // A reset after END_STREAM does not take a whole response back.
    EXPECT_EQ(o.response_complete, c.when == "after_end_stream") << c.when;
    EXPECT_EQ(o.body_bytes, c.body_before);
  }
}

TEST_F(Http2SessionTest, AGoawayRefusesTheStreamsAboveItsLastStreamId) {
  start(3);
  open(0);
  session_->input(server_.headers(1, {{":status", "200"}}, true), 10);
  session_->input(ServerFrames::goaway(1, NGHTTP2_NO_ERROR, "bye"), 20);
  EXPECT_TRUE(session_->response_done());
  const Observation first = recorded(0);
  EXPECT_FALSE(first.http2->refused_by_goaway);
  EXPECT_TRUE(first.response_complete);
  EXPECT_EQ(first.error, "");
  for (std::size_t i : {1u, 2u}) {
    const Observation o = recorded(i);
    EXPECT_TRUE(o.http2->refused_by_goaway) << i;
    EXPECT_EQ(o.status, 0);
    EXPECT_FALSE(o.response_complete);
    EXPECT_EQ(o.error,
              "GOAWAY: stream " + std::to_string(o.http2->stream_id) + " was not processed (safe to retry)");
    ASSERT_EQ(o.http2->goaways.size(), 1u);
    const Http2Goaway& g = o.http2->goaways[0];
    EXPECT_EQ(g.last_stream_id, 1);
    EXPECT_EQ(g.code, 0u);
    EXPECT_EQ(g.code_name, "NO_ERROR");
    EXPECT_EQ(g.debug, "bye");
    EXPECT_EQ(g.at_us, 20);
  }
}

// A graceful shutdown's two GOAWAYs: the second comes after nghttp2 stopped
// reading (no stream left), and is still recorded.
TEST_F(Http2SessionTest, EveryGoawayIsRecordedInOrder) {
  start();
  open(0);
  session_->input(ServerFrames::goaway(0x7fffffff, NGHTTP2_NO_ERROR), 10);
  EXPECT_FALSE(session_->response_done());
  session_->input(server_.headers(1, {{":status", "200"}}, true), 20);
  session_->input(ServerFrames::goaway(1, NGHTTP2_NO_ERROR), 30);
  session_->input(ServerFrames::goaway(1, NGHTTP2_ENHANCE_YOUR_CALM, "calm"), 40);
  session_->input(ServerFrames::rst_stream(1, NGHTTP2_CANCEL), 50);
  const Observation o = recorded();
  EXPECT_TRUE(o.response_complete);
  ASSERT_EQ(o.http2->goaways.size(), 3u);
  EXPECT_EQ(o.http2->goaways[0].last_stream_id, 0x7fffffff);
  EXPECT_EQ(o.http2->goaways[1].last_stream_id, 1);
  EXPECT_EQ(o.http2->goaways[2].code_name, "ENHANCE_YOUR_CALM");
  EXPECT_EQ(o.http2->goaways[2].debug, "calm");
  EXPECT_EQ(o.http2->goaways[2].at_us, 40);
  ASSERT_TRUE(o.http2->reset);
  EXPECT_EQ(o.http2->reset->when, "after_end_stream");
  EXPECT_EQ(o.http2->reset->at_us, 50);
  EXPECT_FALSE(o.http2->refused_by_goaway);
}

TEST_F(Http2SessionTest, ABodyShorterThanItsContentLengthIsTruncated) {
  start();
  open(0);
  session_->input(server_.headers(1, {{":status", "200"}, {"content-length", "10"}}, false) +
                      ServerFrames::data(1, "four", true),
                  10);
  EXPECT_TRUE(session_->response_done());
  const Observation o = recorded();
  EXPECT_TRUE(o.http2->end_stream);
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.body_bytes, 4);
  EXPECT_EQ(o.declared_length, 10);
  EXPECT_EQ(o.parse_error, "");
  EXPECT_EQ(o.timings.response_complete_us, std::nullopt);
}

TEST_F(Http2SessionTest, ABodyLongerThanItsContentLengthIsABadResponse) {
  start();
  open(0);
  session_->input(server_.headers(1, {{":status", "200"}, {"content-length", "10"}}, false) +
                      ServerFrames::data(1, "twelve bytes", true),
                  10);
  const Observation o = recorded();
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.parse_error, "HTTP/2: 12 DATA bytes for content-length 10");
}

// The excess is malformed the moment it arrives (RFC 9113 §8.1.1): the
// probe waits for no END_STREAM, and every byte that came is counted.
TEST_F(Http2SessionTest, DataBeyondTheContentLengthEndsTheWaitAtOnce) {
  start();
  open(0);
  session_->input(server_.headers(1, {{":status", "200"}, {"content-length", "10"}}, false) +
                      ServerFrames::data(1, "ten bytes!", false),
                  10);
  EXPECT_FALSE(session_->response_done());
  session_->input(ServerFrames::data(1, std::string(1000, 'x'), false), 20);
  EXPECT_TRUE(session_->response_done());
  const Observation o = recorded();
  EXPECT_EQ(o.body_bytes, 1010);
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.parse_error, "HTTP/2: 1010 DATA bytes for content-length 10");
}

// A frame header above SETTINGS_MAX_FRAME_SIZE (16384; the probe never
// raises it) is a connection error once its 9 bytes are in: nothing of the
// frame is waited for or kept, nothing after it is read, nothing is sent.
TEST_F(Http2SessionTest, AFrameHeaderAboveTheMaxFrameSizeIsAViolationAtOnce) {
  start();
  open(0);
  session_->input(server_.headers(1, {{":status", "200"}, {"content-length", "10"}}, false), 10);
  const std::string huge_header = {'\xff', '\xff', '\xff', NGHTTP2_DATA, 0, 0, 0, 0, 1};
  session_->input(huge_header + std::string(100, 'x'), 20);
  EXPECT_TRUE(session_->response_done());
  session_->input(std::string(1 << 20, 'x'), 30);  // the rest of it: dropped, not kept
  const Observation o = recorded();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.parse_error,
            "HTTP/2 FRAME_SIZE_ERROR: the server's frame header (type 0, stream 1) declares 16777215 bytes, "
            "above SETTINGS_MAX_FRAME_SIZE 16384; the probe stopped reading (no GOAWAY sent)");
  EXPECT_TRUE(o.first_bytes_hex.empty());
  EXPECT_EQ(drain(40), "");
  // 16384 itself is allowed.
  start();
  open(0);
  session_->input(
      server_.headers(1, {{":status", "200"}}, false) + ServerFrames::data(1, std::string(16384, 'x'), false),
      10);
  EXPECT_FALSE(session_->response_done());
  EXPECT_EQ(recorded().body_bytes, 16384);
}

// A connection error nghttp2 finds (here DATA on stream 0) is the server's
// violation for every stream still waiting, named at once; a stream
// answered before it keeps its own end.
TEST_F(Http2SessionTest, AConnectionErrorIsTheViolationOfTheStreamsStillWaiting) {
  start(2);
  open(0);
  session_->input(server_.headers(1, {{":status", "200"}}, true), 10);
  session_->input(ServerFrames::data(0, "x", false), 20);
  EXPECT_TRUE(session_->response_done());
  EXPECT_EQ(recorded(0).parse_error, "");
  EXPECT_TRUE(recorded(0).response_complete);
  const Observation o = recorded(1);
  EXPECT_EQ(o.parse_error.substr(0, 23), "HTTP/2 PROTOCOL_ERROR: ") << o.parse_error;
  EXPECT_EQ(o.parse_error.find("the server broke the protocol"), std::string::npos)
      << "nghttp2 said what: " << o.parse_error;
  EXPECT_NE(o.parse_error.find("the probe stopped reading (no GOAWAY sent)"), std::string::npos);
  EXPECT_EQ(o.http2->local_error,
            "the probe's HTTP/2 stack would have sent GOAWAY (PROTOCOL_ERROR); not sent");
}

// A server may send GOAWAY without end: the first 8 and the latest are
// kept, with how many came.
TEST_F(Http2SessionTest, RepeatedGoawaysKeepTheFirstEightAndTheLatest) {
  start();
  open(0);
  session_->input(server_.headers(1, {{":status", "200"}}, true), 10);
  std::string goaways;
  for (std::uint32_t code = 0; code < 100; ++code) goaways += ServerFrames::goaway(1, code);
  session_->input(goaways, 20);
  const Observation o = recorded();
  EXPECT_EQ(o.parse_error, "");
  EXPECT_EQ(o.http2->goaways_total, 100);
  EXPECT_EQ(o.http2->goaways_dropped, 91);
  ASSERT_EQ(o.http2->goaways.size(), 9u);
  for (std::uint32_t i = 0; i < 8; ++i) EXPECT_EQ(o.http2->goaways[i].code, i);
  EXPECT_EQ(o.http2->goaways[8].code, 99u);
}

TEST_F(Http2SessionTest, AHeadOr204Or304DeclaresALengthItNeverSends) {
  for (const auto& [method, status] :
       {std::pair<std::string, std::string>{"HEAD", "200"}, {"GET", "204"}, {"GET", "304"}}) {
    start(1, method);
    ServerFrames server;
    open(0);
    session_->input(server.headers(1, {{":status", status}, {"content-length", "100"}}, true), 10);
    const Observation o = recorded();
    EXPECT_TRUE(o.response_complete) << method << " " << status;
    EXPECT_EQ(o.parse_error, "");
    EXPECT_EQ(o.method, method);
  }
}

// The server's bytes at every split into two reads: a frame cut anywhere,
// the frame header included, gives the same record.
TEST_F(Http2SessionTest, AFrameSplitAcrossInputsGivesTheSameRecord) {
  ServerFrames frames;
  const std::string bytes = ServerFrames::preface() + ServerFrames::settings_ack() +
                            frames.headers(1, {{":status", "200"}, {"content-length", "3"}}, false) +
                            ServerFrames::data(1, "abc", true) +
                            ServerFrames::rst_stream(1, NGHTTP2_NO_ERROR) +
                            ServerFrames::goaway(1, NGHTTP2_NO_ERROR, "done");
  auto record_split = [&](std::size_t at) {
    start();
    drain(0);
    session_->input(std::string_view(bytes).substr(0, at), 10);
    session_->input(std::string_view(bytes).substr(at), 10);
    return recorded();
  };
  const auto whole = facts_of(record_split(bytes.size()));
  EXPECT_EQ(std::get<0>(whole), 200);
  EXPECT_EQ(std::get<7>(whole), true);
  for (std::size_t at = 0; at < bytes.size(); ++at) EXPECT_EQ(facts_of(record_split(at)), whole) << at;
}

TEST_F(Http2SessionTest, OneByteAtATimeGivesEachFramesTime) {
  start();
  drain(0);
  const std::string bytes = ServerFrames::preface() +
                            server_.headers(1, {{":status", "200"}, {"content-length", "3"}}, false) +
                            ServerFrames::data(1, "abc", true);
  for (std::size_t i = 0; i < bytes.size(); ++i)
    session_->input(std::string_view(bytes).substr(i, 1), static_cast<std::int64_t>(i));
  const Observation o = recorded();
  const auto headers_end = static_cast<std::int64_t>(bytes.size()) - 12 - 1;
  EXPECT_EQ(o.timings.first_byte_us, headers_end);  // the HEADERS frame is read when whole
  EXPECT_EQ(o.timings.response_complete_us, static_cast<std::int64_t>(bytes.size()) - 1);
  EXPECT_TRUE(o.response_complete);
}

TEST_F(Http2SessionTest, AServerWhoseFirstFrameIsNotSettingsIsNotHttp2) {
  start();
  drain(0);
  const std::string answer = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
  session_->input(answer.substr(0, 5), 10);  // less than a frame header: not judged yet
  EXPECT_FALSE(session_->response_done());
  session_->input(answer.substr(5), 20);
  EXPECT_TRUE(session_->response_done());
  EXPECT_EQ(session_->output(30), "");
  const Observation o = recorded();
  EXPECT_EQ(o.parse_error, "not an HTTP/2 server: its first frame is not SETTINGS");
  EXPECT_EQ(o.first_bytes_hex, to_hex(answer));
  EXPECT_EQ(o.status, 0);
  EXPECT_FALSE(o.response_complete);
}

TEST_F(Http2SessionTest, AFirstFrameThatIsHttp2ButNotSettingsIsRefusedToo) {
  start();
  drain(0);
  const std::string headers = server_.headers(1, {{":status", "200"}}, true);
  session_->input(headers, 10);
  EXPECT_TRUE(session_->response_done());
  const Observation o = recorded();
  EXPECT_EQ(o.parse_error, "not an HTTP/2 server: its first frame is not SETTINGS");
  EXPECT_EQ(o.status, 0);  // never handed to nghttp2
  EXPECT_EQ(o.first_bytes_hex, to_hex(headers));
}

// The probe sends nothing the server did not cause, and never ends anything
// itself: a connection error that nghttp2 answers with GOAWAY, and a stream
// error it answers with RST_STREAM, are noted and not sent.
TEST_F(Http2SessionTest, TheSessionNeverSendsAGoawayOfItsOwn) {
  start();
  open(0);
  // DATA on stream 0 is a connection error (RFC 9113 §6.1).
  session_->input(ServerFrames::data(0, "x", false), 10);
  const auto frames = frames_of(drain(11));
  for (const auto& f : frames) {
    EXPECT_NE(f.type, NGHTTP2_GOAWAY);
    EXPECT_NE(f.type, NGHTTP2_RST_STREAM);
  }
  const Observation o = recorded();
  EXPECT_EQ(o.http2->local_error,
            "the probe's HTTP/2 stack would have sent GOAWAY (PROTOCOL_ERROR); not sent");
  EXPECT_TRUE(o.http2->goaways.empty());  // only the server's are listed
}

// nghttp2 answers a header block it cannot decode with RST_STREAM and
// GOAWAY, both COMPRESSION_ERROR (RFC 9113 §4.3): neither goes out. (Only
// the last cancelled frame is noted, so local_error names the GOAWAY.)
TEST_F(Http2SessionTest, TheSessionNeverResetsAStreamOfItsOwn) {
  start();
  open(0);
  // HPACK index 0 does not exist.
  session_->input(frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1, "\x80"), 10);
  const auto frames = frames_of(drain(11));
  for (const auto& f : frames) {
    EXPECT_NE(f.type, NGHTTP2_GOAWAY);
    EXPECT_NE(f.type, NGHTTP2_RST_STREAM);
  }
  const Observation o = recorded();
  EXPECT_EQ(o.http2->local_error,
            "the probe's HTTP/2 stack would have sent GOAWAY (COMPRESSION_ERROR); not sent");
  EXPECT_FALSE(o.http2->reset);  // the server did not reset it
  EXPECT_EQ(o.status, 0);
}

// After nghttp2 decided to end the connection (its GOAWAY cancelled, the
// connection still open) the server goes on: its answer and its GOAWAY
// are still recorded. (nghttp2 ignores every frame after its own
// connection error; the session reads them itself.) The probe waits for
// nothing more: it watches how the server ends the connection.
TEST_F(Http2SessionTest, WhatTheServerSendsAfterALocalErrorIsStillRecorded) {
  start();
  open(0);
  session_->input(ServerFrames::data(0, "x", false), 10);
  drain(10);
  session_->input(server_.headers(1, {{":status", "200"}}, true), 20);
  drain(20);
  session_->input(ServerFrames::goaway(1, NGHTTP2_PROTOCOL_ERROR, "DATA on stream 0"), 30);
  const Observation o = recorded();
  EXPECT_EQ(o.http2->local_error,
            "the probe's HTTP/2 stack would have sent GOAWAY (PROTOCOL_ERROR); not sent");
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.http2->goaways.size(), 1u);
  if (!o.http2->goaways.empty()) {
    EXPECT_EQ(o.http2->goaways[0].code_name, "PROTOCOL_ERROR");
  }
  EXPECT_TRUE(session_->response_done());
}

// The same in one read: the frames after the bad one are the probe's to
// read at once, and the violation is named before the probe stops (it may
// never ask for output again).
TEST_F(Http2SessionTest, FramesInTheReadAfterALocalErrorAreRecordedAndTheProbeStops) {
  start();
  open(0);
  session_->input(ServerFrames::data(0, "x", false), 10);
  EXPECT_TRUE(session_->response_done());
  EXPECT_EQ(recorded().http2->local_error,
            "the probe's HTTP/2 stack would have sent GOAWAY (PROTOCOL_ERROR); not sent");
  session_->input(server_.headers(1, {{":status", "200"}, {"content-length", "3"}, {"server", "s"}}, false) +
                      ServerFrames::data(1, "a", false) + ServerFrames::data(1, "bc", true) +
                      ServerFrames::rst_stream(1, NGHTTP2_NO_ERROR) +
                      ServerFrames::goaway(1, NGHTTP2_PROTOCOL_ERROR, "DATA on stream 0"),
                  20);
  const Observation o = recorded();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.response_headers.server, "s");
  EXPECT_EQ(o.body_bytes, 3);
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.timings.first_byte_us, 20);
  EXPECT_EQ(o.timings.response_complete_us, 20);
  ASSERT_TRUE(o.http2->reset);
  EXPECT_EQ(o.http2->reset->when, "after_end_stream");
  ASSERT_EQ(o.http2->goaways.size(), 1u);
  EXPECT_EQ(o.http2->goaways[0].debug, "DATA on stream 0");
  for (const auto& f : frames_of(drain(21))) {
    EXPECT_NE(f.type, NGHTTP2_GOAWAY);
    EXPECT_NE(f.type, NGHTTP2_RST_STREAM);
  }
}

// HPACK's dynamic table is the connection's: a block after the local error
// that refers to what an earlier block (read by nghttp2) added decodes as
// the server meant it. A CONTINUATION frame's header counts as before.
TEST_F(Http2SessionTest, HeaderBlocksAfterALocalErrorDecodeWithTheConnectionsTable) {
  start(2);
  open(0);
  const Fields fields = {{":status", "200"}, {"server", "indexed-by-the-first-block"}};
  session_->input(server_.headers(1, fields, true), 10);
  ASSERT_EQ(recorded(0).response_headers.server, "indexed-by-the-first-block");
  session_->input(ServerFrames::data(0, "x", false), 20);
  const std::string block = server_.header_block(fields);
  ASSERT_LT(block.size(), 5u);  // both fields from the dynamic table
  const std::string bytes = frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_STREAM, 3, block.substr(0, 1)) +
                            frame(NGHTTP2_CONTINUATION, NGHTTP2_FLAG_END_HEADERS, 3, block.substr(1));
  session_->input(bytes, 30);
  const Observation o = recorded(1);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.response_headers.server, "indexed-by-the-first-block");
  EXPECT_EQ(o.header_bytes, static_cast<std::int64_t>(bytes.size()));
  EXPECT_TRUE(o.response_complete);
}

TEST_F(Http2SessionTest, APingIsAnsweredAndNothingElseIsSent) {
  start();
  open(0);
  session_->input(frame(NGHTTP2_PING, NGHTTP2_FLAG_NONE, 0, "12345678"), 10);
  const auto frames = frames_of(drain(11));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, NGHTTP2_PING);
  EXPECT_EQ(frames[0].flags, NGHTTP2_FLAG_ACK);
  EXPECT_EQ(frames[0].payload, "12345678");
  session_->input(server_.headers(1, {{":status", "200"}}, true), 20);
  EXPECT_EQ(drain(21), "");  // a finished response asks for nothing
}

TEST_F(Http2SessionTest, TheServersFinChangesNothingByItself) {
  start();
  open(0);
  session_->input(server_.headers(1, {{":status", "200"}, {"content-length", "9"}}, false) +
                      ServerFrames::data(1, "abc", false),
                  10);
  session_->input_ended(20);
  EXPECT_FALSE(session_->response_done());
  const Observation o = recorded();
  EXPECT_FALSE(o.response_complete);
  EXPECT_FALSE(o.http2->end_stream);
  EXPECT_EQ(o.body_bytes, 3);
  EXPECT_EQ(o.timings.response_complete_us, std::nullopt);
}

TEST_F(Http2SessionTest, TheNextRoundOpensTheSpecsStreamsAgain) {
  start(2);
  open(0);
  session_->input(
      server_.headers(1, {{":status", "200"}}, true) + server_.headers(3, {{":status", "200"}}, true), 10);
  ASSERT_TRUE(session_->response_done());
  session_->begin_next_request(0);
  EXPECT_FALSE(session_->response_done());
  EXPECT_EQ(session_->exchange_count(), 2u);
  std::vector<std::int32_t> opened;
  for (const auto& f : frames_of(drain(100))) {
    if (f.type == NGHTTP2_HEADERS) opened.push_back(f.stream);
  }
  EXPECT_EQ(opened, (std::vector<std::int32_t>{5, 7}));
  EXPECT_EQ(recorded(0).http2->stream_id, 5);
  EXPECT_EQ(recorded(1).http2->streams_on_connection, 4);
  EXPECT_EQ(recorded(1).status, 0);
  EXPECT_EQ(recorded(0).timings.request_sent_us, 100);
}

// 1000 B/s in quanta of 50 B: DATA frames follow the rate, and the session
// says when the next one may go.
TEST_F(Http2SessionTest, AnUploadRateHoldsTheDataFramesBack) {
  start(1, "POST", 120, 1000);
  const auto first = frames_of(drain(1000).substr(kClientMagic.size()));
  ASSERT_EQ(types_of(first), (std::vector<std::uint8_t>{NGHTTP2_SETTINGS, NGHTTP2_WINDOW_UPDATE,
                                                        NGHTTP2_HEADERS, NGHTTP2_DATA}));
  EXPECT_EQ(first[2].flags, NGHTTP2_FLAG_END_HEADERS);
  EXPECT_EQ(first[3].payload, std::string(50, 'x'));
  EXPECT_EQ(session_->output_resumes_us(), 51'001);
  EXPECT_EQ(drain(51'001), ServerFrames::data(1, std::string(50, 'x'), false));
  EXPECT_EQ(session_->output_resumes_us(), 101'001);
  EXPECT_EQ(drain(101'001), ServerFrames::data(1, std::string(20, 'x'), true));
  EXPECT_EQ(session_->output_resumes_us(), std::nullopt);
  const Observation o = recorded();
  EXPECT_TRUE(o.request_complete);
  EXPECT_EQ(o.body_bytes_total, 120);
  EXPECT_EQ(o.body_bytes_sent, 120);
  EXPECT_EQ(o.timings.request_sent_us, 101'001);
}

// Observation says request_complete and body_bytes_sent count what was
// handed to the kernel: a frame nghttp2 serialized into output() is not
// sent until output_sent() says the kernel took it.
TEST_F(Http2SessionTest, NothingCountsAsSentBeforeTheKernelTookIt) {
  start(1, "POST", 1000);
  EXPECT_FALSE(session_->output(5).empty());
  const Observation o = recorded();
  EXPECT_FALSE(o.request_complete);
  EXPECT_EQ(o.body_bytes_sent, 0);
  EXPECT_EQ(o.timings.request_sent_us, std::nullopt);
  EXPECT_FALSE(o.head_complete);
  EXPECT_EQ(o.request_bytes_sent, 0);
}

// DATA payload counts byte by byte as the kernel takes it, as an HTTP/1.1
// body does; the head once all of its bytes went, END_STREAM (the request
// complete, its time) once the frame's last byte did.
TEST_F(Http2SessionTest, TheKernelsTakingIsCreditedFrameByFrame) {
  start(1, "POST", 1000);
  const std::string out(session_->output(5));
  const auto frames = frames_of(out.substr(kClientMagic.size()));
  ASSERT_EQ(types_of(frames), (std::vector<std::uint8_t>{NGHTTP2_SETTINGS, NGHTTP2_WINDOW_UPDATE,
                                                         NGHTTP2_HEADERS, NGHTTP2_DATA}));
  const std::size_t head = 9 + frames[2].payload.size();
  const std::size_t head_end = out.size() - 1000 - 9;
  session_->output_sent(head_end - 1, 6);
  EXPECT_FALSE(recorded().head_complete);
  EXPECT_EQ(recorded().request_bytes_sent, 0);
  session_->output_sent(1 + 9 + 100, 7);
  Observation o = recorded();
  EXPECT_TRUE(o.head_complete);
  EXPECT_EQ(o.head_bytes, static_cast<std::int64_t>(head));
  EXPECT_EQ(o.body_bytes_sent, 100);
  EXPECT_EQ(o.request_bytes_sent, static_cast<std::int64_t>(head) + 100);
  EXPECT_FALSE(o.request_complete);
  EXPECT_EQ(session_->output(8), out.substr(head_end + 9 + 100));
  session_->output_sent(899, 8);
  EXPECT_EQ(recorded().body_bytes_sent, 999);
  EXPECT_FALSE(recorded().request_complete);
  session_->output_sent(1, 9);
  o = recorded();
  EXPECT_EQ(o.body_bytes_sent, 1000);
  EXPECT_TRUE(o.request_complete);
  EXPECT_EQ(o.timings.request_sent_us, 9);
  EXPECT_EQ(session_->output(10), "");
}

// A head too big for one frame goes on in CONTINUATION frames: all of
// them are the head's bytes, and it is sent once the last one is.
TEST_F(Http2SessionTest, AHeadInSeveralFramesIsSentWhenItsLastFrameIs) {
  spec_.headers = {"x-big: " + std::string(40000, 'b')};
  start();
  const std::string out = drain(3);
  const auto frames = frames_of(out.substr(kClientMagic.size()));
  std::size_t head = 0;
  for (const auto& f : frames) {
    if (f.type == NGHTTP2_HEADERS || f.type == NGHTTP2_CONTINUATION) head += 9 + f.payload.size();
  }
  ASSERT_EQ(frames.back().type, NGHTTP2_CONTINUATION);
  const Observation o = recorded();
  EXPECT_EQ(o.head_bytes, static_cast<std::int64_t>(head));
  EXPECT_EQ(o.request_bytes_sent, o.head_bytes);
  EXPECT_TRUE(o.request_complete);
  EXPECT_EQ(o.timings.request_sent_us, 3);
}

}  // namespace
}  // namespace termprobe
