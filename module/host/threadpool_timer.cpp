#include "threadpool_timer.h"

#include <windows.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>

namespace asio = boost::asio;

namespace {

thread_local asio::io_context* bound_io = nullptr;

// Shared with the handlers still queued, so a timer closed while its wait is
// queued is freed when that wait ends. The Asio timer is only touched on its
// strand; the rest under the mutex.
struct TimerState {
  TimerState(asio::io_context& io, PTP_TIMER_CALLBACK function, PVOID argument)
      : timer(asio::make_strand(io)), callback(function), context(argument) {}

  asio::steady_timer timer;
  PTP_TIMER_CALLBACK callback;
  PVOID context;
  std::mutex mutex;
  std::condition_variable callback_done;
  std::uint64_t generation = 0;  // bumped by every set and cancel: older expiries are stale
  bool in_callback = false;
};

void fire(const std::shared_ptr<TimerState>& state, std::uint64_t generation, PTP_TIMER timer) {
  {
    std::lock_guard lock(state->mutex);
    if (generation != state->generation) return;
    state->in_callback = true;
  }
  state->callback(nullptr, state->context, timer);
  std::lock_guard lock(state->mutex);
  state->in_callback = false;
  state->callback_done.notify_all();
}

std::uint64_t next_generation(TimerState& state) {
  std::lock_guard lock(state.mutex);
  return ++state.generation;
}

void cancel_wait(const std::shared_ptr<TimerState>& state) {
  asio::post(state->timer.get_executor(), [state] { state->timer.cancel(); });
}

// FILETIME due times: negative = relative, in 100 ns units. Absolute times
// (positive) are not used by the module; the host fires them at once.
std::chrono::microseconds relative_due(const FILETIME& due) {
  const auto raw =
      static_cast<LONGLONG>((static_cast<ULONGLONG>(due.dwHighDateTime) << 32) | due.dwLowDateTime);
  return raw < 0 ? std::chrono::microseconds(-raw / 10) : std::chrono::microseconds(0);
}

}  // namespace

struct TP_TIMER {
  std::shared_ptr<TimerState> state;
};

PTP_TIMER CreateThreadpoolTimer(PTP_TIMER_CALLBACK pfnti, PVOID pv, PTP_CALLBACK_ENVIRON) {
  if (bound_io == nullptr || pfnti == nullptr) return nullptr;
  return new (std::nothrow) TP_TIMER{std::make_shared<TimerState>(*bound_io, pfnti, pv)};
}

VOID SetThreadpoolTimer(PTP_TIMER pti, PFILETIME pftDueTime, DWORD, DWORD) {
  const auto generation = next_generation(*pti->state);
  if (pftDueTime == nullptr) {
    cancel_wait(pti->state);
    return;
  }
  const auto due = relative_due(*pftDueTime);
  asio::post(pti->state->timer.get_executor(), [state = pti->state, generation, due, pti] {
    state->timer.expires_after(due);
    state->timer.async_wait([state, generation, pti](boost::system::error_code error) {
      if (!error) fire(state, generation, pti);
    });
  });
}

VOID WaitForThreadpoolTimerCallbacks(PTP_TIMER pti, BOOL fCancelPendingCallbacks) {
  if (fCancelPendingCallbacks) {
    next_generation(*pti->state);
    cancel_wait(pti->state);
  }
  std::unique_lock lock(pti->state->mutex);
  pti->state->callback_done.wait(lock, [&] { return !pti->state->in_callback; });
}

VOID CloseThreadpoolTimer(PTP_TIMER pti) { delete pti; }

namespace termprobe_host {

TimerThreadBinding::TimerThreadBinding(asio::io_context& io) : previous_(bound_io) { bound_io = &io; }

TimerThreadBinding::~TimerThreadBinding() { bound_io = previous_; }

}  // namespace termprobe_host
