// `termprobe clients`: the same request made by each real client, one fresh
// client at a time, each through its own relay, so that every verdict
// stands beside the wire truth of its own connections.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/target_url.h"
#include "probes/probe_spec.h"
#include "report/client_verdict.h"

namespace termprobe {

// Checks a --clients list ("all", or names joined by commas): the names in
// client_names() order, or a one-line error with a suggestion.
Result<std::vector<std::string>> parse_client_list(const std::string& text);

// Replays spec's request with each client; on_verdict sees each as it is
// done. A stop request cuts the running client short (reported as
// interrupted) and skips the rest. Fails only when the relay cannot be set
// up (the target's address cannot be resolved, no loopback socket).
Result<std::vector<ClientVerdict>> replay_with_clients(
    const ProbeSpec& spec, const TargetUrl& target, const std::vector<std::string>& clients,
    const std::atomic<bool>& stop, const std::function<void(const ClientVerdict&)>& on_verdict);

}  // namespace termprobe
