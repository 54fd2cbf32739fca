#include "cli/terminal.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

namespace termprobe {

bool colour_wanted(std::FILE* stream) {
  const char* no_colour = std::getenv("NO_COLOR");
  return isatty(fileno(stream)) != 0 && (no_colour == nullptr || no_colour[0] == '\0');
}

std::string paint_verdict(std::string_view verdict, bool colour) {
  if (!colour) return std::string(verdict);
  const char* code = verdict == "pass" ? "32" : verdict == "fail" ? "31" : "33";
  return fmt::format("\x1b[{}m{}\x1b[0m", code, verdict);
}

ProgressLine::ProgressLine(std::size_t total, bool wanted)
    : enabled_(wanted && isatty(STDERR_FILENO) != 0),
      total_(total),
      started_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::count(Label label) {
  ++done_;
  ++labels_[label];
  if (!enabled_) return;
  // Redraw at most ten times a second: the line must not slow the probes.
  const auto now = std::chrono::steady_clock::now();
  if (done_ < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw();
}

void ProgressLine::draw() {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string line = fmt::format("{}/{}  {:.0f} conn/s ", done_, total_,
                                 seconds > 0 ? static_cast<double>(done_) / seconds : 0.0);
  for (const auto& [label, count] : labels_) line += fmt::format(" {} {}", to_string(label), count);
  fmt::print(stderr, "\r\x1b[K{}", line);
  std::fflush(stderr);
}

void ProgressLine::clear() {
  if (!enabled_ || done_ == 0) return;
  fmt::print(stderr, "\r\x1b[K");
  std::fflush(stderr);
}

}  // namespace termprobe
