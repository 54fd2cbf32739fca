#include "probes/http2_codes.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace termprobe {

std::string http2_error_name(std::uint32_t code) {
  static constexpr std::array<std::string_view, 14> kNames = {"NO_ERROR",
                                                              "PROTOCOL_ERROR",
                                                              "INTERNAL_ERROR",
                                                              "FLOW_CONTROL_ERROR",
                                                              "SETTINGS_TIMEOUT",
                                                              "STREAM_CLOSED",
                                                              "FRAME_SIZE_ERROR",
                                                              "REFUSED_STREAM",
                                                              "CANCEL",
                                                              "COMPRESSION_ERROR",
                                                              "CONNECT_ERROR",
                                                              "ENHANCE_YOUR_CALM",
                                                              "INADEQUATE_SECURITY",
                                                              "HTTP_1_1_REQUIRED"};
  if (code < kNames.size()) return std::string(kNames[code]);
  return fmt::format("0x{:x}", code);
}

std::string http2_setting_name(std::int32_t id) {
  static constexpr std::array<std::string_view, 10> kNames = {"",
                                                              "HEADER_TABLE_SIZE",
                                                              "ENABLE_PUSH",
                                                              "MAX_CONCURRENT_STREAMS",
                                                              "INITIAL_WINDOW_SIZE",
                                                              "MAX_FRAME_SIZE",
                                                              "MAX_HEADER_LIST_SIZE",
                                                              "",
                                                              "ENABLE_CONNECT_PROTOCOL",
                                                              "NO_RFC7540_PRIORITIES"};
  if (id > 0 && id < static_cast<std::int32_t>(kNames.size()) && !kNames[id].empty())
    return std::string(kNames[id]);
  return fmt::format("0x{:x}", id);
}

}  // namespace termprobe
