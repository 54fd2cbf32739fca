#include "probes/http2_frames.h"

#include <nghttp2/nghttp2.h>

namespace termprobe {
namespace {

constexpr std::size_t kPriorityBytes = 5;  // a HEADERS frame's stream dependency and weight
constexpr std::size_t kPromisedIdBytes = 4;

// Takes a padded frame's pad length off the front and the padding off the end.
std::optional<std::string_view> without_padding(const Http2Frame& frame, std::string_view payload,
                                                std::size_t fields_after_pad) {
  std::size_t pad = 0;
  if ((frame.flags & NGHTTP2_FLAG_PADDED) != 0) {
    if (payload.empty()) return std::nullopt;
    pad = static_cast<std::uint8_t>(payload.front());
    payload.remove_prefix(1);
  }
  if (payload.size() < fields_after_pad + pad) return std::nullopt;
  payload.remove_prefix(fields_after_pad);
  payload.remove_suffix(pad);
  return payload;
}

}  // namespace

Http2Frame http2_frame(std::string_view whole) {
  Http2Frame frame;
  frame.type = static_cast<std::uint8_t>(whole[3]);
  frame.flags = static_cast<std::uint8_t>(whole[4]);
  frame.stream_id = static_cast<std::int32_t>(http2_u32(whole.substr(5)) & 0x7fffffff);
  frame.payload = whole.substr(kFrameHeaderBytes);
  return frame;
}

std::uint32_t http2_u32(std::string_view bytes) {
  const auto byte = [&](std::size_t at) { return std::uint32_t{static_cast<std::uint8_t>(bytes[at])}; };
  return byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
}

std::optional<std::string_view> header_block_fragment(const Http2Frame& frame) {
  switch (frame.type) {
    case NGHTTP2_CONTINUATION: return frame.payload;
    case NGHTTP2_PUSH_PROMISE: return without_padding(frame, frame.payload, kPromisedIdBytes);
    case NGHTTP2_HEADERS:
      return without_padding(frame, frame.payload,
                             (frame.flags & NGHTTP2_FLAG_PRIORITY) != 0 ? kPriorityBytes : 0);
    default: return std::nullopt;
  }
}

std::optional<std::string_view> data_payload(const Http2Frame& frame) {
  return without_padding(frame, frame.payload, 0);
}

HpackReader::HpackReader() { nghttp2_hd_inflate_new(&inflater_); }
HpackReader::~HpackReader() { nghttp2_hd_inflate_del(inflater_); }

bool HpackReader::decode(std::string_view fragment, bool last, const FieldSink& sink) {
  if (lost_) return false;
  auto* in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(fragment.data()));
  std::size_t left = fragment.size();
  for (;;) {
    nghttp2_nv field{};
    int flags = 0;
    const ssize_t used = nghttp2_hd_inflate_hd2(inflater_, &field, &flags, in, left, last ? 1 : 0);
    if (used < 0) {
      lost_ = true;
      return false;
    }
    in += used;
    left -= static_cast<std::size_t>(used);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0 && sink)
      sink(std::string_view(reinterpret_cast<const char*>(field.name), field.namelen),
           std::string_view(reinterpret_cast<const char*>(field.value), field.valuelen));
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
      nghttp2_hd_inflate_end_headers(inflater_);
      return true;
    }
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) return true;
  }
}

}  // namespace termprobe
