// TLS alert descriptions by their RFC names (RFC 8446 §6, RFC 5246 §7.2):
// reports say "handshake_failure", as a capture and the RFCs do.
#pragma once

#include <string>

namespace termprobe {

// The RFC name of an alert description; "alert_N" for a number no RFC names.
std::string tls_alert_name(int code);

}  // namespace termprobe
