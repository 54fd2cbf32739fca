#include "common/resolve_override.h"
#include "common/ascii_case.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace termprobe {
namespace {

bool numeric_address(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

}  // namespace

Result<ResolveOverride> parse_resolve_override(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return fail(ErrorKind::invalid_input,
                "--resolve '" + text + "': " + why +
                    " (expected HOST:PORT:ADDRESS, e.g. example.test:443:127.0.0.1)");
  };
  // The host may be a bracketed IPv6 address; the address may be one too.
  std::size_t host_end = text.find(':');
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return bad("no ']' after the IPv6 host");
    host_end = text.find(':', close);
  }
  if (host_end == std::string::npos || host_end == 0) return bad("the host is missing");
  const std::size_t port_end = text.find(':', host_end + 1);
  if (port_end == std::string::npos) return bad("the address is missing");
  ResolveOverride entry;
  entry.host = ascii_lower(text.substr(0, host_end));
  const std::string port = text.substr(host_end + 1, port_end - host_end - 1);
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit))
    return bad("the port must be a number 1-65535");
  entry.port = std::stoi(port);
  if (entry.port < 1 || entry.port > 65535) return bad("the port must be a number 1-65535");
  entry.address = text.substr(port_end + 1);
  if (entry.address.size() > 2 && entry.address.front() == '[' && entry.address.back() == ']')
    entry.address = entry.address.substr(1, entry.address.size() - 2);
  if (!numeric_address(entry.address)) return bad("'" + entry.address + "' is not a numeric IP address");
  return entry;
}

std::optional<std::string> resolve_override_for(const std::vector<std::string>& entries,
                                                const std::string& host, int port) {
  const std::string wanted = ascii_lower(host);
  for (const auto& text : entries) {
    auto entry = parse_resolve_override(text);
    if (entry && entry->host == wanted && entry->port == port) return entry->address;
  }
  return std::nullopt;
}

}  // namespace termprobe
