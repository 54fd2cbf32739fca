#include "cli/exit_status.h"

#include "cli/diagnostics.h"

namespace termprobe {

int exit_with(const Error& error) {
  print_error(error.message);
  return exit_status_for(error.kind);
}

}  // namespace termprobe
