#include "probes/engine.h"

#include <sys/resource.h>

#include <map>
#include <thread>
#include <tuple>

#include "common/resolve_override.h"
#include "common/target_url.h"
#include "probes/http1_exchange.h"
#include "probes/http2_session.h"
#include "probes/probe_loop.h"
#include "probes/tls_context.h"

namespace termprobe {
namespace {

std::string without_brackets(const std::string& host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

std::vector<std::string> alpn_offer(HttpMode mode) {
  switch (mode) {
    case HttpMode::http1: return {"http/1.1"};
    case HttpMode::http2: return {"h2", "http/1.1"};
    case HttpMode::http2_prior_knowledge: return {"h2"};
  }
  return {};
}

// The spec's TLS context; on failure (an unreadable --cacert, say) its
// probes end with the reason instead of connecting.
bool prepare_tls(PreparedSpec& spec, const TargetUrl& url) {
  auto context = TlsContext::create(spec.spec->tls, alpn_offer(spec.spec->http));
  if (!context) {
    spec.resolve_error = context.error().message;
    return false;
  }
  spec.tls_context = std::move(*context);
  spec.server_name = without_brackets(url.host);
  return true;
}

// Parses, resolves and builds the request head once per spec; names are
// resolved once per host and port (a run's probes all use the same answer).
std::vector<PreparedSpec> prepare(const std::vector<PlannedProbe>& plan, bool keep_response_head) {
  std::map<std::tuple<std::string, int, IpFamily>, Result<std::vector<SocketAddress>>> resolved;
  std::vector<PreparedSpec> prepared;
  prepared.reserve(plan.size());
  for (const auto& planned : plan) {
    PreparedSpec spec;
    spec.spec = &planned.spec;
    spec.keep_response_head = keep_response_head;
    auto url = parse_target_url(planned.spec.url);
    if (!url) {
      spec.resolve_error = url.error().message;
      prepared.push_back(std::move(spec));
      continue;
    }
    spec.tls = url->scheme == "https";
    spec.http1_fields =
        std::make_shared<const std::vector<HeaderField>>(request_header_fields(planned.spec, *url));
    spec.request_head = http1_request_head(planned.spec.method, *spec.http1_fields, url->request_target);
    if (planned.spec.http != HttpMode::http1)
      spec.http2_fields =
          std::make_shared<const std::vector<HeaderField>>(http2_request_fields(planned.spec, *url));
    if (spec.tls && !prepare_tls(spec, *url)) {
      prepared.push_back(std::move(spec));
      continue;
    }
    const ConnectPoint point =
        connect_point_for(planned.spec.resolve, planned.spec.connect_to, url->host, url->port);
    const auto key = std::make_tuple(point.host, point.port, planned.spec.ip_family);
    auto found = resolved.find(key);
    if (found == resolved.end())
      found = resolved.emplace(key, resolve(point.host, point.port, planned.spec.ip_family)).first;
    if (found->second)
      spec.addresses = *found->second;
    else
      spec.resolve_error = found->second.error().message;
    prepared.push_back(std::move(spec));
  }
  return prepared;
}

// Connections all loops may hold open at once, watched ones included: the
// open-file limit, less what the rest of the process needs (the report, its
// spill file, the event loops, the standard streams, a resolver).
std::size_t open_connection_limit() {
  constexpr std::size_t kReserved = 64;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1 << 20;
  return limit.rlim_cur > kReserved ? static_cast<std::size_t>(limit.rlim_cur) - kReserved : 0;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::create(EngineOptions options) {
  options.max_in_flight = std::max<std::size_t>(1, options.max_in_flight);
  options.threads = std::clamp<std::size_t>(options.threads, 1, options.max_in_flight);
  return std::unique_ptr<Engine>(new Engine(options));
}

Engine::Engine(EngineOptions options) : options_(options) {}
Engine::~Engine() = default;

Result<RunStats> Engine::run(const std::vector<ProbeSpec>& specs, std::size_t repeat, const ResultSink& sink,
                             const std::atomic<bool>& stop) {
  std::vector<PlannedProbe> plan;
  for (const auto& spec : specs) plan.push_back(PlannedProbe{spec, repeat});
  return run(plan, sink, stop);
}

Result<RunStats> Engine::run(const std::vector<PlannedProbe>& plan, const ResultSink& sink,
                             const std::atomic<bool>& stop, const ProbeEndSink& ended) {
  const std::vector<PreparedSpec> prepared = prepare(plan, options_.keep_response_head);
  Plan schedule(plan, options_.rate);
  std::mutex sink_mutex;
  const std::size_t threads = options_.threads;
  ProbeLoop::Shared shared{&prepared, &schedule, &sink, threads > 1 ? &sink_mutex : nullptr,
                           ended ? &ended : nullptr};

  std::vector<std::unique_ptr<ProbeLoop>> loops;
  const std::size_t open_limit = open_connection_limit();
  for (std::size_t i = 0; i < threads; ++i) {
    auto events = EventLoop::create();
    if (!events) return tl::unexpected(events.error());
    // In-flight connections are shared out; the first loops take the remainder.
    const std::size_t share =
        options_.max_in_flight / threads + (i < options_.max_in_flight % threads ? 1 : 0);
    loops.push_back(
        std::make_unique<ProbeLoop>(std::move(*events), shared, options_, share, open_limit / threads));
  }
  std::vector<Result<RunStats>> results(threads, RunStats{});
  std::vector<std::thread> workers;
  for (std::size_t i = 1; i < threads; ++i)
    workers.emplace_back([&, i] { results[i] = loops[i]->run(stop); });
  results[0] = loops[0]->run(stop);
  for (auto& worker : workers) worker.join();

  RunStats total;
  std::size_t planned_connections = 0;
  for (const auto& planned : plan) planned_connections += planned.repeat;
  for (const auto& result : results) {
    if (!result) return tl::unexpected(result.error());
    total.finished += result->finished;
    total.exchanges += result->exchanges;
    total.abandoned += result->abandoned;
    total.interrupted = total.interrupted || result->interrupted;
    total.open_limit_waits = total.open_limit_waits || result->open_limit_waits;
    if (result->open_limit_waits) total.open_limit = open_limit;
  }
  // Connections never started (a stop request) count once each.
  total.requested = planned_connections - total.finished + total.exchanges;
  return total;
}

}  // namespace termprobe
