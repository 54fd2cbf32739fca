// What starts next and when. The engine's loop asks the plan; the plan
// keeps the order (each spec's repetitions together, specs in the order
// given) and the pace (--rate: one start every 1/rate seconds on a fixed
// schedule, so a slow moment does not lower the long-run rate). One plan
// may serve several loop threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

#include "probes/probe_spec.h"

namespace termprobe {

struct PlannedProbe {
  ProbeSpec spec;
  std::size_t repeat = 1;  // connections with this spec, one after another in plan order
};

struct ProbeId {
  std::size_t spec = 0;    // index into the plan given to run()
  std::size_t repeat = 0;  // 0-based repetition of that spec
};

class Plan {
 public:
  using Clock = std::chrono::steady_clock;

  Plan(const std::vector<PlannedProbe>& probes, double rate);

  std::size_t requested() const { return requested_; }
  // The next probe, when one is due at now; nullopt when none is left, the
  // plan was stopped, or the rate says later (next_start() tells when).
  std::optional<ProbeId> take(Clock::time_point now);
  std::optional<Clock::time_point> next_start() const;
  bool exhausted() const;
  // No probe starts after this.
  void stop();

 private:
  const std::vector<PlannedProbe>& probes_;
  std::size_t requested_ = 0;
  std::optional<Clock::duration> interval_;  // set when a rate paces the starts
  mutable std::mutex mutex_;
  ProbeId cursor_;
  std::size_t taken_ = 0;
  bool stopped_ = false;
  std::optional<Clock::time_point> next_start_;
};

}  // namespace termprobe
