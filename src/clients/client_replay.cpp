#include "clients/client_replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "clients/client_drivers.h"
#include "clients/curl_client.h"
#include "clients/relay.h"
#include "common/closest_name.h"
#include "common/resolve_override.h"
#include "probes/tcp_socket.h"

namespace termprobe {
namespace {

// The target's first address (--connect-to, --resolve and -4/-6, as the probe takes them).
Result<SocketAddress> upstream_address(const ProbeSpec& spec, const TargetUrl& target) {
  const ConnectPoint point = connect_point_for(spec.resolve, spec.connect_to, target.host, target.port);
  auto addresses = resolve(point.host, point.port, spec.ip_family);
  if (!addresses) return tl::unexpected(addresses.error());
  if (addresses->empty()) return fail(ErrorKind::unreachable, "could not resolve host " + target.host);
  return addresses->front();
}

WireReading reading_of(const ProbeSpec& spec, const TargetUrl& target) {
  return target.scheme == "http" && spec.http != HttpMode::http2_prior_knowledge ? WireReading::http1
                                                                                 : WireReading::opaque;
}

bool whole_response_label(const std::string& label) {
  return label == "keepalive" || label == "close_after_response" || label == "reset_after_response" ||
         label == "early_response";
}

// Whether the body the application got was the whole body: by its
// Content-Length when it had one, else by what the relay read on cleartext.
std::optional<bool> body_complete(const ClientRun& run, const std::vector<ClientWire>& wires) {
  if (!run.verdict.status) return std::nullopt;
  if (run.verdict.outcome == "error") return false;
  if (run.declared_length && run.body_bytes) return *run.body_bytes == *run.declared_length;
  if (!wires.empty() && !wires.back().label.empty()) return whole_response_label(wires.back().label);
  return std::nullopt;
}

// A client that retries without end (Go against a server resetting its
// streams with PROTOCOL_ERROR made 665 connections in 10 s) must not grow
// the report without end: the first ones and the last, `connections` has the count.
constexpr std::size_t kWiresKept = 50;

void keep_first_and_last(std::vector<ClientWire>& wires) {
  if (wires.size() <= kWiresKept) return;
  ClientWire last = std::move(wires.back());
  wires.resize(kWiresKept - 1);
  wires.push_back(std::move(last));
}

ClientVerdict verdict_of(ClientRun run, std::vector<ClientWire> wires, WireReading reading) {
  ClientVerdict verdict = std::move(run.verdict);
  verdict.body_complete = body_complete(run, wires);
  verdict.connections = static_cast<int>(wires.size());
  if (reading == WireReading::http1) {
    int requests = 0;
    for (const ClientWire& wire : wires) requests += wire.requests.value_or(0);
    verdict.requests = requests;  // counted on the wire: the client's own count is not needed
  }
  keep_first_and_last(wires);
  verdict.wire = std::move(wires);
  return verdict;
}

}  // namespace

Result<std::vector<std::string>> parse_client_list(const std::string& text) {
  const auto& names = client_names();
  if (text == "all") return std::vector<std::string>(names.begin(), names.end());
  std::vector<std::string> chosen;
  std::stringstream parts(text);
  for (std::string name; std::getline(parts, name, ',');) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      const auto near = closest_name(name, names);
      return fail(ErrorKind::invalid_input,
                  fmt::format("--clients: '{}' is not a client{} (clients: all, {})", name,
                              near ? fmt::format(": did you mean {}?", *near) : "", fmt::join(names, ", ")));
    }
    if (std::find(chosen.begin(), chosen.end(), name) == chosen.end()) chosen.push_back(name);
  }
  if (chosen.empty()) return fail(ErrorKind::invalid_input, "--clients: name at least one client, or all");
  std::sort(chosen.begin(), chosen.end(), [&](const std::string& a, const std::string& b) {
    return std::find(names.begin(), names.end(), a) < std::find(names.begin(), names.end(), b);
  });
  return chosen;
}

Result<std::vector<ClientVerdict>> replay_with_clients(
    const ProbeSpec& spec, const TargetUrl& target, const std::vector<std::string>& clients,
    const std::atomic<bool>& stop, const std::function<void(const ClientVerdict&)>& on_verdict) {
  const auto upstream = upstream_address(spec, target);
  if (!upstream) return tl::unexpected(upstream.error());
  const WireReading reading = reading_of(spec, target);
  std::vector<ClientVerdict> verdicts;
  for (const std::string& client : clients) {
    if (stop) break;
    auto relay = Relay::start(*upstream, reading);
    if (!relay) return tl::unexpected(relay.error());
    const ClientRequest request{spec, (*relay)->listening(), stop};
    ClientRun run = client == "curl" ? run_curl_client(request) : run_driver_client(client, request);
    verdicts.push_back(verdict_of(std::move(run), (*relay)->stop(), reading));
    if (on_verdict) on_verdict(verdicts.back());
  }
  return verdicts;
}

}  // namespace termprobe
