// The capture's second opinion on one report entry: how the packets say
// the server ended the connection, and whether that is the ending the
// entry's outcome claims. Pure: no I/O, no clock.
#pragma once

#include <optional>
#include <string>

#include "capture/packet_connections.h"
#include "probes/observation.h"
#include "probes/outcome.h"

namespace termprobe {

struct CaptureCheck {
  bool found = false;                      // the capture holds this entry's connection
  PacketConnection packets;                // what it shows, when found (times are µs after its SYN)
  StreamEnd packet_end = StreamEnd::open;  // rst, fin or open: how the server ended it before the probe
                                           // did; refused for a SYN answered by RST
  bool compared = false;                   // the entry claims a TCP ending the packets can confirm or refute
  bool bytes_compared = false;  // ... and a count of the server's bytes (plain HTTP/1.x, fresh connection)
  bool agrees = false;          // with compared: the packets say what the entry says
  std::string why;              // when !agrees, or !compared: why, in one line
};

// The entry's claim is outcome.ending, the classifier's reading of how the
// byte stream ended (the same value the label was derived from): rst and
// fin are the server's, open and timeout mean the server had not ended the
// connection when the probe did (or stopped watching: timings.ended), refused
// a SYN answered by RST. The probe's own FIN or RST before the server's is
// not the server's ending.
CaptureCheck check_against_capture(const Observation& observation, const Outcome& outcome,
                                   const PacketConnections& capture);

}  // namespace termprobe
