#include "endpoint.h"

#include <gtest/gtest.h>

namespace termprobe_module {
namespace {

TEST(Endpoint, EveryContractPathIsRecognised) {
  EXPECT_EQ(parse_endpoint("/termprobe/ok").kind, EndpointKind::ok);
  EXPECT_EQ(parse_endpoint("/termprobe/need-disconnect").kind, EndpointKind::need_disconnect);
  EXPECT_EQ(parse_endpoint("/termprobe/reset").kind, EndpointKind::reset);
  EXPECT_EQ(parse_endpoint("/termprobe/reset-continue").kind, EndpointKind::reset_continue);
  EXPECT_EQ(parse_endpoint("/termprobe/reset-after-flush").kind, EndpointKind::reset_after_flush);
  EXPECT_EQ(parse_endpoint("/termprobe/cancel-io-read").kind, EndpointKind::cancel_io_read);
  EXPECT_EQ(parse_endpoint("/termprobe/cancel-io-send").kind, EndpointKind::cancel_io_send);
  EXPECT_EQ(parse_endpoint("/termprobe/reset-stream").kind, EndpointKind::reset_stream);
  EXPECT_EQ(parse_endpoint("/termprobe/goaway").kind, EndpointKind::goaway);
}

TEST(Endpoint, ResetStreamTakesAnyCodeAndAPoint) {
  const Endpoint plain = parse_endpoint("/termprobe/reset-stream");
  EXPECT_EQ(plain.reset_code, 0u);
  EXPECT_EQ(plain.reset_after, ResetPoint::before);
  EXPECT_EQ(parse_endpoint("/termprobe/reset-stream?code=1111").reset_code, 1111u);
  EXPECT_EQ(parse_endpoint("/termprobe/reset-stream?code=4294967295").reset_code, 4294967295u);
  EXPECT_EQ(parse_endpoint("/termprobe/reset-stream?after=headers").reset_after, ResetPoint::headers);
  EXPECT_EQ(parse_endpoint("/termprobe/reset-stream?code=8&after=data").reset_after, ResetPoint::data);
  EXPECT_EQ(parse_endpoint("/termprobe/reset-stream?after=later").reset_after, ResetPoint::before);
  EXPECT_TRUE(is_destructive(EndpointKind::reset_stream));
  EXPECT_TRUE(is_destructive(EndpointKind::goaway));
}

TEST(Endpoint, OutsideThePrefixIsPassedThrough) {
  EXPECT_EQ(parse_endpoint("/").kind, EndpointKind::outside);
  EXPECT_EQ(parse_endpoint("/termprobe").kind, EndpointKind::outside);
  EXPECT_EQ(parse_endpoint("/other/termprobe/reset").kind, EndpointKind::outside);
  EXPECT_EQ(parse_endpoint("/termprobe/nope").kind, EndpointKind::unknown);
  EXPECT_EQ(parse_endpoint("/termprobe/reset/").kind, EndpointKind::unknown);
}

TEST(Endpoint, CustomPrefix) {
  EXPECT_EQ(parse_endpoint("/app/tp/reset", "/app/tp/").kind, EndpointKind::reset);
  EXPECT_EQ(parse_endpoint("/termprobe/reset", "/app/tp/").kind, EndpointKind::outside);
}

TEST(Endpoint, QueryParametersAreReadAndClamped) {
  const Endpoint e = parse_endpoint("/termprobe/ok?bytes=123&delay_ms=40&other=1");
  EXPECT_EQ(e.body_bytes, 123u);
  EXPECT_EQ(e.delay_ms, 40u);
  EXPECT_EQ(parse_endpoint("/termprobe/ok?bytes=999999999999").body_bytes, kMaxBodyBytes);
  EXPECT_EQ(parse_endpoint("/termprobe/ok?delay_ms=999999").delay_ms, kMaxDelayMs);
  EXPECT_EQ(parse_endpoint("/termprobe/ok?bytes=-1").body_bytes, 0u);
  EXPECT_EQ(parse_endpoint("/termprobe/ok?bytes=12abc").body_bytes, 0u);
}

TEST(Endpoint, OnlyOkIsHarmless) {
  EXPECT_FALSE(is_destructive(EndpointKind::ok));
  EXPECT_FALSE(is_destructive(EndpointKind::outside));
  EXPECT_TRUE(is_destructive(EndpointKind::reset));
  EXPECT_TRUE(is_destructive(EndpointKind::need_disconnect));
  EXPECT_TRUE(is_destructive(EndpointKind::cancel_io_read));
}

}  // namespace
}  // namespace termprobe_module
