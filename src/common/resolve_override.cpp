#include "common/resolve_override.h"
#include "common/ascii_case.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace termprobe {
namespace {

bool numeric_address(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::string without_brackets(const std::string& host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

// The colon-separated fields of text, a bracketed IPv6 address being one
// field; nullopt when a '[' has no ']'.
std::optional<std::vector<std::string>> split_fields(const std::string& text) {
  std::vector<std::string> fields;
  std::size_t begin = 0;
  while (true) {
    std::size_t search = begin;
    if (begin < text.size() && text[begin] == '[') {
      search = text.find(']', begin);
      if (search == std::string::npos) return std::nullopt;
    }
    const std::size_t colon = text.find(':', search);
    fields.push_back(text.substr(begin, colon == std::string::npos ? std::string::npos : colon - begin));
    if (colon == std::string::npos) return fields;
    begin = colon + 1;
  }
}

// 1..65535, or 0 for an empty field when empty_means_any.
std::optional<int> port_field(const std::string& text, bool empty_means_any) {
  if (text.empty()) return empty_means_any ? std::optional<int>(0) : std::nullopt;
  if (text.size() > 5 || !std::all_of(text.begin(), text.end(), ::isdigit)) return std::nullopt;
  const int port = std::stoi(text);
  if (port < 1 || port > 65535) return std::nullopt;
  return port;
}

bool matches(const ConnectOverride& entry, const std::string& lower_host, int port) {
  return (entry.host.empty() || entry.host == lower_host) && (entry.port == 0 || entry.port == port);
}

}  // namespace

Result<ConnectOverride> parse_resolve_override(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return fail(ErrorKind::invalid_input,
                "--resolve '" + text + "': " + why +
                    " (expected HOST:PORT:ADDRESS, e.g. example.test:443:127.0.0.1)");
  };
  const auto fields = split_fields(text);
  if (!fields) return bad("no ']' after the IPv6 host");
  if (fields->front().empty()) return bad("the host is missing");
  if (fields->size() < 3) return bad("the address is missing");
  ConnectOverride entry;
  entry.host = ascii_lower(fields->at(0));
  const auto port = port_field(fields->at(1), false);
  if (!port) return bad("the port must be a number 1-65535");
  entry.port = *port;
  // An unbracketed IPv6 address holds colons: everything after the port is the address.
  entry.to_host = without_brackets(text.substr(fields->at(0).size() + fields->at(1).size() + 2));
  if (!numeric_address(entry.to_host)) return bad("'" + entry.to_host + "' is not a numeric IP address");
  return entry;
}

Result<ConnectOverride> parse_connect_to(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return fail(ErrorKind::invalid_input,
                "--connect-to '" + text + "': " + why +
                    " (expected HOST1:PORT1:HOST2:PORT2, any part empty for any or the same, e.g. "
                    "example.test:443:127.0.0.1:8443)");
  };
  const auto fields = split_fields(text);
  if (!fields) return bad("no ']' after an IPv6 address");
  if (fields->size() != 4) return bad("it has " + std::to_string(fields->size()) + " parts, not 4");
  ConnectOverride entry;
  entry.host = ascii_lower(fields->at(0));
  const auto port = port_field(fields->at(1), true);
  if (!port) return bad("PORT1 must be empty or a number 1-65535");
  entry.port = *port;
  entry.to_host = without_brackets(fields->at(2));
  const auto to_port = port_field(fields->at(3), true);
  if (!to_port) return bad("PORT2 must be empty or a number 1-65535");
  entry.to_port = *to_port;
  return entry;
}

ConnectPoint connect_point_for(const std::vector<std::string>& resolve,
                               const std::vector<std::string>& connect_to, const std::string& host,
                               int port) {
  ConnectPoint point{ascii_lower(host), port};
  for (const auto& text : connect_to) {
    auto entry = parse_connect_to(text);
    if (!entry || !matches(*entry, point.host, port)) continue;
    if (!entry->to_host.empty()) point.host = ascii_lower(entry->to_host);
    if (entry->to_port != 0) point.port = entry->to_port;
    break;
  }
  // --resolve names hosts as URLs do: an IPv6 address in brackets.
  const std::string named = point.host.find(':') != std::string::npos && point.host.front() != '['
                                ? "[" + point.host + "]"
                                : point.host;
  for (const auto& text : resolve) {
    auto entry = parse_resolve_override(text);
    if (entry && entry->host == named && entry->port == point.port) return {entry->to_host, point.port};
  }
  return point;
}

}  // namespace termprobe
