// The classifier: a pure function from what was measured to what it means.
#pragma once

#include "probes/observation.h"
#include "probes/outcome.h"

namespace termprobe {

// No I/O, no clock: the same observation always gives the same outcome.
Outcome classify(const Observation& observation);

}  // namespace termprobe
