#include "capture/live_capture.h"

#include <pcap/pcap.h>
#include <poll.h>

#include <utility>

namespace termprobe {

struct LiveCapture::Handle {
  pcap_t* pcap = nullptr;
  pcap_dumper_t* dumper = nullptr;
  CaptureSink sink;
  Result<void> written;  // the sink's first error
  std::int64_t packets = 0;
  ~Handle() {
    if (dumper) pcap_dump_close(dumper);
    if (pcap) pcap_close(pcap);
  }
};

namespace {

// How long the capture thread waits for packets before it looks for a stop.
constexpr int kWaitMs = 20;
constexpr int kSnapLength = 65535;
// The kernel's ring for packets the thread has not read yet: loopback carries
// 64 KiB segments, and a busy machine may leave the thread waiting a while.
constexpr int kBufferBytes = 64 << 20;

// The dumper writes through a FILE; fopencookie hands its bytes to the sink.
ssize_t write_to_sink(void* cookie, const char* data, size_t size) {
  auto* handle = static_cast<LiveCapture::Handle*>(cookie);
  if (!handle->written) return -1;
  handle->written = handle->sink(std::string_view(data, size));
  return handle->written ? static_cast<ssize_t>(size) : -1;
}

std::FILE* sink_file(LiveCapture::Handle* handle) {
  cookie_io_functions_t io{};
  io.write = write_to_sink;
  return fopencookie(handle, "w", io);
}

void dump_packet(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
  auto* handle = reinterpret_cast<LiveCapture::Handle*>(user);
  pcap_dump(reinterpret_cast<u_char*>(handle->dumper), header, bytes);
  ++handle->packets;
}

Result<void> activate(pcap_t* pcap, const std::string& interface) {
  pcap_set_snaplen(pcap, kSnapLength);
  pcap_set_immediate_mode(pcap, 1);
  pcap_set_buffer_size(pcap, kBufferBytes);
  pcap_set_timeout(pcap, kWaitMs);
  const int status = pcap_activate(pcap);
  if (status == PCAP_ERROR_PERM_DENIED)
    return fail(ErrorKind::invalid_input,
                "no permission to capture on " + interface + " (needs CAP_NET_RAW)");
  if (status < 0) return fail(ErrorKind::io, "cannot capture on " + interface + ": " + pcap_geterr(pcap));
  return {};
}

Result<void> set_filter(pcap_t* pcap, const std::string& filter) {
  bpf_program program{};
  if (pcap_compile(pcap, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    return fail(ErrorKind::internal, "capture filter '" + filter + "': " + pcap_geterr(pcap));
  const int set = pcap_setfilter(pcap, &program);
  pcap_freecode(&program);
  if (set != 0) return fail(ErrorKind::io, "capture filter '" + filter + "': " + pcap_geterr(pcap));
  return {};
}

}  // namespace

Result<std::unique_ptr<LiveCapture>> LiveCapture::start(const std::string& interface,
                                                        const std::string& filter, CaptureSink sink) {
  auto handle = std::make_unique<Handle>();
  handle->sink = std::move(sink);
  char error[PCAP_ERRBUF_SIZE] = {};
  handle->pcap = pcap_create(interface.c_str(), error);
  if (!handle->pcap) return fail(ErrorKind::io, "cannot capture on " + interface + ": " + error);
  if (auto activated = activate(handle->pcap, interface); !activated)
    return tl::unexpected(activated.error());
  if (auto filtered = set_filter(handle->pcap, filter); !filtered) return tl::unexpected(filtered.error());
  if (pcap_setnonblock(handle->pcap, 1, error) != 0)
    return fail(ErrorKind::io, std::string("capture: ") + error);
  std::FILE* file = sink_file(handle.get());
  if (!file) return fail(ErrorKind::io, "cannot capture: fopencookie failed");
  handle->dumper = pcap_dump_fopen(handle->pcap, file);
  if (!handle->dumper) {
    std::fclose(file);
    return fail(ErrorKind::io, std::string("cannot write the capture: ") + pcap_geterr(handle->pcap));
  }
  std::unique_ptr<LiveCapture> capture(new LiveCapture(std::move(handle)));
  capture->thread_ = std::thread([raw = capture.get()] { raw->capture_until_stopped(); });
  return capture;
}

LiveCapture::LiveCapture(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}

LiveCapture::~LiveCapture() { halt(); }

void LiveCapture::halt() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
}

// Non-blocking reads take everything the kernel holds, then a poll waits
// for more, at most kWaitMs, so a stop is seen that soon. The stop flag is
// read before the last drain: every packet sent before stop() is taken.
void LiveCapture::capture_until_stopped() {
  auto* user = reinterpret_cast<u_char*>(handle_.get());
  pollfd ready{pcap_get_selectable_fd(handle_->pcap), POLLIN, 0};
  for (;;) {
    const bool stopping = stop_.load();
    int read = 0;
    while (handle_->written && (read = pcap_dispatch(handle_->pcap, -1, dump_packet, user)) > 0) {
    }
    if (read < 0)
      handle_->written = fail(ErrorKind::io, std::string("capture: ") + pcap_geterr(handle_->pcap));
    if (stopping || !handle_->written) return;
    poll(&ready, 1, kWaitMs);
  }
}

Result<CaptureStats> LiveCapture::stop() {
  halt();
  CaptureStats stats;
  stats.packets = handle_->packets;
  pcap_stat kernel{};
  if (pcap_stats(handle_->pcap, &kernel) == 0) stats.dropped = kernel.ps_drop;
  if (pcap_dump_flush(handle_->dumper) != 0 && handle_->written)
    handle_->written = fail(ErrorKind::io, "cannot write the capture");
  if (!handle_->written) return tl::unexpected(handle_->written.error());
  return stats;
}

}  // namespace termprobe
