// A client verdict read back from a report entry's `clients` (the inverse of
// entry_json's writer), so a page drawn from a report prints each client's
// line exactly as `termprobe clients` printed it.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "report/client_verdict.h"

namespace termprobe {

// What it finds; a member missing or of another type reads as unknown.
std::vector<ClientVerdict> client_verdicts_from_json(const nlohmann::ordered_json& clients);

}  // namespace termprobe
