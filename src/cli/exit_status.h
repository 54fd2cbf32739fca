// termprobe's exit codes: documented in README.md and `termprobe --help`.
#pragma once

namespace termprobe {

enum ExitStatus : int {
  kExitSuccess = 0,   // every probe measured; every judged expectation held; no baseline change
  kExitMismatch = 1,  // an expectation (--expect, profile, check file) did not hold, or the baseline changed
  kExitUsage = 2,     // bad command line or input (URL, number, path, profile, no module at the target)
  kExitUnreachable = 3,    // no probe reached any target (DNS, refused, connect timeout)
  kExitInterrupted = 130,  // SIGINT/SIGTERM: the report holds what was measured so far
};

inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 success (every judged expectation held, no baseline change), 1 an expectation did not "
    "hold or the baseline changed, 2 usage or input error, 3 no target reachable at all, 130 interrupted "
    "(the report "
    "holds what was measured).";

}  // namespace termprobe
