#include "cli/report_output.h"

#include <utility>

#include <fmt/format.h>

#include "cli/diagnostics.h"
#include "cli/interrupt.h"
#include "probes/classifier.h"
#include "report/entry_json.h"

namespace termprobe {

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
                                            bool ndjson) {
  auto output = open_report_output(json_path, ndjson);
  if (!output) return tl::unexpected(output.error());
  std::optional<EntrySpill> spill;
  if (output->file) {
    auto opened = EntrySpill::open();
    if (!opened) return tl::unexpected(opened.error());
    spill.emplace(std::move(*opened));
  }
  ReportRecorder recorder(std::move(*output), std::move(spill), redaction, ndjson);
  recorder.report_.tool_version = TERMPROBE_VERSION;
  recorder.report_.command = redaction.command(command_line);
  recorder.report_.started_at = utc_timestamp_now();
  return recorder;
}

ReportRecorder::ReportRecorder(ReportOutput output, std::optional<EntrySpill> spill,
                               const Redaction& redaction, bool ndjson)
    : output_(std::move(output)), spill_(std::move(spill)), redaction_(redaction), ndjson_(ndjson) {}

Result<void> ReportRecorder::run(const EngineOptions& options, const std::vector<PlannedProbe>& plan,
                                 const NameOf& name_of, const OnEntry& on_entry) {
  auto engine = Engine::create(options);
  if (!engine) return tl::unexpected(engine.error());
  const ResultSink sink = [&](const ProbeId& id, const Observation& observation) {
    record(id, observation, name_of, on_entry);
  };
  start_capture(plan);
  auto stats = (*engine)->run(plan, sink, install_stop_handlers());
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

void ReportRecorder::record(const ProbeId& id, const Observation& observation, const NameOf& name_of,
                            const OnEntry& on_entry) {
  const EntryName name = name_of(id);
  entry_.target = name.target;
  entry_.scenario = name.scenario;
  entry_.url = redaction_.urls(name.url);
  entry_.repeat = id.repeat;
  entry_.observation = observation;
  entry_.observation.request_headers = redaction_.fields(observation.request_headers);
  entry_.outcome = classify(observation);
  entry_.clients = std::exchange(pending_clients_, nullptr);
  if (on_entry) on_entry(entry_);
  report_.tally.add(entry_);
  if (capture_)
    held_.push_back(entry_);  // written once the capture has been read
  else
    deliver(entry_);
}

void ReportRecorder::deliver(const ReportEntry& entry) {
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

Result<void> ReportRecorder::commit() {
  if (capture_file_) {
    if (auto written = capture_file_->commit(); !written) return written;
  }
  if (!output_.file) return {};
  AtomicFile& file = *output_.file;
  auto written =
      write_report_json(report_, *spill_, [&](std::string_view piece) { return file.write(piece); });
  if (!written) return written;
  return file.commit();
}

}  // namespace termprobe
