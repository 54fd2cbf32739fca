// The module's endpoint contract: which request target asks for which
// connection ending. Pure parsing, no IIS API, so both hosts and the unit
// tests share it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace termprobe_module {

enum class EndpointKind {
  outside,            // not under the prefix: the module passes the request through untouched
  unknown,            // under the prefix but no such endpoint: 404 from the module
  ok,                 // normal 200
  need_disconnect,    // IHttpResponse::SetNeedDisconnect in OnBeginRequest
  reset,              // the ResetConnection page's example in OnSendResponse, then FINISH_REQUEST
  reset_continue,     // ResetConnection in OnSendResponse, then RQ_NOTIFICATION_CONTINUE
  reset_after_flush,  // headers + half the body flushed, then ResetConnection
  cancel_io_read,     // an async ReadEntityBody goes pending, then IHttpContext::CancelIo
  cancel_io_send,     // the CancelIo page's example in OnSendResponse
  reset_stream,       // HTTP/2: IHttpResponse4::ResetStream(code=) at the point after= names
  goaway,             // HTTP/2: IHttpResponse4::SetNeedGoAway, then a complete 200
};

// Where reset-stream resets: before any response, once the headers are
// flushed, or once the headers and half the body are.
enum class ResetPoint { before, headers, data };

struct Endpoint {
  EndpointKind kind = EndpointKind::outside;
  std::uint32_t body_bytes = 0;  // bytes= : response body size (0 = the endpoint's default text)
  std::uint32_t delay_ms = 0;    // delay_ms= : wait before acting, in milliseconds
  std::uint32_t reset_code = 0;  // code= : reset-stream's HTTP/2 error code, any 32-bit value
  ResetPoint reset_after = ResetPoint::before;  // after=headers|data
};

inline constexpr std::string_view kDefaultPrefix = "/termprobe/";
inline constexpr std::uint32_t kMaxBodyBytes = 64u << 20;  // bytes= above this is clamped
inline constexpr std::uint32_t kMaxDelayMs = 60'000;       // delay_ms= above this is clamped

// raw_target is the request target as sent ("/termprobe/reset?bytes=10").
Endpoint parse_endpoint(std::string_view raw_target, std::string_view prefix = kDefaultPrefix);

std::string_view endpoint_name(EndpointKind kind);

// Endpoints that end connections abnormally: these need the token when one is set.
bool is_destructive(EndpointKind kind);

}  // namespace termprobe_module
