// HTTP/2 error codes and settings by their RFC 9113 names: reports say
// "INTERNAL_ERROR", as a capture and the RFC do.
#pragma once

#include <cstdint>
#include <string>

namespace termprobe {

// NO_ERROR, PROTOCOL_ERROR, ...; "0x1111" for a code no RFC names.
std::string http2_error_name(std::uint32_t code);

// HEADER_TABLE_SIZE, MAX_CONCURRENT_STREAMS, ...; "0x10" for an unknown setting.
std::string http2_setting_name(std::int32_t id);

}  // namespace termprobe
