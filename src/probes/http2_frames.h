// The server's HTTP/2 frames read by the probe itself, without nghttp2's
// session: once nghttp2 has stopped reading (it ended the connection on a
// protocol error of the server's, or it is done with it) the server may
// still answer, reset or say GOAWAY, and those frames are facts to record.
// Frame layout as RFC 9113 §4.1 and §6; header blocks by HPACK (RFC 7541).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

using nghttp2_hd_inflater = struct nghttp2_hd_inflater;

namespace termprobe {

inline constexpr std::size_t kFrameHeaderBytes = 9;  // every HTTP/2 frame header (RFC 9113 §4.1)

// One whole frame as it arrived: its 9-byte header read, its payload as is.
struct Http2Frame {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::int32_t stream_id = 0;  // the reserved top bit taken off
  std::string_view payload;
};

// whole: a frame header and all of its payload (the caller has framed it).
Http2Frame http2_frame(std::string_view whole);

// A big-endian 32-bit field at the start of bytes (at least 4 of them).
std::uint32_t http2_u32(std::string_view bytes);

// The header block fragment a HEADERS, PUSH_PROMISE or CONTINUATION frame
// carries (padding, priority and promised stream id taken off); nullopt
// for another type, or when the fields do not fit the payload.
std::optional<std::string_view> header_block_fragment(const Http2Frame& frame);

// A DATA frame's data, padding taken off; nullopt when the padding does not fit.
std::optional<std::string_view> data_payload(const Http2Frame& frame);

// The server's header blocks decoded in the connection's order: HPACK's
// dynamic table is the connection's, so every block must pass through,
// whether or not its fields are wanted.
class HpackReader {
 public:
  using FieldSink = std::function<void(std::string_view name, std::string_view value)>;

  HpackReader();
  ~HpackReader();
  HpackReader(const HpackReader&) = delete;
  HpackReader& operator=(const HpackReader&) = delete;

  // One fragment of a block (last: the block ends with it); its fields go
  // to sink when given. False once a block could not be decoded: the table
  // is unknown from then on, and no later block is decoded.
  bool decode(std::string_view fragment, bool last, const FieldSink& sink);
  // A block that cannot be followed (a malformed frame): the same as a decoding error.
  void lose_track() { lost_ = true; }
  bool lost() const { return lost_; }

 private:
  nghttp2_hd_inflater* inflater_ = nullptr;
  bool lost_ = false;
};

}  // namespace termprobe
