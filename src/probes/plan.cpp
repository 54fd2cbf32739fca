#include "probes/plan.h"

#include <cmath>

namespace termprobe {

Plan::Plan(const std::vector<PlannedProbe>& probes, double rate) : probes_(probes) {
  for (const auto& planned : probes) requested_ += planned.repeat;
  // A rate that is not a positive finite number paces nothing (the CLI refuses such input).
  if (std::isfinite(rate) && rate > 0) {
    const auto interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
    interval_ = std::max(interval, Clock::duration(1));
  }
}

std::optional<ProbeId> Plan::take(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (stopped_ || taken_ == requested_) return std::nullopt;
  if (interval_) {
    if (next_start_ && now < *next_start_) return std::nullopt;
    next_start_ = next_start_ ? *next_start_ + *interval_ : now + *interval_;
  }
  while (cursor_.repeat >= probes_[cursor_.spec].repeat) cursor_ = ProbeId{cursor_.spec + 1, 0};
  const ProbeId id = cursor_;
  ++cursor_.repeat;
  ++taken_;
  return id;
}

std::optional<Plan::Clock::time_point> Plan::next_start() const {
  std::lock_guard lock(mutex_);
  if (stopped_ || taken_ == requested_) return std::nullopt;
  return next_start_;
}

bool Plan::exhausted() const {
  std::lock_guard lock(mutex_);
  return stopped_ || taken_ == requested_;
}

void Plan::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
}

}  // namespace termprobe
