#include "probes/probe_loop.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "probes/driver_factory.h"

namespace termprobe {
namespace {

// Every socket is registered once, edge-triggered, for everything: a stage
// never changes what epoll reports (a system call per change, several per
// connection), each handler reads until EAGAIN, and a probe that stops short
// of that (a budget below) is revisited on the next turn.
constexpr std::uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
// A server that sends without pause must not keep one probe's read loop
// from ever returning: after this much, other sockets get their turn.
constexpr std::size_t kReadBudget = 1024 * 1024;
// Likewise for sending: a server that drains an upload as fast as it comes
// (nginx discarding a body it refused) keeps the socket writable, and a
// probe that only sends would read its early 413 after the whole body was
// out. After this much the probe reads what arrived before sending more,
// as curl does between its writes.
constexpr std::size_t kWriteBudget = 256 * 1024;

std::string millis_text(std::chrono::milliseconds value) { return std::to_string(value.count()) + " ms"; }

StreamEnd connect_failure_end(int error) {
  if (error == ECONNREFUSED) return StreamEnd::refused;
  if (error == ETIMEDOUT) return StreamEnd::timeout;
  return StreamEnd::error;
}

// The probe could not bind its own --local-port: nothing the server did.
std::string local_port_error(const ProbeSpec& spec, int error) {
  return "--local-port " + local_ports_text(spec.local_ports) + ": no port free (" + std::strerror(error) +
         "): termprobe's own port, not the server; a port termprobe closed waits out TIME_WAIT, give a range";
}

}  // namespace

ProbeLoop::ProbeLoop(std::unique_ptr<EventLoop> events, Shared shared, const EngineOptions& options,
                     std::size_t max_in_flight, std::size_t max_open)
    : events_(std::move(events)),
      shared_(shared),
      options_(options),
      max_in_flight_(std::max<std::size_t>(1, max_in_flight)),
      max_open_(std::max(max_in_flight_, max_open)),
      read_buffer_(64 * 1024) {}

ProbeLoop::~ProbeLoop() {
  for (auto& probe : slots_) {
    if (probe->fd >= 0) close(probe->fd);
  }
}

Result<RunStats> ProbeLoop::run(const std::atomic<bool>& stop) {
  // The loop, one turn at a time:
  //  1. start the probes the plan has due, while in-flight connections allow;
  //  2. wait in epoll until a socket is ready or the earliest deadline is due;
  //  3. hand each ready socket to the handler of its probe's stage;
  //  4. hand each probe whose deadline came to its stage's deadline handler.
  // After a stop request nothing new starts; running probes get stop_grace,
  // then whatever is still open is recorded as interrupted.
  std::optional<Clock::time_point> grace_end;
  for (;;) {
    if (stop.load() && !grace_end) {
      stats_.interrupted = live_ > 0 || !shared_.plan->exhausted();
      shared_.plan->stop();
      grace_end = Clock::now() + options_.stop_grace;
    }
    if (!grace_end) start_due_probes(Clock::now());
    if (live_ == 0 && shared_.plan->exhausted()) break;
    if (grace_end && Clock::now() >= *grace_end) {
      interrupt_all();
      break;
    }
    std::optional<Clock::time_point> wake = grace_end;
    if (!revisits_.empty()) wake = Clock::now();
    if (auto next = shared_.plan->next_start(); next && may_start())
      wake = wake ? std::min(*wake, *next) : *next;
    auto ready = events_->wait(wake);
    if (!ready) return tl::unexpected(ready.error());
    for (const epoll_event& event : *ready) dispatch(event.data.u32, event.events);
    run_revisits();
    const auto now = Clock::now();
    while (auto timer = events_->pop_due(now)) {
      if (timer_is_live(*timer)) on_deadline(*slots_[timer->slot]);
    }
    events_->drop_stale_timers(4 * live_ + 1024,
                               [this](const EventLoop::Timer& timer) { return timer_is_live(timer); });
  }
  return stats_;
}

bool ProbeLoop::timer_is_live(const EventLoop::Timer& timer) const {
  const Probe& probe = *slots_[timer.slot];
  return probe.stage != Stage::done && probe.generation == timer.generation;
}

// -c bounds the connections a server is busy with: exchanging, or held
// open after the response. One the server has closed (its FIN, watched for
// an RST behind it) or announced closing is only a socket and a timer here,
// so it does not hold a slot; the open-file limit bounds those.
bool ProbeLoop::may_start() const { return in_flight_ < max_in_flight_ && live_ < max_open_; }

void ProbeLoop::start_due_probes(Clock::time_point now) {
  while (may_start()) {
    auto id = shared_.plan->take(now);
    if (!id) break;
    start_probe(*id);
  }
  if (in_flight_ < max_in_flight_ && live_ >= max_open_ && !shared_.plan->exhausted()) {
    stats_.open_limit_waits = true;
  }
}

void ProbeLoop::release_slot(Probe& probe) {
  if (!probe.holds_slot) return;
  probe.holds_slot = false;
  --in_flight_;
}

void ProbeLoop::dispatch(std::uint32_t slot, std::uint32_t events) {
  Probe& probe = *slots_[slot];
  switch (probe.stage) {
    case Stage::connecting: return on_connect_result(probe, events);
    case Stage::setting_up: return on_setup_event(probe, events);
    case Stage::exchanging: return on_exchange_event(probe, events);
    case Stage::watching: return after_input(probe, read_input(probe));
    case Stage::after_fin: return on_after_fin_event(probe);
    case Stage::idle_before_reuse: return note_close_during_idle(probe);
    case Stage::done: return;
  }
}

void ProbeLoop::on_deadline(Probe& probe) {
  const auto now = Clock::now();
  switch (probe.stage) {
    case Stage::connecting:
      return end_with(probe, StreamEnd::timeout, ETIMEDOUT,
                      "connect timed out after " + millis_text(probe.spec().connect_timeout));
    case Stage::setting_up:
      if (now < probe.handshake_deadline()) return pump_output(probe);
      return end_with(probe, StreamEnd::timeout, 0,
                      probe.driver->setup_name() + " was not complete within " +
                          millis_text(probe.spec().connect_timeout));
    case Stage::exchanging: {
      if (now < probe.request_deadline()) return pump_output(probe);  // a send rate's pause is over
      if (const InputEnd end = read_input(probe); end != InputEnd::would_block)
        return after_input(probe, end);
      if (probe.driver->response_done()) return begin_watch(probe);
      return end_with(probe, StreamEnd::timeout, 0,
                      "no complete response within " + millis_text(probe.spec().timeout));
    }
    case Stage::watching: {
      if (const InputEnd end = read_input(probe); end != InputEnd::would_block)
        return after_input(probe, end);
      if (!probe.close_announced_wait) return end_with(probe, StreamEnd::open, 0, "");
      return end_with(probe, StreamEnd::timeout, 0,
                      "the server announced Connection: close but had not closed by the deadline");
    }
    case Stage::after_fin: return conclude(probe, counters_unchanged_since_fin(probe));
    case Stage::idle_before_reuse: return send_reused_request(probe);
    case Stage::done: return;
  }
}

void ProbeLoop::start_probe(ProbeId id) {
  Probe& probe = new_probe();
  probe.id = id;
  probe.prepared = &(*shared_.prepared)[id.spec];
  probe.started = Clock::now();
  probe.address_index = 0;
  probe.reuse_pending = probe.spec().reuse_after.has_value();
  Observation& o = probe.observation;
  o.started_unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  o.method = probe.spec().method;
  o.tls = probe.prepared->tls;
  // What the request would have been, even when it never goes out.
  o.head_bytes = static_cast<std::int64_t>(probe.prepared->request_head.size());
  o.body_bytes_total = probe.spec().body.empty() ? probe.spec().body_bytes
                                                 : static_cast<std::int64_t>(probe.spec().body.size());
  if (probe.prepared->addresses.empty())
    return end_with(probe, StreamEnd::error, 0, probe.prepared->resolve_error);
  connect_next_address(probe);
}

void ProbeLoop::connect_next_address(Probe& probe) {
  const SocketAddress& address = probe.prepared->addresses[probe.address_index];
  const int turn = static_cast<int>(started_count_++ % 65536);
  const LocalBinding local{options_.spread_loopback_sources ? 1 + turn % 254 : 0, probe.spec().local_ports,
                           turn};
  probe.observation.remote = endpoint_of(address);
  bool local_port_taken = false;
  probe.fd = start_connect(address, local, local_port_taken);
  if (probe.fd < 0) {
    const int error = errno;
    if (local_port_taken)
      return end_with(probe, StreamEnd::error, error, local_port_error(probe.spec(), error));
    if (++probe.address_index < probe.prepared->addresses.size()) return connect_next_address(probe);
    return end_with(probe, connect_failure_end(error), error, std::strerror(error));
  }
  probe.observation.local = local_endpoint(probe.fd);
  probe.stage = Stage::connecting;
  events_->watch(probe.fd, kEvents, probe.slot, probe.registered);
  set_deadline(probe, probe.handshake_deadline());
}

// The socket became writable (or failed): the handshake's result is in
// SO_ERROR. Writable with no error or hang-up is a connected socket, and
// asking costs a system call per connection.
void ProbeLoop::on_connect_result(Probe& probe, std::uint32_t events) {
  const bool failed_or_hung_up = (events & (EPOLLERR | EPOLLHUP)) != 0 || (events & EPOLLOUT) == 0;
  const int error = failed_or_hung_up ? take_socket_error(probe.fd) : 0;
  if (error == 0) {
    begin_connection(probe);
    // Bytes or a FIN that came with the connect's edge (a server that speaks
    // or hangs up at once) give no edge of their own.
    if ((events & (EPOLLIN | EPOLLRDHUP)) != 0 && probe.stage != Stage::done) revisit(probe);
    return;
  }
  // Linux says ECONNREFUSED for a refused SYN; ECONNRESET only once the
  // handshake completed: a reset right after accept is the server's ending.
  if (error == ECONNRESET) {
    probe.observation.connected = true;
    return end_with(probe, StreamEnd::rst, error, std::strerror(error));
  }
  if (probe.address_index + 1 < probe.prepared->addresses.size()) {
    events_->forget(probe.fd, probe.registered);
    close(probe.fd);
    probe.fd = -1;
    ++probe.address_index;
    return connect_next_address(probe);
  }
  end_with(probe, connect_failure_end(error), error, std::strerror(error));
}

void ProbeLoop::note_connected(Probe& probe) {
  Observation& o = probe.observation;
  o.connected = true;
  o.timings.connect_us = probe.micros(Clock::now());
  if (o.local.port == 0) o.local = local_endpoint(probe.fd);
}

// The driver takes over the connected socket; a driver with a handshake of
// its own (TLS) sends its first records before the request.
void ProbeLoop::begin_connection(Probe& probe) {
  note_connected(probe);
  probe.driver = make_connection_driver(*probe.prepared);
  probe.stage = probe.driver->setup() == DriverSetup::ready ? Stage::exchanging : Stage::setting_up;
  pump_output(probe);
}

void ProbeLoop::on_setup_event(Probe& probe, std::uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    if (const InputEnd end = read_input(probe); end != InputEnd::would_block) return after_input(probe, end);
  }
  switch (probe.driver->setup()) {
    case DriverSetup::failed: return end_with(probe, StreamEnd::error, 0, probe.driver->setup_failure());
    case DriverSetup::ready: probe.stage = Stage::exchanging; break;
    case DriverSetup::in_progress: break;
  }
  pump_output(probe);
}

void ProbeLoop::on_exchange_event(Probe& probe, std::uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    const InputEnd end = read_input(probe);
    if (end != InputEnd::would_block || probe.driver->response_done()) return after_input(probe, end);
  }
  // What the input asks for (HTTP/2's SETTINGS ACK and WINDOW_UPDATE, say)
  // goes out while the exchange lasts; never after it.
  pump_output(probe);
}

// Sends what the driver has ready; waits for writable when the kernel is full
// and for the rate's next moment when the driver holds bytes back.
void ProbeLoop::pump_output(Probe& probe) {
  std::size_t budget = kWriteBudget;
  for (;;) {
    const auto now_us = probe.micros(Clock::now());
    const std::string_view out = probe.driver->output(now_us);
    if (out.empty()) break;
    if (budget == 0) {
      // Still writable, which an edge will not say again: the next turn
      // sends more, after any input was read.
      revisit(probe);
      set_deadline(probe, stage_deadline(probe));
      return;
    }
    const ssize_t sent =
        send(probe.fd, out.data(), std::min(out.size(), budget), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      budget -= static_cast<std::size_t>(sent);
      probe.bytes_sent += sent;
      probe.driver->output_sent(static_cast<std::size_t>(sent), now_us);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_deadline(probe, stage_deadline(probe));  // EPOLLOUT's edge comes when there is room
      return;
    }
    // The connection died under the request. What arrived before still
    // counts (an early 413, say): read it, then let the socket say how it ended.
    const int error = errno;
    if (const InputEnd end = read_input(probe); end != InputEnd::would_block) return after_input(probe, end);
    const StreamEnd state = end_from_tcp_state(tcp_counters(probe.fd).state);
    return end_with(probe, state == StreamEnd::fin ? StreamEnd::fin : StreamEnd::rst, error,
                    std::strerror(error));
  }
  auto deadline = stage_deadline(probe);
  if (auto resume_us = probe.driver->output_resumes_us())
    deadline = std::min(deadline, probe.started + std::chrono::microseconds(*resume_us));
  set_deadline(probe, deadline);
}

void ProbeLoop::after_input(Probe& probe, InputEnd end) {
  switch (end) {
    case InputEnd::would_block:
      if (probe.stage == Stage::exchanging && probe.driver->response_done()) begin_watch(probe);
      return;
    case InputEnd::fin: return on_server_fin(probe);
    case InputEnd::rst: return end_with(probe, StreamEnd::rst, ECONNRESET, std::strerror(ECONNRESET));
    case InputEnd::error: {
      const int error = errno;
      return end_with(probe, StreamEnd::error, error, std::strerror(error));
    }
  }
}

// The response is complete. A server that announced its close gets until the
// request's deadline to make it, so a label never contradicts what it said.
void ProbeLoop::begin_watch(Probe& probe) {
  const auto now = Clock::now();
  probe.response_at = now;
  if (probe.reuse_pending) return begin_reuse_idle(probe);
  if (++probe.rounds_done < probe.spec().rounds && probe.driver->accepts_next_request())
    return next_round(probe);
  probe.stage = Stage::watching;
  auto until = now + probe.spec().watch;
  probe.close_announced_wait = probe.driver->close_announced() && probe.request_deadline() > until;
  if (probe.close_announced_wait) until = probe.request_deadline();
  if (until <= now) return end_with(probe, StreamEnd::open, 0, "");
  if (probe.driver->close_announced()) release_slot(probe);
  set_deadline(probe, until);
}

void ProbeLoop::on_server_fin(Probe& probe) {
  const auto now = Clock::now();
  if (probe.driver) probe.driver->input_ended(probe.micros(now));
  Observation& o = probe.observation;
  o.end = StreamEnd::fin;
  o.end_errno = 0;
  o.timings.ended_us = probe.micros(now);
  probe.fin_at = now;
  probe.peer_fin = true;
  // An RST may already sit behind the FIN: the socket is closed, not half-closed.
  if (end_from_tcp_state(probe.counters_at_fin.state) == StreamEnd::rst) {
    o.rst_after_fin_us = 0;
    return conclude(probe, &probe.counters_at_fin);
  }
  if (probe.spec().fin_watch.count() <= 0) return conclude(probe, &probe.counters_at_fin);
  release_slot(probe);
  probe.stage = Stage::after_fin;  // nothing but an RST can follow: no edge but its hang-up
  set_deadline(probe, now + probe.spec().fin_watch);
}

// After the FIN nothing more can be received, and once everything sent was
// acknowledged nothing more can be: the counts taken at the FIN are still
// the kernel's (an RST behind the FIN changes neither).
const TcpCounters* ProbeLoop::counters_unchanged_since_fin(const Probe& probe) const {
  const TcpCounters& at_fin = probe.counters_at_fin;
  return at_fin.ok && at_fin.bytes_acked >= probe.bytes_sent ? &at_fin : nullptr;
}

void ProbeLoop::on_after_fin_event(Probe& probe) {
  const bool reset = take_socket_error(probe.fd) == ECONNRESET ||
                     end_from_tcp_state(tcp_counters(probe.fd).state) == StreamEnd::rst;
  if (!reset) return;
  probe.observation.rst_after_fin_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - *probe.fin_at).count();
  conclude(probe);
}

// A reuse probe idles without reading, as a pooled client connection does:
// the second request must meet whatever the server left in the socket.
void ProbeLoop::begin_reuse_idle(Probe& probe) {
  probe.stage = Stage::idle_before_reuse;  // edges only note a close; nothing is read
  set_deadline(probe, Clock::now() + *probe.spec().reuse_after);
  note_close_during_idle(probe);
}

void ProbeLoop::note_close_during_idle(Probe& probe) {
  Observation& o = probe.observation;
  if (o.closed_before_reuse != StreamEnd::open) return;
  const StreamEnd end = end_from_tcp_state(tcp_counters(probe.fd).state);
  if (end == StreamEnd::open) return;
  o.closed_before_reuse = end;
  o.closed_before_reuse_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - *probe.response_at).count();
}

void ProbeLoop::send_reused_request(Probe& probe) {
  note_close_during_idle(probe);
  probe.reuse_pending = false;
  start_next_request(probe);
}

// --rounds: the connection carries the next request as soon as this one is
// answered. This round's exchanges are reported now, as the server left the
// connection: open (it is about to carry the next round).
void ProbeLoop::next_round(Probe& probe) {
  probe.observation.end = StreamEnd::open;
  probe.observation.timings.ended_us = probe.micros(Clock::now());
  report_exchanges(probe, nullptr, false);
  start_next_request(probe);
}

// The same request again on the open connection, observed afresh.
void ProbeLoop::start_next_request(Probe& probe) {
  const auto now = Clock::now();
  const Observation& first = probe.observation;
  Observation second;
  second.local = first.local;
  second.remote = first.remote;
  second.connected = true;
  second.tls = first.tls;
  second.tls_established = first.tls_established;
  second.method = first.method;
  second.reused = true;
  second.reuse_idle_us =
      std::chrono::duration_cast<std::chrono::microseconds>(now - *probe.response_at).count();
  second.closed_before_reuse = first.closed_before_reuse;
  second.closed_before_reuse_us = first.closed_before_reuse_us;
  probe.observation = std::move(second);
  probe.started = now;
  const TcpCounts so_far = connection_counts(probe, tcp_counters(probe.fd));
  probe.payload_before_request = so_far.received;
  probe.acked_before_request = so_far.acked;
  probe.response_at.reset();
  probe.fin_at.reset();
  probe.driver->begin_next_request(0);
  probe.stage = Stage::exchanging;
  pump_output(probe);
  revisit(probe);  // what the server sent while the probe idled gives no new edge
}

void ProbeLoop::end_with(Probe& probe, StreamEnd end, int error_number, std::string error) {
  Observation& o = probe.observation;
  o.end = end;
  o.end_errno = error_number;
  o.error = std::move(error);
  o.timings.ended_us = probe.micros(Clock::now());
  conclude(probe);
}

void ProbeLoop::conclude(Probe& probe, const TcpCounters* counters_now) {
  Observation& o = probe.observation;
  const auto now = Clock::now();
  if (!o.timings.ended_us) o.timings.ended_us = probe.micros(now);
  if (probe.fin_at)
    o.fin_watch_us = std::chrono::duration_cast<std::chrono::microseconds>(now - *probe.fin_at).count();
  report_exchanges(probe, counters_now, true);
  if (probe.fd >= 0) {
    close(probe.fd);  // also leaves the epoll set
    probe.registered = false;
    probe.fd = -1;
  }
  probe.stage = Stage::done;
  probe.driver.reset();
  ++stats_.finished;
  release_slot(probe);
  --live_;
  free_slots_.push_back(probe.slot);
}

// The current request's exchanges, handed to the sink; `last`: the probe is done.
void ProbeLoop::report_exchanges(Probe& probe, const TcpCounters* counters_now, bool last) {
  const std::vector<Observation> exchanges = observations_of(probe, counters_now);
  probe.connection_reported = true;
  stats_.exchanges += exchanges.size();
  std::unique_lock<std::mutex> lock;
  if (shared_.sink_mutex != nullptr) lock = std::unique_lock(*shared_.sink_mutex);
  for (const Observation& exchange : exchanges) (*shared_.sink)(probe.id, exchange);
  if (last && shared_.ended != nullptr) (*shared_.ended)(probe.id);
}

// One observation per exchange (HTTP/2 streams): the connection's facts,
// then the exchange's own.
std::vector<Observation> ProbeLoop::observations_of(const Probe& probe,
                                                    const TcpCounters* counters_now) const {
  const std::size_t count = probe.driver ? probe.driver->exchange_count() : 1;
  std::vector<Observation> out(count, probe.observation);
  const std::optional<TcpCounts> tcp =
      probe.fd >= 0
          ? std::optional(connection_counts(probe, counters_now ? *counters_now : tcp_counters(probe.fd)))
          : std::nullopt;
  for (std::size_t i = 0; i < count; ++i) {
    if (probe.driver) probe.driver->record(out[i], i);
    out[i].opens_connection = i == 0 && !probe.connection_reported;  // an earlier round's entry opened it
    if (!tcp) continue;
    if (probe.driver)
      probe.driver->record_wire(out[i], *tcp);
    else
      out[i].wire_bytes_received = tcp->received;  // refused before a driver took over: what arrived anyway
  }
  return out;
}

// What the kernel received and had acknowledged on the connection, once for
// all its exchanges; each driver maps them onto its request (over TLS,
// application bytes).
TcpCounts ProbeLoop::connection_counts(const Probe& probe, const TcpCounters& counters) const {
  // A FIN read is known; one still queued behind unread bytes is asked for:
  // the kernel's receive sequence counts the FIN as one byte, which holds
  // after an RST too, when the TCP state no longer tells.
  const bool fin = probe.peer_fin || counters.sequence_received > probe.bytes_read + unread_bytes(probe.fd);
  return TcpCounts{counters.sequence_received - (fin ? 1 : 0), counters.bytes_acked,
                   probe.payload_before_request, probe.acked_before_request};
}

ProbeLoop::Clock::time_point ProbeLoop::stage_deadline(const Probe& probe) const {
  return probe.stage == Stage::setting_up ? probe.handshake_deadline() : probe.request_deadline();
}

ProbeLoop::InputEnd ProbeLoop::read_input(Probe& probe) {
  std::size_t budget = kReadBudget;
  while (budget > 0) {
    const ssize_t n = recv(probe.fd, read_buffer_.data(), read_buffer_.size(), MSG_DONTWAIT);
    if (n > 0) {
      budget -= std::min(budget, static_cast<std::size_t>(n));
      probe.bytes_read += n;
      if (probe.driver)
        probe.driver->input(std::string_view(read_buffer_.data(), static_cast<std::size_t>(n)),
                            probe.micros(Clock::now()));
      continue;
    }
    // 0 is the FIN, or an RST whose error a failed send() already took: the
    // queue is empty, so the receive sequence alone tells.
    if (n == 0) {
      probe.counters_at_fin = tcp_counters(probe.fd);
      return probe.counters_at_fin.sequence_received > probe.bytes_read ? InputEnd::fin : InputEnd::rst;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return InputEnd::would_block;
    return errno == ECONNRESET ? InputEnd::rst : InputEnd::error;
  }
  revisit(probe);  // more is waiting, and no new edge will say so
  return InputEnd::would_block;
}

void ProbeLoop::set_deadline(Probe& probe, Clock::time_point at) {
  if (probe.deadline == at && probe.generation != 0) return;
  probe.deadline = at;
  ++probe.generation;
  events_->schedule(EventLoop::Timer{at, probe.slot, probe.generation});
}

void ProbeLoop::revisit(const Probe& probe) { revisits_.push_back(Revisit{probe.slot, probe.serial}); }

// The probes that stopped short of EAGAIN last turn, as if epoll had said
// readable and writable again.
void ProbeLoop::run_revisits() {
  std::vector<Revisit> due;
  due.swap(revisits_);
  for (const Revisit& r : due) {
    const Probe& probe = *slots_[r.slot];
    if (probe.stage != Stage::done && probe.serial == r.serial) dispatch(r.slot, EPOLLIN | EPOLLOUT);
  }
}

Probe& ProbeLoop::new_probe() {
  if (free_slots_.empty()) {
    slots_.push_back(std::make_unique<Probe>());
    slots_.back()->slot = static_cast<std::uint32_t>(slots_.size() - 1);
    free_slots_.push_back(slots_.back()->slot);
  }
  Probe& probe = *slots_[free_slots_.back()];
  free_slots_.pop_back();
  const std::uint32_t generation = probe.generation;  // keeps counting: old timers stay stale
  const std::uint32_t slot = probe.slot;
  probe = Probe{};
  probe.slot = slot;
  probe.generation = generation + 1;
  probe.holds_slot = true;
  probe.serial = ++serials_;
  ++in_flight_;
  ++live_;
  return probe;
}

// The grace period after a stop request is over: every probe still running
// is recorded with what it measured, never dropped.
void ProbeLoop::interrupt_all() {
  for (auto& slot : slots_) {
    Probe& probe = *slot;
    if (probe.stage == Stage::done) continue;
    if (probe.stage == Stage::watching || probe.stage == Stage::exchanging ||
        probe.stage == Stage::setting_up) {
      if (const InputEnd end = read_input(probe); end != InputEnd::would_block) {
        after_input(probe, end);
        if (probe.stage == Stage::done) continue;
      }
    }
    if (probe.stage == Stage::after_fin) {
      conclude(probe);
      continue;
    }
    if (probe.stage == Stage::watching) {
      probe.observation.watch_cut_short = true;
      end_with(probe, StreamEnd::open, 0, "");
      continue;
    }
    ++stats_.abandoned;
    probe.observation.interrupted = true;
    end_with(probe, StreamEnd::open, 0, "stopped by an interrupt before the server ended the connection");
  }
}

}  // namespace termprobe
