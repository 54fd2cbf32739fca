// termprobe's exit codes: documented in docs/guide.md ("Exit codes") and `termprobe --help`.
#pragma once

#include "common/error.h"

namespace termprobe {

enum ExitStatus : int {
  kExitSuccess = 0,   // every probe measured; every judged expectation held; no baseline change
  kExitMismatch = 1,  // an expectation (--expect, profile, check file) did not hold, or the baseline changed
  kExitUsage = 2,     // bad command line or input (URL, number, path, profile, no module at the target)
  kExitUnreachable = 3,    // no probe reached any target (DNS, refused, connect timeout)
  kExitToolFailure = 4,    // termprobe itself failed: a report could not be written (disk full, a reader
                           // that left), the engine or the embedded host could not start, no descriptors
  kExitInterrupted = 130,  // SIGINT/SIGTERM: the report holds what was measured so far
};

// The one place where what went wrong decides the exit code: the user's
// input, the target, or termprobe and the machine it runs on.
constexpr int exit_status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input: return kExitUsage;
    case ErrorKind::unreachable: return kExitUnreachable;
    case ErrorKind::io:
    case ErrorKind::internal: return kExitToolFailure;
  }
  return kExitToolFailure;
}

// Prints the error's one line and returns its exit code.
int exit_with(const Error& error);

inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 success (every judged expectation held, no baseline change), 1 an expectation did not "
    "hold or the baseline changed, 2 usage or input error, 3 no target reachable at all, 4 termprobe itself "
    "failed (a report could not be written, the engine could not start), 130 interrupted (the report holds "
    "what was measured).";

}  // namespace termprobe
