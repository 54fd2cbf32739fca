// The host over HTTP/2 (h2c with prior knowledge), driven over 127.0.0.1 by
// a blocking nghttp2 client that also reads the raw frames: the exact
// RST_STREAM codes, what was sent before each reset, the GOAWAYs and
// whether the connection stays open. Runs under ThreadSanitizer with the
// other host suites (scripts/test).
#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "fixtures/h2_blocking_client.h"
#include "loopback_client.h"
#include "module_host.h"

namespace termprobe_host {
namespace {

using namespace std::chrono_literals;
using termprobe::fixtures::H2ClientOptions;
using termprobe::fixtures::H2Exchange;
using termprobe::fixtures::run_h2_client;
using termprobe::fixtures::TcpEnding;

constexpr std::int32_t kMaxStreamId = 0x7fffffff;

std::unique_ptr<ModuleHost> start_host() {
  unsetenv("TERMPROBE_TOKEN");
  unsetenv("TERMPROBE_PREFIX");
  auto host = ModuleHost::start({"127.0.0.1", 0});
  EXPECT_TRUE(host) << host.error();
  return host ? std::move(*host) : nullptr;
}

H2Exchange h2_get(const ModuleHost& host, const std::string& path, int streams = 1) {
  H2ClientOptions options;
  options.path = path;
  options.streams = streams;
  return run_h2_client(host.port(), options);
}

// Index of the first frame named name at or after from; frames.size() if none.
std::size_t position(const H2Exchange& seen, const std::string& name, std::size_t from = 0) {
  const auto it = std::find(seen.frames.begin() + static_cast<std::ptrdiff_t>(from), seen.frames.end(), name);
  return static_cast<std::size_t>(it - seen.frames.begin());
}

TEST(ModuleHostH2, OkIsAWholeResponseOnAnOpenConnection) {
  const auto host = start_host();
  const auto seen = h2_get(*host, "/termprobe/ok?bytes=100000");
  ASSERT_EQ(seen.streams.size(), 1u);
  EXPECT_EQ(seen.streams[0].status, 200);
  EXPECT_EQ(seen.streams[0].data_bytes, 100000u);
  EXPECT_TRUE(seen.streams[0].end_stream);
  EXPECT_FALSE(seen.streams[0].reset_code);
  EXPECT_TRUE(seen.goaways.empty());
  EXPECT_EQ(seen.ending, TcpEnding::open);
}

TEST(ModuleHostH2, ManyStreamsOnOneConnectionAllRunTheModule) {
  const auto host = start_host();
  const auto seen = h2_get(*host, "/termprobe/ok?delay_ms=20", 7);
  ASSERT_EQ(seen.streams.size(), 7u);
  for (const auto& stream : seen.streams) {
    EXPECT_EQ(stream.status, 200) << "stream " << stream.id;
    EXPECT_EQ(stream.data_bytes, std::string("termprobe ok\n").size());
  }
}

TEST(ModuleHostH2, ResetStreamBeforeTheResponseSendsExactlyItsCode) {
  const auto host = start_host();
  for (const std::uint32_t code : {0u, 2u, 8u, 1111u}) {
    const auto seen = h2_get(*host, "/termprobe/reset-stream?code=" + std::to_string(code));
    ASSERT_EQ(seen.streams.size(), 1u);
    EXPECT_EQ(seen.streams[0].reset_code, code);
    EXPECT_EQ(seen.streams[0].status, 0) << "no HEADERS before the RST_STREAM";
    EXPECT_EQ(seen.streams[0].data_bytes, 0u);
    EXPECT_EQ(seen.ending, TcpEnding::open) << "a stream reset leaves the connection alone";
  }
}

TEST(ModuleHostH2, ResetStreamAfterHeadersSendsHeadersThenTheReset) {
  const auto host = start_host();
  const auto seen = h2_get(*host, "/termprobe/reset-stream?code=2&after=headers");
  ASSERT_EQ(seen.streams.size(), 1u);
  EXPECT_EQ(seen.streams[0].status, 200);
  EXPECT_EQ(seen.streams[0].data_bytes, 0u);
  EXPECT_EQ(seen.streams[0].reset_code, 2u);
  EXPECT_LT(position(seen, "HEADERS"), position(seen, "RST_STREAM"));
}

TEST(ModuleHostH2, ResetStreamAfterDataSendsHalfTheBodyThenTheReset) {
  const auto host = start_host();
  const auto seen = h2_get(*host, "/termprobe/reset-stream?code=8&after=data&bytes=3000");
  ASSERT_EQ(seen.streams.size(), 1u);
  EXPECT_EQ(seen.streams[0].status, 200);
  EXPECT_EQ(seen.streams[0].data_bytes, 1500u);
  EXPECT_FALSE(seen.streams[0].end_stream);
  EXPECT_EQ(seen.streams[0].reset_code, 8u);
  EXPECT_LT(position(seen, "DATA"), position(seen, "RST_STREAM"));
}

TEST(ModuleHostH2, GoawayPrecedesTheHeadersAndTheConnectionStaysOpen) {
  const auto host = start_host();
  const auto seen = h2_get(*host, "/termprobe/goaway");
  ASSERT_EQ(seen.goaways.size(), 1u);
  EXPECT_EQ(seen.goaways[0].last_stream_id, kMaxStreamId);
  EXPECT_EQ(seen.goaways[0].error_code, static_cast<std::uint32_t>(NGHTTP2_NO_ERROR));
  EXPECT_LT(position(seen, "GOAWAY"), position(seen, "HEADERS"));
  ASSERT_EQ(seen.streams.size(), 1u);
  EXPECT_EQ(seen.streams[0].status, 200);
  EXPECT_TRUE(seen.streams[0].end_stream);
  EXPECT_EQ(seen.streams[0].data_bytes, std::string("termprobe goaway\n").size());
  EXPECT_EQ(seen.ending, TcpEnding::open);
}

// The host's choice for ResetConnection on HTTP/2 (unverified on IIS):
// RST_STREAM(INTERNAL_ERROR) on the stream, no TCP reset.
TEST(ModuleHostH2, ResetConnectionResetsTheStreamWithInternalError) {
  const auto host = start_host();
  const auto seen = h2_get(*host, "/termprobe/reset");
  ASSERT_EQ(seen.streams.size(), 1u);
  EXPECT_EQ(seen.streams[0].reset_code, static_cast<std::uint32_t>(NGHTTP2_INTERNAL_ERROR));
  EXPECT_EQ(seen.streams[0].status, 0);
  EXPECT_EQ(seen.ending, TcpEnding::open);
}

TEST(ModuleHostH2, ResetAfterFlushResetsTheStreamAfterHalfTheBody) {
  const auto host = start_host();
  const auto seen = h2_get(*host, "/termprobe/reset-after-flush?bytes=2000");
  ASSERT_EQ(seen.streams.size(), 1u);
  EXPECT_EQ(seen.streams[0].status, 200);
  EXPECT_EQ(seen.streams[0].data_bytes, 1000u);
  EXPECT_EQ(seen.streams[0].reset_code, static_cast<std::uint32_t>(NGHTTP2_INTERNAL_ERROR));
  EXPECT_EQ(seen.ending, TcpEnding::open);
}

// The host's choice for SetNeedDisconnect on HTTP/2 (unverified on IIS):
// the response completes, then GOAWAY(last stream, NO_ERROR) and a FIN.
TEST(ModuleHostH2, NeedDisconnectCompletesThenGoawayAndFin) {
  const auto host = start_host();
  const auto seen = h2_get(*host, "/termprobe/need-disconnect");
  ASSERT_EQ(seen.streams.size(), 1u);
  EXPECT_EQ(seen.streams[0].status, 200);
  EXPECT_TRUE(seen.streams[0].end_stream);
  ASSERT_EQ(seen.goaways.size(), 1u);
  EXPECT_EQ(seen.goaways[0].last_stream_id, 1);
  EXPECT_EQ(seen.goaways[0].error_code, static_cast<std::uint32_t>(NGHTTP2_NO_ERROR));
  EXPECT_LT(position(seen, "HEADERS"), position(seen, "GOAWAY"));
  EXPECT_EQ(seen.ending, TcpEnding::fin);
}

TEST(ModuleHostH2, Http2EndpointsAnswer501OverHttp11) {
  const auto host = start_host();
  for (const std::string path : {"/termprobe/reset-stream?code=8", "/termprobe/goaway"}) {
    termprobe_test::LoopbackClient client(host->port());
    client.send(termprobe_test::get(path, "close"));
    client.read(5s);
    EXPECT_EQ(client.received.rfind("HTTP/1.1 501 Not Implemented\r\n", 0), 0u) << client.received;
  }
}

// A client that sends the preface and then no SETTINGS gets nghttp2's
// GOAWAY(PROTOCOL_ERROR) and a FIN, not a hang.
TEST(ModuleHostH2, APrefaceFollowedByGarbageGetsGoawayAndClose) {
  const auto host = start_host();
  termprobe_test::LoopbackClient client(host->port());
  client.send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + std::string("\0\0\5\x9\0\0\0\0\1hello", 14));
  EXPECT_EQ(client.read(5s), termprobe_test::Ending::fin);
  const std::string goaway_header("\x07\0\0\0\0\0", 6);  // type GOAWAY, no flags, stream 0
  const auto at = client.received.find(goaway_header);
  ASSERT_NE(at, std::string::npos);
  const std::string code = client.received.substr(at + goaway_header.size() + 4, 4);
  EXPECT_EQ(code, std::string("\0\0\0\1", 4)) << "PROTOCOL_ERROR";
}

// The preface decides, not its first letter: a POST (which starts as the
// preface does) arriving a byte at a time is still HTTP/1.1.
TEST(ModuleHostH2, Http11StillServedWhenItsFirstBytesLookLikeThePreface) {
  const auto host = start_host();
  termprobe_test::LoopbackClient client(host->port());
  client.send("P");
  std::this_thread::sleep_for(50ms);
  client.send("OST /termprobe/ok HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  client.read(5s);
  EXPECT_EQ(client.received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << client.received;
}

}  // namespace
}  // namespace termprobe_host
