// The report's "results" while a run goes on: each finished connection's
// JSON text, laid out as it will sit in the report, goes to an unnamed
// temporary file, so that memory does not grow with the connections; the
// finished report copies it through (see write_report_json).
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace termprobe {

struct ReportEntry;

using TextSink = std::function<Result<void>(std::string_view)>;

class EntrySpill {
 public:
  // A file that has no name (tmpfile(): it goes when the process does, even
  // killed).
  static Result<EntrySpill> open();

  // Appends the entry; a failure to write is kept and reported by copy_to.
  void append(const ReportEntry& entry);
  std::size_t size() const { return count_; }
  // Everything appended, in order: the members of the "results" array,
  // each after its separator and newline ("\n    {...},\n    {...}").
  Result<void> copy_to(const TextSink& sink);

 private:
  explicit EntrySpill(std::FILE* file) : file_(file, &std::fclose) {}
  Result<void> flush();
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  std::string pending_;  // entries not yet in the file: written in large pieces
  std::size_t count_ = 0;
  std::optional<Error> failure_;  // the first write that failed
};

}  // namespace termprobe
