// The probe engine: an epoll loop that owns every probe's socket from
// connect() to close(), runs the protocol through a ConnectionDriver, and
// watches each connection after its response, so FIN/RST/open is seen as
// the server made it. --threads runs one such loop per thread over one plan.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "common/error.h"
#include "probes/observation.h"
#include "probes/plan.h"
#include "probes/probe_spec.h"

namespace termprobe {

struct EngineOptions {
  std::size_t max_in_flight = 1;               // connections exchanging or held open by the server (-c)
  std::chrono::milliseconds stop_grace{1000};  // after a stop request, how long running probes may go on
  bool spread_loopback_sources = false;        // bind each connection to another 127.0.0.N (loopback targets)
  double rate = 0;                             // new connections per second; 0 = as fast as in-flight allows
  std::size_t threads = 1;                     // event loops, each with max_in_flight / threads connections
  bool keep_response_head = false;             // keep each response's head as received (-v prints it)
};

struct RunStats {
  // What the plan asked for, counted as it turned out: one per connection,
  // or its streams' count once a connection spoke HTTP/2 (a connection that
  // never got that far, or whose server declined h2, had no streams).
  std::size_t requested = 0;
  std::size_t finished = 0;   // probes (connections) handed to the sink
  std::size_t exchanges = 0;  // observations handed to the sink: one per connection, or per HTTP/2 stream
  std::size_t abandoned = 0;  // probes cut off by a stop request before they ended
  bool interrupted = false;   // a stop request ended the run early
  // New connections waited because watched ones (outside -c) filled the
  // open-file limit's share: the run went slower than -c allowed.
  bool open_limit_waits = false;
  std::size_t open_limit = 0;  // connections all loops may hold open at once (set by Engine::run)
};

// Called once per probe as it ends; with several threads, never two at once.
using ResultSink = std::function<void(const ProbeId&, const Observation&)>;
// Called once per probe after its last observation (--rounds hand some in
// before): nothing more of it will come. Under the sink's lock.
using ProbeEndSink = std::function<void(const ProbeId&)>;

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> create(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs the plan in order: plan[0]'s repetitions first. Results reach the
  // sink as each connection ends, then `ended` hears that the probe is done.
  // When `stop` turns true no new probe starts.
  Result<RunStats> run(const std::vector<PlannedProbe>& plan, const ResultSink& sink,
                       const std::atomic<bool>& stop, const ProbeEndSink& ended = {});
  // The same with every spec repeated `repeat` times.
  Result<RunStats> run(const std::vector<ProbeSpec>& specs, std::size_t repeat, const ResultSink& sink,
                       const std::atomic<bool>& stop);

 private:
  explicit Engine(EngineOptions options);
  EngineOptions options_;
};

}  // namespace termprobe
