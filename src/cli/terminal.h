// What a person at a terminal sees: colour only on a TTY without NO_COLOR,
// a live progress line on stderr only when stderr is a TTY.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "probes/outcome.h"

namespace termprobe {

// stdout is a terminal and NO_COLOR is unset (https://no-color.org).
bool colour_wanted(std::FILE* stream);

// "pass" in green, "fail" in red, "unverified" in yellow when colour is on.
std::string paint_verdict(std::string_view verdict, bool colour);

class ProgressLine {
 public:
  // Draws nothing unless stderr is a terminal and the line is wanted (not -q).
  explicit ProgressLine(std::size_t total, bool wanted = true);
  ~ProgressLine();
  void count(Label label);  // one connection finished
  void clear();             // erase the line before other output

 private:
  void draw();
  bool enabled_ = false;
  std::size_t total_ = 0;
  std::size_t done_ = 0;
  std::map<Label, std::size_t> labels_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace termprobe
