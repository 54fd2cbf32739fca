#include "endpoint.h"

#include <array>
#include <charconv>
#include <utility>

namespace termprobe_module {
namespace {

constexpr std::array<std::pair<EndpointKind, std::string_view>, 9> kPaths{{
    {EndpointKind::ok, "ok"},
    {EndpointKind::need_disconnect, "need-disconnect"},
    {EndpointKind::reset, "reset"},
    {EndpointKind::reset_continue, "reset-continue"},
    {EndpointKind::reset_after_flush, "reset-after-flush"},
    {EndpointKind::cancel_io_read, "cancel-io-read"},
    {EndpointKind::cancel_io_send, "cancel-io-send"},
    {EndpointKind::reset_stream, "reset-stream"},
    {EndpointKind::goaway, "goaway"},
}};

std::uint32_t clamped_number(std::string_view text, std::uint32_t limit) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) return limit;
  if (error != std::errc() || end != text.data() + text.size()) return 0;
  return value > limit ? limit : static_cast<std::uint32_t>(value);
}

void apply_query(std::string_view query, Endpoint& endpoint) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value = pair.substr(eq + 1);
    if (name == "bytes") endpoint.body_bytes = clamped_number(value, kMaxBodyBytes);
    if (name == "delay_ms") endpoint.delay_ms = clamped_number(value, kMaxDelayMs);
    if (name == "code") endpoint.reset_code = clamped_number(value, 0xffffffffu);
    if (name == "after" && value == "headers") endpoint.reset_after = ResetPoint::headers;
    if (name == "after" && value == "data") endpoint.reset_after = ResetPoint::data;
  }
}

}  // namespace

Endpoint parse_endpoint(std::string_view raw_target, std::string_view prefix) {
  Endpoint endpoint;
  const auto question = raw_target.find('?');
  const std::string_view path = raw_target.substr(0, question);
  if (path.substr(0, prefix.size()) != prefix) return endpoint;
  endpoint.kind = EndpointKind::unknown;
  const std::string_view name = path.substr(prefix.size());
  for (const auto& [kind, text] : kPaths) {
    if (text == name) endpoint.kind = kind;
  }
  if (question != std::string_view::npos) apply_query(raw_target.substr(question + 1), endpoint);
  return endpoint;
}

std::string_view endpoint_name(EndpointKind kind) {
  for (const auto& [entry, text] : kPaths) {
    if (entry == kind) return text;
  }
  return kind == EndpointKind::outside ? "outside" : "unknown";
}

bool is_destructive(EndpointKind kind) {
  return kind != EndpointKind::ok && kind != EndpointKind::outside && kind != EndpointKind::unknown;
}

}  // namespace termprobe_module
