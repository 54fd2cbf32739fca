// The clients that run outside termprobe: which driver program and runtime
// each needs, and running one for a request (see drivers/README.md for the
// contract). The drivers are embedded in the binary and written to a cache
// directory on first use, so an installed termprobe needs no other files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "clients/client_request.h"

namespace termprobe {

// Every client termprobe can replay with, curl first, in report order.
const std::vector<std::string_view>& client_names();

// Runs one driver-backed client (every client but curl) for the request:
// unavailable when its runtime is missing (with what to install),
// driver_failed when the driver broke its contract (never read as the
// server's doing).
ClientRun run_driver_client(std::string_view client, const ClientRequest& request);

}  // namespace termprobe
