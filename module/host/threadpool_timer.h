// The host's implementation of the Win32 thread pool timer API the module
// uses for delay_ms (declared in win32/windows.h): Asio timers on the
// host's own threads, so a waiting request holds no thread.
#pragma once

#include <boost/asio/io_context.hpp>

namespace termprobe_host {

// While alive, CreateThreadpoolTimer called on this thread makes timers that
// run on io. Each host thread holds one around io.run().
class TimerThreadBinding {
 public:
  explicit TimerThreadBinding(boost::asio::io_context& io);
  ~TimerThreadBinding();
  TimerThreadBinding(const TimerThreadBinding&) = delete;
  TimerThreadBinding& operator=(const TimerThreadBinding&) = delete;

 private:
  boost::asio::io_context* previous_;
};

}  // namespace termprobe_host
