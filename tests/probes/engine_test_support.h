// The engine as its tests run it: one spec, `repeat` fresh connections with
// at most `in_flight` at once, every observation kept in the order the
// connections ended, with the run's statistics.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "probes/engine.h"
#include "probes/outcome.h"

namespace termprobe {

struct EngineRun {
  std::vector<Observation> observations;
  RunStats stats;

  // How many observations the classifier gives this label.
  std::size_t count_of(Label label) const;
  // Every label seen with its count ("keepalive 48, empty_reply 2"), for a failure message.
  std::string label_counts() const;
};

// How many connections the suites that run a behaviour twice make: 10 one
// after another (each waits out its watch), 50 at once.
std::size_t connections_for(std::size_t in_flight);

// Fails the calling test (without stopping it) when the engine cannot be made or cannot run.
EngineRun run_engine(const ProbeSpec& spec, std::size_t repeat, std::size_t in_flight);

// Fails the calling test unless the run has observations and every one has the label.
void expect_every_label(const EngineRun& run, Label label);

}  // namespace termprobe
