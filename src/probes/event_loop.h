// epoll plus a deadline heap: the two things a probe can wait for. Each
// registration and each timer carries a probe slot; a timer also carries the
// probe's generation, so a deadline that was moved later is simply stale
// when it comes up (no search, no removal).
#pragma once

#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <span>
#include <vector>

#include "common/error.h"

namespace termprobe {

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;

  struct Timer {
    Clock::time_point at;
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
    bool operator>(const Timer& other) const { return at > other.at; }
  };

  static Result<std::unique_ptr<EventLoop>> create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registers fd for events (adds it the first time, else modifies).
  void watch(int fd, std::uint32_t events, std::uint32_t slot, bool& registered);
  void forget(int fd, bool& registered);
  void schedule(Timer timer) { timers_.push(timer); }

  // Waits until a socket is ready or the earliest timer, or `also`, is due.
  Result<std::span<const epoll_event>> wait(std::optional<Clock::time_point> also);
  // The earliest timer if it is due at now (removed from the heap).
  std::optional<Timer> pop_due(Clock::time_point now);
  // Drops the timers `live` rejects (deadlines that moved or whose probe is
  // done) once they outnumber `keep` — so memory follows the connections in
  // flight, not every deadline ever set.
  template <typename Live>
  void drop_stale_timers(std::size_t keep, Live live) {
    if (timers_.size() <= keep) return;
    std::vector<Timer> kept;
    kept.reserve(keep);
    while (!timers_.empty()) {
      if (live(timers_.top())) kept.push_back(timers_.top());
      timers_.pop();
    }
    timers_ = decltype(timers_)(std::greater<>(), std::move(kept));
  }

 private:
  EventLoop() = default;
  int epoll_fd_ = -1;
  std::array<epoll_event, 256> events_{};
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
};

}  // namespace termprobe
