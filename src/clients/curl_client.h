// The curl client, in-process: libcurl makes the request as the curl
// command would (its defaults, its own retry of a dead reused connection),
// and its CURLcode, error buffer and counts are what the verdict reports.
#pragma once

#include "clients/client_request.h"

namespace termprobe {

ClientRun run_curl_client(const ClientRequest& request);

}  // namespace termprobe
