// One event loop's probes, from connect() to close(). Each stage has its
// named handler; each handler is a few lines that end in the next stage.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "probes/engine.h"
#include "probes/event_loop.h"
#include "probes/probe.h"

namespace termprobe {

class ProbeLoop {
 public:
  using Clock = std::chrono::steady_clock;

  struct Shared {
    const std::vector<PreparedSpec>* prepared = nullptr;
    Plan* plan = nullptr;
    const ResultSink* sink = nullptr;
    std::mutex* sink_mutex = nullptr;     // set when several loops share the sink
    const ProbeEndSink* ended = nullptr;  // told when a probe has handed in its last observation
  };

  ProbeLoop(std::unique_ptr<EventLoop> events, Shared shared, const EngineOptions& options,
            std::size_t max_in_flight, std::size_t max_open);
  ~ProbeLoop();
  ProbeLoop(const ProbeLoop&) = delete;
  ProbeLoop& operator=(const ProbeLoop&) = delete;

  Result<RunStats> run(const std::atomic<bool>& stop);

 private:
  enum class InputEnd { would_block, fin, rst, error };

  // The loop's turn.
  bool may_start() const;
  void start_due_probes(Clock::time_point now);
  void release_slot(Probe& probe);
  void dispatch(std::uint32_t slot, std::uint32_t events);
  void on_deadline(Probe& probe);
  void interrupt_all();

  // Stage handlers, in the order a probe meets them.
  void start_probe(ProbeId id);
  void connect_next_address(Probe& probe);
  void on_connect_result(Probe& probe, std::uint32_t events);
  void note_connected(Probe& probe);
  void begin_connection(Probe& probe);
  void on_setup_event(Probe& probe, std::uint32_t events);
  void on_exchange_event(Probe& probe, std::uint32_t events);
  void pump_output(Probe& probe);
  void after_input(Probe& probe, InputEnd end);
  void begin_watch(Probe& probe);
  void on_server_fin(Probe& probe);
  void on_after_fin_event(Probe& probe);
  void begin_reuse_idle(Probe& probe);
  void note_close_during_idle(Probe& probe);
  void send_reused_request(Probe& probe);
  void next_round(Probe& probe);
  void start_next_request(Probe& probe);
  void end_with(Probe& probe, StreamEnd end, int error_number, std::string error);
  // counters_now: the kernel's counts taken this instant, when the caller has them.
  void conclude(Probe& probe, const TcpCounters* counters_now = nullptr);
  void report_exchanges(Probe& probe, const TcpCounters* counters_now, bool last);

  // Small shared steps.
  bool timer_is_live(const EventLoop::Timer& timer) const;
  InputEnd read_input(Probe& probe);
  const TcpCounters* counters_unchanged_since_fin(const Probe& probe) const;
  TcpCounts connection_counts(const Probe& probe, const TcpCounters& counters) const;
  std::vector<Observation> observations_of(const Probe& probe, const TcpCounters* counters_now) const;
  Clock::time_point stage_deadline(const Probe& probe) const;
  void set_deadline(Probe& probe, Clock::time_point at);
  void revisit(const Probe& probe);
  void run_revisits();
  Probe& new_probe();

  std::unique_ptr<EventLoop> events_;
  Shared shared_;
  EngineOptions options_;
  std::size_t max_in_flight_ = 1;  // -c's share: probes holding a slot
  std::size_t max_open_ = 1;       // connections open at once, slot or not (the open-file limit's share)
  std::size_t in_flight_ = 0;      // probes holding a slot
  std::vector<std::unique_ptr<Probe>> slots_;  // a slot is reused once its probe is done
  std::vector<std::uint32_t> free_slots_;
  std::size_t live_ = 0;  // probes not done, slot or not
  RunStats stats_;
  std::size_t started_count_ = 0;
  std::vector<char> read_buffer_;
  struct Revisit {
    std::uint32_t slot = 0;
    std::uint64_t serial = 0;  // the probe's, so a slot taken by a later probe is not revisited
  };
  std::vector<Revisit> revisits_;
  std::uint64_t serials_ = 0;
};

}  // namespace termprobe
