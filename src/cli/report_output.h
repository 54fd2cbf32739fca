// Where a command's report goes: opened before any probing (so a bad path
// fails fast), committed atomically at the end.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "capture/live_capture.h"
#include "cli/connection_options.h"
#include "probes/engine.h"
#include "report/atomic_file.h"
#include "report/redaction.h"
#include "report/report.h"

namespace termprobe {

// --json FILE and --html FILE, as every probing command takes them.
void add_report_file_options(CLI::App* command, std::string& json_path, std::string& html_path);

struct ReportOutput {
  std::optional<AtomicFile> file;  // empty when no --json was given
  std::FILE* text = stdout;        // human lines: stderr when the JSON goes to stdout
};

// Opens the report file (AtomicFile::open's errors). Human text goes to
// stderr when the report takes stdout (-, /dev/stdout). ndjson: stdout
// carries one JSON object per connection, so the human text goes to stderr
// and the report cannot go to stdout too.
Result<ReportOutput> open_report_output(const std::string& json_path, bool ndjson = false);

// The names a finished connection is reported under. The target is shown
// as it is (a command names its targets through the recorder's redaction,
// once); the URL is the one requested, its password hidden when recorded.
struct EntryName {
  const std::string& target;
  const std::string& scenario;
  const std::string& url;
};

// What every probing command does with its connections, from the engine's
// sink to the committed report: each finished connection becomes an entry
// that goes out as an ndjson line (when asked), into the spill as its report
// text (when a report file is wanted) and into report().tally; nothing else
// of it is kept, so memory stays flat however many connections run. Every
// entry, and the command line, pass through the redaction first: nothing
// downstream (report, ndjson, lines, JUnit) sees a secret.
class ReportRecorder {
 public:
  using NameOf = std::function<EntryName(const ProbeId&)>;
  using OnEntry = std::function<void(const ReportEntry&)>;

  // Opens the report file, the HTML page's file (html_path empty: none) and
  // the spill (ErrorKind::io when that fails).
  static Result<ReportRecorder> open(const std::vector<std::string>& command_line, const Redaction& redaction,
                                     const std::string& json_path, const std::string& html_path,
                                     bool ndjson = false);

  Report& report() { return report_; }
  const Redaction& redaction() const { return redaction_; }
  std::FILE* text() const { return output_.text; }  // where the human lines go
  bool ndjson() const { return ndjson_; }

  // Runs the plan until done or SIGINT/SIGTERM, recording each connection as
  // it ends; on_entry sees it first (before report().tally counts it). Sets
  // requested and interrupted; fails with the engine's error.
  // Entries reach the report and the ndjson lines as their connections end,
  // or in plan order after keep_plan_order() (check, run: the file's order).
  Result<void> run(const EngineOptions& options, const std::vector<PlannedProbe>& plan, const NameOf& name_of,
                   const OnEntry& on_entry = {});

  void keep_plan_order() { plan_order_ = true; }

  // What real clients made of the same request: goes on the next entry recorded.
  void attach_clients(std::shared_ptr<const std::vector<ClientVerdict>> clients) {
    pending_clients_ = std::move(clients);
  }

  // --capture: opens the capture file now (a bad path fails before any
  // probe, ErrorKind::invalid_input) for run() to capture into.
  Result<void> capture_to(const ConnectionOptions& options);

  // The command's exit code, made kExitMismatch when it would be a success
  // and --capture-strict finds entries the packets contradict.
  int exit_code(int command_code) const;

  // Writes the report, the HTML page and the capture, those asked for.
  Result<void> commit();

 private:
  ReportRecorder(ReportOutput output, std::optional<AtomicFile> html, std::optional<EntrySpill> spill,
                 const Redaction& redaction, bool ndjson);
  void record(const ProbeId& id, const Observation& observation, const NameOf& name_of,
              const OnEntry& on_entry);
  void write_out(const ReportEntry& entry);  // the ndjson line and the report's entry
  void print_ndjson_line(const ReportEntry& entry);
  void print_events();
  Result<void> commit_html();
  void pass_on(const ReportEntry& entry);  // to write_out, or held for the capture
  void start_capture(const std::vector<PlannedProbe>& plan);
  void finish_capture();
  Result<PacketConnections> read_capture();
  ReportOutput output_;
  std::optional<AtomicFile> html_;   // empty when no --html was given
  std::optional<EntrySpill> spill_;  // only when there is a report file or a page to write
  Redaction redaction_;
  bool ndjson_ = false;
  bool plan_order_ = false;
  Report report_;
  ReportEntry entry_;  // every connection's, in turn: its strings keep their capacity
  std::shared_ptr<const std::vector<ClientVerdict>> pending_clients_;
  std::string ndjson_line_;  // the same
  std::string entry_text_;   // -v: the entry as the report holds it, what its events are read from
  // --capture: the file, the running capture, and the entries held back
  // until the capture is read (their `capture` comes from it).
  std::optional<AtomicFile> capture_file_;
  bool capture_strict_ = false;
  std::unique_ptr<LiveCapture> capture_;
  std::vector<ReportEntry> held_;
};

}  // namespace termprobe
