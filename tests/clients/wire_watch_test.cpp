// WireWatch: the client's requests found in its byte stream however the
// bytes are split, and the label from the same classifier the probe uses.
#include "clients/wire_watch.h"

#include <gtest/gtest.h>

namespace termprobe {
namespace {

void feed_split(WireWatch& watch, std::string_view bytes, std::size_t piece, bool from_client) {
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    const std::string_view part = bytes.substr(at, piece);
    from_client ? watch.client_bytes(part) : watch.server_bytes(part);
  }
}

TEST(WireWatch, CountsRequestsWithBodiesWhateverTheSplit) {
  const std::string two =
      "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
      "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      "GET /b HTTP/1.1\r\n\r\n";
  for (std::size_t piece : {1u, 2u, 7u, 1000u}) {
    WireWatch watch(WireReading::http1);
    feed_split(watch, two, piece, true);
    const ClientWire wire = watch.result();
    EXPECT_EQ(wire.requests, 3) << "pieces of " << piece;
    EXPECT_EQ(wire.request_bytes, static_cast<std::int64_t>(two.size()));
  }
}

TEST(WireWatch, TheLastRequestOnAConnectionIsTheOneLabelled) {
  WireWatch watch(WireReading::http1);
  watch.client_bytes("GET / HTTP/1.1\r\n\r\n");
  watch.server_bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  watch.client_bytes("GET / HTTP/1.1\r\n\r\n");
  watch.server_ended(StreamEnd::fin);  // the reused request met a close: no answer
  const ClientWire wire = watch.result();
  EXPECT_EQ(wire.requests, 2);
  EXPECT_EQ(wire.label, "empty_reply");
}

TEST(WireWatch, AnUploadCutOffIsUploadAborted) {
  WireWatch watch(WireReading::http1);
  watch.client_bytes("POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n");
  watch.client_bytes(std::string(1000, 'x'));
  watch.server_ended(StreamEnd::rst);
  EXPECT_EQ(watch.result().label, "upload_aborted");
}

TEST(WireWatch, AClientThatGivesUpBeforeTheAnswerIsReadAsItsDeadline) {
  WireWatch watch(WireReading::http1);
  watch.client_bytes("GET / HTTP/1.1\r\n\r\n");
  watch.client_ended();
  watch.server_ended(StreamEnd::fin);  // after the client: not the server's ending
  const ClientWire wire = watch.result();
  EXPECT_TRUE(wire.client_closed_first);
  EXPECT_EQ(wire.ending, StreamEnd::open);
  EXPECT_EQ(wire.label, "timeout_before_response");
}

TEST(WireWatch, AConnectionWithoutARequestHasNoLabel) {
  WireWatch watch(WireReading::http1);
  watch.client_ended();
  EXPECT_EQ(watch.result().label, "");
  EXPECT_EQ(watch.result().requests, 0);
}

TEST(WireWatch, BytesThatAreNotAResponseAreABadResponse) {
  WireWatch watch(WireReading::http1);
  watch.client_bytes("GET / HTTP/1.1\r\n\r\n");
  watch.server_bytes(std::string("\x00\x00\x12\x04\x00\x00\x00\x00\x00", 9));
  watch.server_ended(StreamEnd::fin);
  EXPECT_EQ(watch.result().label, "bad_response");
}

}  // namespace
}  // namespace termprobe
