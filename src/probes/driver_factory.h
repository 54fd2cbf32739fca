// Which driver a connection gets. The only place that knows the protocols:
// the loop asks for a connection's driver once it is connected and never
// asks which protocol it holds.
#pragma once

#include <memory>

#include "probes/connection_driver.h"
#include "probes/prepared_spec.h"

namespace termprobe {

// https: TLS, with the protocol ALPN chooses inside it; http: HTTP/2 with
// prior knowledge, else HTTP/1.1.
std::unique_ptr<ConnectionDriver> make_connection_driver(const PreparedSpec& prepared);

}  // namespace termprobe
