// The HTML report's pictures, as inline SVG: one connection's timeline and
// one label's histogram of time-to-end.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "report/connection_events.h"

namespace termprobe {

// Text made safe inside an element or a quoted attribute.
std::string escape_html(std::string_view text);

// An <svg> with the connection's lane on top and, on HTTP/2, one lane per
// stream under it: the phases as bars (connecting, TLS, sending, waiting,
// receiving, after the response) and each event as a tick at its time, its
// line as the tick's tooltip.
std::string timeline_svg(const ConnectionEvents& connection);

// Times to end in quarter decades from 10 µs to 100 s (the first and last
// bins also hold what is below and above).
class EndTimeHistogram {
 public:
  static constexpr std::size_t kBins = 28;
  void add(std::int64_t us);
  std::size_t count() const { return count_; }
  std::string svg() const;

 private:
  std::array<std::size_t, kBins> bins_{};
  std::size_t count_ = 0;
};

}  // namespace termprobe
