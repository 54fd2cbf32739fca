// The TLS options of every command that probes (probe, run, check, idle,
// reuse), with curl's names and meaning, declared and applied in one place.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "probes/probe_spec.h"

namespace termprobe {

struct TlsOptions {
  bool insecure = false;             // -k: do not stop at certificate problems (they are still reported)
  std::string cacert;                // --cacert: PEM bundle to trust
  std::vector<std::string> resolve;  // --resolve HOST:PORT:ADDRESS
  std::string tls_min;               // --tls-min 1.2|1.3
  std::string tls_max;               // --tls-max 1.2|1.3
};

void add_tls_options(CLI::App* command, TlsOptions& options);

// Fills what the spec leaves unset (a check file's own keys win); prints
// the error and returns false when the versions cannot go together.
bool apply_tls_options(const TlsOptions& options, ProbeSpec& spec);

}  // namespace termprobe
