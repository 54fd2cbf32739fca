#include "capture/capture_target.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <memory>

#include "common/resolve_override.h"
#include "common/target_url.h"

namespace termprobe {
namespace {

std::string unbracketed(const std::string& host) {
  return host.size() > 2 && host.front() == '[' ? host.substr(1, host.size() - 2) : host;
}

Result<std::vector<std::string>> addresses_of(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int error = getaddrinfo(host.c_str(), nullptr, &hints, &found); error != 0)
    return fail(ErrorKind::invalid_input, "--capture: cannot resolve " + host + ": " + gai_strerror(error));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
  std::vector<std::string> addresses;
  for (const addrinfo* at = found; at; at = at->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* bytes =
        at->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(at->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(at->ai_addr)->sin6_addr);
    if (inet_ntop(at->ai_family, bytes, text, sizeof(text))) addresses.emplace_back(text);
  }
  return addresses;
}

bool loopback(const std::string& address) { return address.starts_with("127.") || address == "::1"; }

}  // namespace

Result<std::vector<CaptureTarget>> capture_targets(const std::vector<std::string>& urls,
                                                   const std::vector<std::string>& resolve,
                                                   const std::vector<std::string>& connect_to) {
  std::vector<CaptureTarget> targets;
  for (const auto& url : urls) {
    auto parsed = parse_target_url(url);
    if (!parsed) return tl::unexpected(parsed.error());
    const ConnectPoint point = connect_point_for(resolve, connect_to, parsed->host, parsed->port);
    auto addresses = addresses_of(unbracketed(point.host));
    if (!addresses) return tl::unexpected(addresses.error());
    for (auto& address : *addresses) {
      CaptureTarget target{std::move(address), point.port};
      const bool known = std::any_of(targets.begin(), targets.end(), [&](const CaptureTarget& t) {
        return t.address == target.address && t.port == target.port;
      });
      if (!known) targets.push_back(std::move(target));
    }
  }
  return targets;
}

CapturePlace capture_place(const std::vector<CaptureTarget>& targets) {
  CapturePlace place;
  const bool all_loopback =
      std::all_of(targets.begin(), targets.end(), [](const CaptureTarget& t) { return loopback(t.address); });
  place.interface = all_loopback ? "lo" : "any";
  place.filter = "tcp and (";
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (i > 0) place.filter += " or ";
    place.filter += "(host " + targets[i].address + " and port " + std::to_string(targets[i].port) + ")";
  }
  place.filter += ")";
  return place;
}

}  // namespace termprobe
