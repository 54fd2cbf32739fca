// The probe's own connections, captured while it runs (libpcap): opened and
// active before the first connect, written as pcap through a sink (the
// caller's atomic file), stopped after the last ending with what the kernel
// still holds drained.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/error.h"

namespace termprobe {

using CaptureSink = std::function<Result<void>(std::string_view)>;

struct CaptureStats {
  std::int64_t packets = 0;  // written to the file
  std::int64_t dropped = 0;  // the kernel had no room for (pcap_stats): a gap the check may trip on
};

class LiveCapture {
 public:
  // Opens `interface` in immediate mode with the BPF `filter` and starts a
  // thread that writes each packet to `sink`. When this returns, the
  // capture socket is bound and filtered: every later packet is kept.
  // ErrorKind::invalid_input for a missing privilege (the message says
  // which), io for anything else.
  static Result<std::unique_ptr<LiveCapture>> start(const std::string& interface, const std::string& filter,
                                                    CaptureSink sink);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // Stops the thread after it drained what was captured, and flushes the file.
  Result<CaptureStats> stop();

  struct Handle;  // libpcap's handle and dumper: only the capture thread touches them while it runs

 private:
  explicit LiveCapture(std::unique_ptr<Handle> handle);
  void capture_until_stopped();
  void halt();  // ends the capture thread, once
  std::unique_ptr<Handle> handle_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace termprobe
