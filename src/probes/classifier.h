// The classifier: a pure function from what was measured to what it means.
#pragma once

#include <string_view>

#include "probes/observation.h"
#include "probes/outcome.h"

namespace termprobe {

// No I/O, no clock: the same observation always gives the same outcome.
Outcome classify(const Observation& observation);

// For a request on a reused connection: answered, stream_reset or
// refused_by_goaway (HTTP/2), send_failed (the connection was already dead),
// reset, empty_reply, truncated, timeout or error. Empty
// when the observation is not of a reused connection.
std::string_view reuse_outcome(const Observation& observation);

// How the server ended the TLS session (https, handshake done): alert,
// close_notify_then_fin, close_notify_then_rst, close_notify_open,
// fin_without_close_notify, rst or open. Empty for plain http or a
// handshake that never completed.
std::string_view tls_ending(const Observation& observation);

}  // namespace termprobe
