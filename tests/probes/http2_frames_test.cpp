// The probe's own reading of HTTP/2 frames: fields taken off exactly as
// RFC 9113 §6 lays them out, and header blocks decoded with the
// connection's HPACK table (blocks made by nghttp2's deflater).
#include "probes/http2_frames.h"

#include <nghttp2/nghttp2.h>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace termprobe {
namespace {

std::string frame_bytes(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                        std::string_view payload) {
  const auto size = static_cast<std::uint32_t>(payload.size());
  std::string bytes = {
      static_cast<char>(size >> 16),   static_cast<char>(size >> 8),   static_cast<char>(size),
      static_cast<char>(type),         static_cast<char>(flags),       static_cast<char>(stream >> 24),
      static_cast<char>(stream >> 16), static_cast<char>(stream >> 8), static_cast<char>(stream)};
  return bytes + std::string(payload);
}

using Fields = std::vector<std::pair<std::string, std::string>>;

class Deflater {
 public:
  Deflater() { nghttp2_hd_deflate_new(&deflater_, 4096); }
  ~Deflater() { nghttp2_hd_deflate_del(deflater_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  std::string block(const Fields& fields) {
    std::vector<nghttp2_nv> nva;
    for (const auto& [name, value] : fields) {
      nva.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                     reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                     value.size(), NGHTTP2_NV_FLAG_NONE});
    }
    std::string out(nghttp2_hd_deflate_bound(deflater_, nva.data(), nva.size()), '\0');
    const auto size = nghttp2_hd_deflate_hd(deflater_, reinterpret_cast<std::uint8_t*>(out.data()),
                                            out.size(), nva.data(), nva.size());
    out.resize(static_cast<std::size_t>(size));
    return out;
  }

 private:
  nghttp2_hd_deflater* deflater_ = nullptr;
};

Fields decoded(HpackReader& reader, const std::vector<std::string>& fragments) {
  Fields fields;
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    reader.decode(fragments[i], i + 1 == fragments.size(),
                  [&](std::string_view name, std::string_view value) { fields.emplace_back(name, value); });
  }
  return fields;
}

TEST(Http2Frames, TheHeaderIsReadAndTheReservedBitIsNotPartOfTheStreamId) {
  const std::string bytes = frame_bytes(NGHTTP2_DATA, NGHTTP2_FLAG_END_STREAM, 0x80000005u, "abc");
  const Http2Frame frame = http2_frame(bytes);
  EXPECT_EQ(frame.type, NGHTTP2_DATA);
  EXPECT_EQ(frame.flags, NGHTTP2_FLAG_END_STREAM);
  EXPECT_EQ(frame.stream_id, 5);
  EXPECT_EQ(frame.payload, "abc");
  EXPECT_EQ(http2_u32(std::string("\x01\x02\x03\x04", 4)), 0x01020304u);
}

TEST(Http2Frames, PaddingAndPriorityAreTakenOffAHeaderBlockFragment) {
  const std::string padded = frame_bytes(NGHTTP2_HEADERS, NGHTTP2_FLAG_PADDED | NGHTTP2_FLAG_PRIORITY, 1,
                                         std::string("\x02", 1) + "PPPPP" + "block" + "00");
  EXPECT_EQ(header_block_fragment(http2_frame(padded)), "block");
  const std::string promise =
      frame_bytes(NGHTTP2_PUSH_PROMISE, NGHTTP2_FLAG_END_HEADERS, 1, std::string("\0\0\0\2", 4) + "block");
  EXPECT_EQ(header_block_fragment(http2_frame(promise)), "block");
  EXPECT_EQ(header_block_fragment(http2_frame(frame_bytes(NGHTTP2_CONTINUATION, 0, 1, "rest"))), "rest");
  EXPECT_EQ(header_block_fragment(http2_frame(frame_bytes(NGHTTP2_DATA, 0, 1, "data"))), std::nullopt);
  // More padding than payload: not a frame anyone can read.
  const std::string overpadded =
      frame_bytes(NGHTTP2_HEADERS, NGHTTP2_FLAG_PADDED, 1, std::string("\x09", 1) + "block");
  EXPECT_EQ(header_block_fragment(http2_frame(overpadded)), std::nullopt);
}

TEST(Http2Frames, PaddingIsTakenOffData) {
  const std::string bytes =
      frame_bytes(NGHTTP2_DATA, NGHTTP2_FLAG_PADDED, 1, std::string("\x03", 1) + "abc000");
  EXPECT_EQ(data_payload(http2_frame(bytes)), "abc");
  EXPECT_EQ(data_payload(http2_frame(frame_bytes(NGHTTP2_DATA, 0, 1, "abc"))), "abc");
  EXPECT_EQ(data_payload(http2_frame(frame_bytes(NGHTTP2_DATA, NGHTTP2_FLAG_PADDED, 1, ""))), std::nullopt);
}

// A block split over frames, and a later block that refers to the dynamic
// table the first one filled.
TEST(Http2Frames, HeaderBlocksDecodeInTheConnectionsOrder) {
  Deflater server;
  HpackReader reader;
  const Fields fields = {{":status", "200"}, {"server", "a-name-long-enough-to-be-indexed"}};
  const std::string first = server.block(fields);
  EXPECT_EQ(decoded(reader, {first.substr(0, 3), first.substr(3)}), fields);
  const std::string second = server.block(fields);
  ASSERT_LT(second.size(), first.size());
  EXPECT_EQ(decoded(reader, {second}), fields);
  EXPECT_FALSE(reader.lost());
}

TEST(Http2Frames, AfterABlockItCannotDecodeTheReaderDecodesNoMore) {
  Deflater server;
  HpackReader reader;
  EXPECT_FALSE(reader.decode("\x80", true, nullptr));  // HPACK index 0 does not exist
  EXPECT_TRUE(reader.lost());
  EXPECT_EQ(decoded(reader, {server.block({{":status", "200"}})}), Fields{});
}

}  // namespace
}  // namespace termprobe
