#include "cli/report_output.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "cli/diagnostics.h"
#include "cli/interrupt.h"
#include "cli/option_checks.h"
#include "probes/classifier.h"
#include "probes/plan_order.h"
#include "report/connection_events.h"
#include "report/entry_json.h"
#include "report/event_lines.h"
#include "report/html_report.h"

namespace termprobe {

void add_report_file_options(CLI::App* command, std::string& json_path, std::string& html_path) {
  command->add_option("--json", json_path, "Write the JSON report to FILE (- for stdout)")
      ->check(path_check());
  command
      ->add_option("--html", html_path,
                   "Write the report as one self-contained HTML page to FILE: summary, verdicts, a timeline "
                   "per connection (a sample past 300) and time-to-end histograms")
      ->check(path_check());
}

Result<ReportOutput> open_report_output(const std::string& json_path, bool ndjson) {
  ReportOutput output;
  if (ndjson) output.text = stderr;
  if (json_path.empty()) return output;
  auto opened = AtomicFile::open(json_path);
  if (!opened) return tl::unexpected(opened.error());
  if (opened->writes_to_stdout() && ndjson)
    return fail(ErrorKind::invalid_input,
                "--format ndjson and --json " + json_path + " both want stdout: give --json a file");
  if (opened->writes_to_stdout()) output.text = stderr;
  output.file.emplace(std::move(*opened));
  return output;
}

Result<ReportRecorder> ReportRecorder::open(const std::vector<std::string>& command_line,
                                            const Redaction& redaction, const std::string& json_path,
                                            const std::string& html_path, bool ndjson) {
  auto output = open_report_output(json_path, ndjson);
  if (!output) return tl::unexpected(output.error());
  std::optional<AtomicFile> html;
  if (!html_path.empty()) {
    if (html_path == "-") return fail(ErrorKind::invalid_input, "--html: give a file name, not -");
    auto opened = AtomicFile::open(html_path, "--html");
    if (!opened) return tl::unexpected(opened.error());
    html.emplace(std::move(*opened));
  }
  std::optional<EntrySpill> spill;
  if (output->file || html) {
    auto opened = EntrySpill::open();
    if (!opened) return tl::unexpected(opened.error());
    spill.emplace(std::move(*opened));
  }
  ReportRecorder recorder(std::move(*output), std::move(html), std::move(spill), redaction, ndjson);
  recorder.report_.tool_version = TERMPROBE_VERSION;
  recorder.report_.command = redaction.command(command_line);
  recorder.report_.started_at = utc_timestamp_now();
  return recorder;
}

ReportRecorder::ReportRecorder(ReportOutput output, std::optional<AtomicFile> html,
                               std::optional<EntrySpill> spill, const Redaction& redaction, bool ndjson)
    : output_(std::move(output)),
      html_(std::move(html)),
      spill_(std::move(spill)),
      redaction_(redaction),
      ndjson_(ndjson) {}

Result<void> ReportRecorder::run(const EngineOptions& options, const std::vector<PlannedProbe>& plan,
                                 const NameOf& name_of, const OnEntry& on_entry) {
  EngineOptions kept = options;
  kept.keep_response_head = verbosity() >= 1;  // -v prints the head as received; other runs keep none
  auto engine = Engine::create(kept);
  if (!engine) return tl::unexpected(engine.error());
  std::optional<PlanOrder<ReportEntry>> order;
  if (plan_order_) order.emplace(plan, [this](ReportEntry& entry) { pass_on(entry); });
  const ResultSink sink = [&](const ProbeId& id, const Observation& observation) {
    record(id, observation, name_of, on_entry);
    if (order)
      order->add(id, entry_);
    else
      pass_on(entry_);
  };
  const ProbeEndSink ended = [&](const ProbeId& id) { order->ended(id); };
  start_capture(plan);
  auto stats = (*engine)->run(plan, sink, install_stop_handlers(), order ? ended : ProbeEndSink{});
  if (order) order->flush();
  finish_capture();
  if (!stats) return tl::unexpected(stats.error());
  report_.requested = stats->requested;
  report_.interrupted = stats->interrupted;
  if (stats->open_limit_waits)
    print_note(
        fmt::format("note: {} connections were open at once, all the open-file limit (ulimit -n) allows; "
                    "new connections waited for watched ones to end, so the run was slower than -c allows",
                    stats->open_limit));
  return {};
}

// Fills entry_ and counts it; write_out sends it on.
void ReportRecorder::record(const ProbeId& id, const Observation& observation, const NameOf& name_of,
                            const OnEntry& on_entry) {
  const EntryName name = name_of(id);
  entry_.target = name.target;
  entry_.scenario = name.scenario;
  entry_.url = redaction_.urls(name.url);
  entry_.repeat = id.repeat;
  entry_.observation = observation;
  entry_.observation.request_headers = redaction_.fields(observation.request_headers);
  if (auto& head = entry_.observation.response_head) head->lines = redaction_.head_lines(head->lines);
  entry_.outcome = classify(observation);
  entry_.clients = std::exchange(pending_clients_, nullptr);
  if (on_entry) on_entry(entry_);
  if (verbosity() >= 1) print_events();  // as each connection ends, before the plan order holds it
  report_.tally.add(entry_);
}

// In plan order when there is one; with --capture, held until the capture has been read.
void ReportRecorder::pass_on(const ReportEntry& entry) {
  if (capture_)
    held_.push_back(entry);  // its `capture` comes from the packets
  else
    write_out(entry);
}

void ReportRecorder::write_out(const ReportEntry& entry) {
  if (ndjson_) print_ndjson_line(entry);
  if (spill_) spill_->append(entry);
}

// Flushed at once, so a reader sees each connection as it ends.
void ReportRecorder::print_ndjson_line(const ReportEntry& entry) {
  ndjson_line_.clear();
  JsonTextWriter json = JsonTextWriter::compact(ndjson_line_);
  write_entry_json(json, entry);
  ndjson_line_ += '\n';
  std::fwrite(ndjson_line_.data(), 1, ndjson_line_.size(), stdout);
  std::fflush(stdout);
}

// -v: the events read back from the entry's report text (redacted already),
// so they are the ones the HTML timeline draws; -vv adds that text.
void ReportRecorder::print_events() {
  entry_text_.clear();
  JsonTextWriter json = JsonTextWriter::compact(entry_text_);
  write_entry_json(json, entry_);
  std::string lines = format_event_lines(connection_events(nlohmann::ordered_json::parse(entry_text_)));
  if (verbosity() >= 2) lines += "* entry: " + entry_text_ + "\n";  // -vv: everything the report keeps of it
  std::fwrite(lines.data(), 1, lines.size(), stderr);
  std::fflush(stderr);
}

Result<void> ReportRecorder::commit() {
  if (capture_file_) {
    if (auto written = capture_file_->commit(); !written) return written;
  }
  if (output_.file) {
    AtomicFile& file = *output_.file;
    auto written =
        write_report_json(report_, *spill_, [&](std::string_view piece) { return file.write(piece); });
    if (!written) return written;
    if (auto committed = file.commit(); !committed) return committed;
  }
  return commit_html();
}

namespace {

// A file in the temporary folder that goes when this does (the stream keeps it open after its name is gone).
class ScratchFile {
 public:
  ScratchFile() {
    const std::string pattern = (std::filesystem::temp_directory_path() / "termprobe-report-XXXXXX").string();
    name_.assign(pattern.begin(), pattern.end());
    name_.push_back('\0');
    fd_ = ::mkstemp(name_.data());
  }
  ~ScratchFile() {
    if (fd_ < 0) return;
    ::close(fd_);
    ::unlink(name_.data());
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  bool ok() const { return fd_ >= 0; }
  const char* path() const { return name_.data(); }

 private:
  std::vector<char> name_;
  int fd_ = -1;
};

}  // namespace

// The page is drawn from the report's own text, as `termprobe report` draws
// it from a file: written to a scratch file and read back as a stream, so
// memory stays flat however many connections ran.
Result<void> ReportRecorder::commit_html() {
  if (!html_) return {};
  ScratchFile scratch;
  if (!scratch.ok())
    return fail(ErrorKind::io,
                "--html: cannot create a temporary file: " + std::string(std::strerror(errno)));
  {
    std::ofstream out(scratch.path(), std::ios::binary);
    auto written = write_report_json(report_, *spill_, [&](std::string_view piece) -> Result<void> {
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
      if (!out) return fail(ErrorKind::io, "--html: cannot write a temporary file");
      return {};
    });
    if (!written) return written;
    out.flush();
    if (!out) return fail(ErrorKind::io, "--html: cannot write a temporary file");
  }
  std::ifstream in(scratch.path(), std::ios::binary);
  AtomicFile& page = *html_;
  auto drawn = write_html_report(in, "the report", [&](std::string_view piece) { return page.write(piece); });
  if (!drawn) return drawn;
  return page.commit();
}

}  // namespace termprobe
