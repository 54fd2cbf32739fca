#include "probes/engine.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "probes/socket_end.h"
#include "probes/transfer.h"

namespace termprobe {
namespace {

using Clock = std::chrono::steady_clock;

enum class SocketRole : std::uint32_t { curl = 0, watch = 1 };

std::uint64_t epoll_tag(SocketRole role, int fd) {
  return (static_cast<std::uint64_t>(role) << 32) | static_cast<std::uint32_t>(fd);
}

std::int64_t micros_since(Clock::time_point start, Clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::microseconds>(now - start).count();
}

// Ending of a probe that never had a connected socket to look at.
StreamEnd end_without_socket(CURLcode code, long os_errno) {
  if (code == CURLE_COULDNT_CONNECT && os_errno == ECONNREFUSED) return StreamEnd::refused;
  if (code == CURLE_OPERATION_TIMEDOUT) return StreamEnd::timeout;
  return StreamEnd::error;
}

// What the first request of a reuse probe left behind for the second.
struct ReuseContext {
  std::int64_t idle_us = 0;                     // first response to second request
  StreamEnd closed_before = StreamEnd::open;    // what the server did meanwhile
  std::optional<std::int64_t> closed_after_us;  // when, after the first response
};

// The connection was up before this request; libcurl may still call it a
// connect failure when the socket is already dead.
void apply_reuse_context(Observation& observation, const ReuseContext& context) {
  observation.connected = true;
  observation.reused = true;
  observation.reuse_idle_us = context.idle_us;
  observation.closed_before_reuse = context.closed_before;
  observation.closed_before_reuse_us = context.closed_after_us;
}

// libcurl gave up before the response was complete: the socket tells whether
// the server reset or closed it. libcurl may fail on a send before reading
// what already arrived (an early 413, say): those bytes are still in the
// kernel, so they are counted and their status line kept.
void record_failed_ending(Observation& observation, CURLcode code, long os_errno, const SocketEnd& seen) {
  observation.unread_bytes = seen.bytes_read;
  if (code == CURLE_OPERATION_TIMEDOUT) {
    observation.end = StreamEnd::timeout;
    return;
  }
  if (observation.status == 0 && observation.header_bytes == 0) {
    observation.status = status_from_head(seen.head);
    observation.status_from_unread = observation.status != 0;
    observation.connection_close = head_announces_close(seen.head);
  }
  observation.end = seen.ended ? seen.kind : StreamEnd::error;
  observation.end_errno = seen.ended ? seen.error : static_cast<int>(os_errno);
}

struct ActiveTransfer {
  std::unique_ptr<Transfer> transfer;
  ProbeId id;
  std::optional<ReuseContext> reuse;  // set on the second request of a reuse probe
};

// A reuse probe between its two requests: the socket idles, watched for FIN/RST.
struct PendingReuse {
  ProbeSpec spec;
  Clock::time_point response_at;  // the first response completed
  ReuseContext context;
};

// A complete response whose connection we keep watching for FIN/RST.
struct WatchedSocket {
  Observation observation;
  ProbeId id;
  Clock::time_point started;          // the probe's start, for its timings
  Clock::time_point deadline;         // end of the watch window (reuse: when to send again)
  std::optional<PendingReuse> reuse;  // set while a reuse probe idles
};

}  // namespace

struct Engine::Impl {
  EngineOptions options;
  CURLM* multi = nullptr;
  int epoll_fd = -1;
  std::unordered_set<int> curl_fds;
  std::optional<Clock::time_point> curl_deadline;
  std::unordered_map<CURL*, ActiveTransfer> active;
  std::unordered_map<int, WatchedSocket> watches;
  const ResultSink* sink = nullptr;
  RunStats stats;
  int keep_during_cleanup = -1;                 // fd a finishing transfer hands over to the engine
  std::optional<Clock::time_point> next_start;  // --rate: the earliest moment the next probe may start
  std::size_t started_count = 0;                // connections started, for source spreading

  bool may_start_now();

  ~Impl();
  Result<void> start(const ProbeSpec& spec, ProbeId id);
  Result<void> wait_and_dispatch(std::optional<Clock::time_point> grace_deadline);
  void drain_finished();
  void finish(CURL* easy, CURLcode code);
  void begin_watch(int fd, Observation observation, ProbeId id, Clock::time_point started,
                   std::chrono::milliseconds window);
  void on_watch_event(int fd);
  void begin_reuse_wait(int fd, Observation observation, ProbeId id, Clock::time_point started,
                        const ProbeSpec& spec);
  void note_close_during_reuse_wait(int fd, WatchedSocket& watch);
  Result<void> start_reused_transfer(int fd, WatchedSocket& watch);
  void expire_watches(Clock::time_point now, bool cut_short);
  void abandon_transfers();
  void conclude(int fd, Observation& observation, const ProbeId& id, Clock::time_point started);
  std::optional<Clock::time_point> next_deadline(std::optional<Clock::time_point> grace_deadline) const;
  bool keeps(int fd) const;
  bool active_fd(int fd) const;

  static int on_curl_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
  static int on_curl_timer(CURLM* multi, long timeout_ms, void* self);
  static int on_close_socket(void* self, curl_socket_t fd);
};

Engine::Impl::~Impl() {
  abandon_transfers();
  for (auto& [fd, watch] : watches) close(fd);
  if (multi != nullptr) curl_multi_cleanup(multi);
  if (epoll_fd >= 0) close(epoll_fd);
}

Result<std::unique_ptr<Engine>> Engine::create(EngineOptions options) {
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.max_in_flight = std::max<std::size_t>(1, options.max_in_flight);
  impl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (impl->epoll_fd < 0)
    return fail(ErrorKind::internal, std::string("epoll_create1: ") + std::strerror(errno));
  impl->multi = curl_multi_init();
  if (impl->multi == nullptr) return fail(ErrorKind::internal, "libcurl could not create a multi handle");
  curl_multi_setopt(impl->multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_curl_socket);
  curl_multi_setopt(impl->multi, CURLMOPT_SOCKETDATA, impl.get());
  curl_multi_setopt(impl->multi, CURLMOPT_TIMERFUNCTION, &Impl::on_curl_timer);
  curl_multi_setopt(impl->multi, CURLMOPT_TIMERDATA, impl.get());
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<RunStats> Engine::run(const std::vector<ProbeSpec>& specs, std::size_t repeat, const ResultSink& sink,
                             const std::atomic<bool>& stop) {
  std::vector<PlannedProbe> plan;
  for (const auto& spec : specs) plan.push_back(PlannedProbe{spec, repeat});
  return run(plan, sink, stop);
}

Result<RunStats> Engine::run(const std::vector<PlannedProbe>& plan, const ResultSink& sink,
                             const std::atomic<bool>& stop) {
  Impl& m = *impl_;
  m.sink = &sink;
  m.stats = RunStats{};
  for (const auto& planned : plan) m.stats.requested += planned.repeat;
  std::size_t next = 0;
  ProbeId next_id;
  std::optional<Clock::time_point> grace_deadline;
  for (;;) {
    if (stop.load() && !grace_deadline) {
      grace_deadline = Clock::now() + m.options.stop_grace;
      m.stats.interrupted = next < m.stats.requested || !m.active.empty() || !m.watches.empty();
    }
    while (!grace_deadline && next < m.stats.requested &&
           m.active.size() + m.watches.size() < m.options.max_in_flight && m.may_start_now()) {
      while (next_id.repeat >= plan[next_id.spec].repeat) next_id = ProbeId{next_id.spec + 1, 0};
      auto started = m.start(plan[next_id.spec].spec, next_id);
      if (!started) return tl::unexpected(started.error());
      ++next;
      ++next_id.repeat;
    }
    if (m.active.empty() && m.watches.empty() && (next == m.stats.requested || grace_deadline)) break;
    if (next == m.stats.requested || grace_deadline) m.next_start.reset();
    if (grace_deadline && Clock::now() >= *grace_deadline) {
      m.abandon_transfers();
      m.expire_watches(Clock::now(), true);
      break;
    }
    auto waited = m.wait_and_dispatch(grace_deadline);
    if (!waited) return tl::unexpected(waited.error());
    m.drain_finished();
    m.expire_watches(Clock::now(), false);
  }
  return m.stats;
}

// Paces starts for --rate: one every 1/rate seconds, on a fixed schedule so
// that a slow moment does not lower the long-run rate.
bool Engine::Impl::may_start_now() {
  if (options.rate <= 0) return true;
  const auto now = Clock::now();
  if (next_start && now < *next_start) return false;
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options.rate));
  next_start = next_start ? *next_start + interval : now + interval;
  return true;
}

Result<void> Engine::Impl::start(const ProbeSpec& planned, ProbeId id) {
  ProbeSpec spec = planned;
  if (options.spread_loopback_sources) spec.loopback_source = static_cast<int>(1 + started_count % 254);
  ++started_count;
  auto transfer = Transfer::create(spec, this, &Impl::on_close_socket);
  if (!transfer) return tl::unexpected(transfer.error());
  CURL* easy = (*transfer)->easy();
  active.emplace(easy, ActiveTransfer{std::move(*transfer), id, std::nullopt});
  const CURLMcode code = curl_multi_add_handle(multi, easy);
  if (code != CURLM_OK) {
    active.erase(easy);
    return fail(ErrorKind::internal, std::string("libcurl: ") + curl_multi_strerror(code));
  }
  return {};
}

std::optional<Clock::time_point> Engine::Impl::next_deadline(
    std::optional<Clock::time_point> grace_deadline) const {
  std::optional<Clock::time_point> next = curl_deadline;
  auto consider = [&next](Clock::time_point t) { next = next ? std::min(*next, t) : t; };
  for (const auto& [fd, watch] : watches) consider(watch.deadline);
  if (grace_deadline) consider(*grace_deadline);
  if (next_start) consider(*next_start);
  return next;
}

Result<void> Engine::Impl::wait_and_dispatch(std::optional<Clock::time_point> grace_deadline) {
  int timeout_ms = -1;
  if (auto deadline = next_deadline(grace_deadline)) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
    timeout_ms = static_cast<int>(std::clamp<std::int64_t>(left, 0, 60'000));
  }
  std::array<epoll_event, 64> events{};
  const int ready = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), timeout_ms);
  if (ready < 0 && errno != EINTR)
    return fail(ErrorKind::internal, std::string("epoll_wait: ") + std::strerror(errno));
  int running = 0;
  for (int i = 0; i < ready; ++i) {
    const auto role = static_cast<SocketRole>(events[i].data.u64 >> 32);
    const auto fd = static_cast<int>(events[i].data.u64 & 0xffffffffu);
    if (role == SocketRole::watch) {
      on_watch_event(fd);
      continue;
    }
    int flags = 0;
    if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) flags |= CURL_CSELECT_IN;
    if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
    if (events[i].events & EPOLLERR) flags |= CURL_CSELECT_ERR;
    curl_multi_socket_action(multi, fd, flags, &running);
  }
  if (curl_deadline && Clock::now() >= *curl_deadline) {
    curl_deadline.reset();
    curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  }
  return {};
}

void Engine::Impl::drain_finished() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
    if (message->msg == CURLMSG_DONE) finish(message->easy_handle, message->data.result);
  }
}

void Engine::Impl::finish(CURL* easy, CURLcode code) {
  auto node = active.extract(easy);
  if (node.empty()) return;
  curl_multi_remove_handle(multi, easy);
  Transfer& transfer = *node.mapped().transfer;
  const ProbeId id = node.mapped().id;
  transfer.record_curl_result(code);
  long os_errno = 0;
  curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
  Observation observation = transfer.observation();
  const int fd = transfer.connected_fd() >= 0 ? transfer.connected_fd() : transfer.adopted_fd();
  const auto started = transfer.started();
  const auto window = transfer.spec().watch;
  const std::optional<ReuseContext> reused = node.mapped().reuse;
  // Only a reuse probe's first request needs its spec after the transfer is gone.
  std::optional<ProbeSpec> reuse_spec;
  if (transfer.spec().reuse_after && !reused) reuse_spec = transfer.spec();
  if (reused) apply_reuse_context(observation, *reused);
  // libcurl lets go of everything before the watch begins; should it close
  // the connected socket only now, that socket must survive.
  keep_during_cleanup = fd;
  node.mapped().transfer.reset();
  keep_during_cleanup = -1;

  if (fd < 0) {
    observation.end = end_without_socket(code, os_errno);
    observation.end_errno = static_cast<int>(os_errno);
    observation.timings.ended_us = micros_since(started, Clock::now());
    ++stats.finished;
    (*sink)(id, observation);
    return;
  }
  if (reuse_spec && observation.response_complete) {
    begin_reuse_wait(fd, std::move(observation), id, started, *reuse_spec);
    return;
  }
  const SocketEnd seen = read_socket_end(fd);
  if (observation.response_complete) {
    observation.bytes_after_response += seen.bytes_read;
    if (!seen.ended && window.count() > 0) {
      begin_watch(fd, std::move(observation), id, started, window);
      return;
    }
    observation.end = seen.ended ? seen.kind : StreamEnd::open;
    observation.end_errno = seen.error;
  } else {
    record_failed_ending(observation, code, os_errno, seen);
  }
  conclude(fd, observation, id, started);
}

void Engine::Impl::begin_watch(int fd, Observation observation, ProbeId id, Clock::time_point started,
                               std::chrono::milliseconds window) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.u64 = epoll_tag(SocketRole::watch, fd);
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0 && errno == EEXIST)
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &event);
  watches.emplace(fd,
                  WatchedSocket{std::move(observation), id, started, Clock::now() + window, std::nullopt});
}

// Reuse probes idle without reading, as a pooled client connection does: the
// second request must meet whatever the server left in the socket.
void Engine::Impl::begin_reuse_wait(int fd, Observation observation, ProbeId id, Clock::time_point started,
                                    const ProbeSpec& spec) {
  epoll_event event{};
  event.events = EPOLLRDHUP;  // FIN; RST arrives as EPOLLHUP/EPOLLERR, which epoll always reports
  event.data.u64 = epoll_tag(SocketRole::watch, fd);
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0 && errno == EEXIST)
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &event);
  const auto now = Clock::now();
  WatchedSocket watch{std::move(observation), id, started, now + *spec.reuse_after,
                      PendingReuse{spec, now, ReuseContext{}}};
  note_close_during_reuse_wait(fd, watch);
  watches.emplace(fd, std::move(watch));
}

void Engine::Impl::note_close_during_reuse_wait(int fd, WatchedSocket& watch) {
  ReuseContext& context = watch.reuse->context;
  if (context.closed_before != StreamEnd::open) return;
  context.closed_before = peek_socket_end(fd);
  if (context.closed_before == StreamEnd::open) return;
  context.closed_after_us = micros_since(watch.reuse->response_at, Clock::now());
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);  // seen; level-triggered events would repeat
}

Result<void> Engine::Impl::start_reused_transfer(int fd, WatchedSocket& watch) {
  PendingReuse& pending = *watch.reuse;
  note_close_during_reuse_wait(fd, watch);
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  pending.context.idle_us = micros_since(pending.response_at, Clock::now());
  auto transfer = Transfer::create(pending.spec, this, &Impl::on_close_socket, fd);
  if (!transfer) return tl::unexpected(transfer.error());
  CURL* easy = (*transfer)->easy();
  active.emplace(easy, ActiveTransfer{std::move(*transfer), watch.id, pending.context});
  const CURLMcode code = curl_multi_add_handle(multi, easy);
  if (code != CURLM_OK) {
    active.erase(easy);
    return fail(ErrorKind::internal, std::string("libcurl: ") + curl_multi_strerror(code));
  }
  return {};
}

void Engine::Impl::on_watch_event(int fd) {
  auto it = watches.find(fd);
  if (it == watches.end()) return;
  if (it->second.reuse) {
    note_close_during_reuse_wait(fd, it->second);
    return;
  }
  const SocketEnd seen = read_socket_end(fd);
  it->second.observation.bytes_after_response += seen.bytes_read;
  if (!seen.ended) return;
  auto node = watches.extract(it);
  WatchedSocket& watch = node.mapped();
  watch.observation.end = seen.kind;
  watch.observation.end_errno = seen.error;
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  conclude(fd, watch.observation, watch.id, watch.started);
}

void Engine::Impl::expire_watches(Clock::time_point now, bool cut_short) {
  for (auto it = watches.begin(); it != watches.end();) {
    if (!cut_short && it->second.deadline > now) {
      ++it;
      continue;
    }
    const int fd = it->first;
    WatchedSocket watch = std::move(it->second);
    it = watches.erase(it);
    if (watch.reuse && !cut_short) {
      if (auto started = start_reused_transfer(fd, watch); !started)
        spdlog::warn("{}", started.error().message);
      if (active_fd(fd)) continue;
    }
    // One last look: an ending that arrived with the deadline still counts.
    const SocketEnd seen = read_socket_end(fd);
    watch.observation.bytes_after_response += seen.bytes_read;
    watch.observation.end = seen.ended ? seen.kind : StreamEnd::open;
    watch.observation.end_errno = seen.error;
    watch.observation.watch_cut_short = cut_short && !seen.ended;
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    conclude(fd, watch.observation, watch.id, watch.started);
  }
}

void Engine::Impl::conclude(int fd, Observation& observation, const ProbeId& id, Clock::time_point started) {
  observation.wire_bytes_received = tcp_bytes_received(fd);
  observation.timings.ended_us = micros_since(started, Clock::now());
  close(fd);
  ++stats.finished;
  (*sink)(id, observation);
}

void Engine::Impl::abandon_transfers() {
  while (!active.empty()) {
    auto node = active.extract(active.begin());
    curl_multi_remove_handle(multi, node.key());
    ++stats.abandoned;
    // Destroying the transfer makes libcurl close its sockets through
    // on_close_socket, which closes them now that no transfer keeps them.
  }
}

bool Engine::Impl::active_fd(int fd) const {
  return std::any_of(active.begin(), active.end(), [fd](const auto& entry) {
    return entry.second.transfer->connected_fd() == fd || entry.second.transfer->adopted_fd() == fd;
  });
}

bool Engine::Impl::keeps(int fd) const {
  if (fd == keep_during_cleanup || watches.contains(fd)) return true;
  return active_fd(fd);
}

int Engine::Impl::on_curl_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
  auto* m = static_cast<Impl*>(self);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    m->curl_fds.erase(fd);
    return 0;
  }
  epoll_event event{};
  if (what & CURL_POLL_IN) event.events |= EPOLLIN;
  if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
  event.data.u64 = epoll_tag(SocketRole::curl, fd);
  const bool is_new = m->curl_fds.insert(fd).second;
  if (epoll_ctl(m->epoll_fd, is_new ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) != 0) {
    const int op = errno == EEXIST ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(m->epoll_fd, op, fd, &event) != 0)
      spdlog::warn("epoll_ctl({}): {}", fd, std::strerror(errno));
  }
  return 0;
}

int Engine::Impl::on_curl_timer(CURLM*, long timeout_ms, void* self) {
  auto* m = static_cast<Impl*>(self);
  if (timeout_ms < 0)
    m->curl_deadline.reset();
  else
    m->curl_deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  return 0;
}

// libcurl is done with a socket. The connected one stays open for the watch;
// the others (failed happy-eyeballs attempts) are closed for real.
int Engine::Impl::on_close_socket(void* self, curl_socket_t fd) {
  auto* m = static_cast<Impl*>(self);
  if (!m->keeps(fd)) close(fd);
  return 0;
}

}  // namespace termprobe
