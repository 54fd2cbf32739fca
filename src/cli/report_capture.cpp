// ReportRecorder's --capture: the probe's own packets captured around the
// engine's run, read back after it, and each entry checked against them
// before it is written (src/capture).
#include <fmt/format.h>

#include "capture/capture_target.h"
#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/report_output.h"

namespace termprobe {

Result<void> ReportRecorder::capture_to(const ConnectionOptions& options) {
  capture_strict_ = options.capture_strict;
  if (options.capture.empty()) return {};
  auto opened = AtomicFile::open(options.capture, "--capture");
  if (!opened) return tl::unexpected(opened.error());
  auto readable = opened->read_back();  // a FIFO or stdout cannot be checked afterwards
  if (!readable) return tl::unexpected(readable.error());
  std::fclose(*readable);
  capture_file_.emplace(std::move(*opened));
  return {};
}

// A capture that cannot start is one line, and the run goes on without it:
// the probe's own reading stands alone, as without --capture.
void ReportRecorder::start_capture(const std::vector<PlannedProbe>& plan) {
  if (!capture_file_) return;
  std::vector<std::string> urls;
  std::vector<std::string> resolve;
  std::vector<std::string> connect_to;
  for (const auto& planned : plan) {
    urls.push_back(planned.spec.url);
    resolve.insert(resolve.end(), planned.spec.resolve.begin(), planned.spec.resolve.end());
    connect_to.insert(connect_to.end(), planned.spec.connect_to.begin(), planned.spec.connect_to.end());
  }
  auto targets = capture_targets(urls, resolve, connect_to);
  if (!targets) {
    print_note(fmt::format("capture: {}; running without it", redaction_.urls(targets.error().message)));
    capture_file_.reset();  // nothing captured: no file
    return;
  }
  const CapturePlace place = capture_place(*targets);
  AtomicFile& file = *capture_file_;
  auto started = LiveCapture::start(place.interface, place.filter,
                                    [&file](std::string_view bytes) { return file.write(bytes); });
  if (!started) {
    print_note(fmt::format("capture: {}; running without it", started.error().message));
    capture_file_.reset();
    return;
  }
  capture_ = std::move(*started);
  CaptureSummary& summary = report_.capture.emplace();
  summary.file = capture_file_->path();
  summary.interface = place.interface;
  summary.filter = place.filter;
}

// The capture stopped and read back from its own file: what Wireshark will see.
Result<PacketConnections> ReportRecorder::read_capture() {
  auto stats = capture_->stop();
  capture_.reset();
  if (!stats) return tl::unexpected(stats.error());
  report_.capture->packets = stats->packets;
  report_.capture->dropped = stats->dropped;
  auto file = capture_file_->read_back();
  if (!file) return tl::unexpected(file.error());
  return read_packet_connections(*file);
}

void ReportRecorder::finish_capture() {
  if (!capture_) return;
  const Result<PacketConnections> packets = read_capture();
  CaptureSummary& summary = *report_.capture;
  if (!packets) print_note(fmt::format("capture: {}; entries go unchecked", packets.error().message));
  for (ReportEntry& entry : held_) {
    if (packets) entry.capture = check_against_capture(entry.observation, entry.outcome, *packets);
    const bool compared = entry.capture && entry.capture->compared;
    summary.compared += compared;
    summary.not_compared += !compared;
    summary.disagreements += compared && !entry.capture->agrees;
    write_out(entry);
  }
  held_.clear();
  fmt::print(output_.text, "capture: {} packets in {}{}; {} connections checked, {} disagree{}\n",
             summary.packets, summary.file,
             summary.dropped ? fmt::format(" ({} dropped by the kernel)", summary.dropped) : "",
             summary.compared, summary.disagreements,
             summary.not_compared ? fmt::format(", {} not checked", summary.not_compared) : "");
}

int ReportRecorder::exit_code(int command_code) const {
  const bool contradicted = report_.capture && report_.capture->disagreements > 0;
  return command_code == kExitSuccess && capture_strict_ && contradicted ? kExitMismatch : command_code;
}

}  // namespace termprobe
