#include "probes/event_loop.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace termprobe {

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
  std::unique_ptr<EventLoop> loop(new EventLoop());
  loop->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (loop->epoll_fd_ < 0)
    return fail(ErrorKind::internal, std::string("epoll_create1: ") + std::strerror(errno));
  return loop;
}

EventLoop::~EventLoop() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void EventLoop::watch(int fd, std::uint32_t events, std::uint32_t slot, bool& registered) {
  epoll_event event{};
  event.events = events;
  event.data.u32 = slot;
  epoll_ctl(epoll_fd_, registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
  registered = true;
}

void EventLoop::forget(int fd, bool& registered) {
  if (registered) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  registered = false;
}

Result<std::span<const epoll_event>> EventLoop::wait(std::optional<Clock::time_point> also) {
  std::optional<Clock::time_point> until = also;
  if (!timers_.empty()) until = until ? std::min(*until, timers_.top().at) : timers_.top().at;
  int timeout_ms = -1;
  if (until) {
    // Round up: waking a little late is fine, waking early only spins.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*until - Clock::now()).count();
    timeout_ms = static_cast<int>(std::clamp<std::int64_t>(left, 0, 60'000));
  }
  const int ready = epoll_wait(epoll_fd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (ready < 0 && errno != EINTR)
    return fail(ErrorKind::internal, std::string("epoll_wait: ") + std::strerror(errno));
  return std::span<const epoll_event>(events_.data(), static_cast<std::size_t>(std::max(ready, 0)));
}

std::optional<EventLoop::Timer> EventLoop::pop_due(Clock::time_point now) {
  if (timers_.empty() || timers_.top().at > now) return std::nullopt;
  Timer timer = timers_.top();
  timers_.pop();
  return timer;
}

}  // namespace termprobe
