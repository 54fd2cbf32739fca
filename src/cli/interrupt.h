// SIGINT/SIGTERM become a stop request the engine polls, so a run ends with
// its report written instead of dying mid-measurement.
#pragma once

#include <atomic>

namespace termprobe {

// Installs the handlers (once) and returns the flag they set.
const std::atomic<bool>& install_stop_handlers();

}  // namespace termprobe
