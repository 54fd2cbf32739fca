// termprobe's exit codes: documented in README.md and `termprobe --help`.
#pragma once

namespace termprobe {

enum ExitStatus : int {
  kExitSuccess = 0,        // every probe measured; every judged expectation held
  kExitMismatch = 1,       // an expectation (--expect) did not hold
  kExitUsage = 2,          // bad command line or input (URL, number, report path)
  kExitUnreachable = 3,    // no probe reached the target (DNS, refused, connect timeout)
  kExitInterrupted = 130,  // SIGINT/SIGTERM: the report holds what was measured so far
};

inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 all probes measured (and --expect held), 1 --expect mismatch, "
    "2 usage or input error, 3 target unreachable, 130 interrupted.";

}  // namespace termprobe
