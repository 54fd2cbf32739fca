// Expectations files as `termprobe check` reads them: any TOML must end in
// probes or a "FILE:LINE: what" error, never a crash, a hang or an
// exception other than the ones the loader turns into errors.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "report/check_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace termprobe;
  std::istringstream input(std::string(reinterpret_cast<const char*>(data), size));
  auto probes = parse_check_file(input, "fuzz.toml");
  if (!probes) return 0;
  for (const auto& probe : *probes) {
    // What the loader accepts must be usable: bounded, positive where it must be.
    if (probe.repeat < 1 ||
        (!probe.expectation.labels && !probe.expectation.idle && !probe.expectation.reuse) ||
        probe.spec.timeout.count() <= 0 || probe.spec.watch.count() < 0 || probe.spec.body_bytes < 0)
      __builtin_trap();
  }
  return 0;
}
