// One ProbeLoop run in-process against the scripted servers on 127.0.0.1
// (tests/fixtures/wire_server.h): the basics of how a connection ends, seen
// through the loop itself rather than through the Engine around it.
#include "probes/probe_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>

#include "common/target_url.h"
#include "fixtures/wire_server.h"
#include "probes/http1_exchange.h"

namespace termprobe {
namespace {

using fixtures::Behaviour;
using namespace std::chrono_literals;

struct LoopRun {
  std::vector<std::pair<ProbeId, Observation>> results;
  RunStats stats;
};

// What Engine::run prepares for a plain-http spec, and the one ProbeLoop
// construction (its constructor is changing: keep it here only).
LoopRun run_loop(const ProbeSpec& spec, std::size_t repeat, std::size_t in_flight,
                 bool stop_at_once = false) {
  const auto url = parse_target_url(spec.url);
  EXPECT_TRUE(url.has_value());
  std::vector<PreparedSpec> prepared(1);
  prepared[0].spec = &spec;
  prepared[0].http1_fields =
      std::make_shared<const std::vector<HeaderField>>(request_header_fields(spec, *url));
  prepared[0].request_head = http1_request_head(spec.method, *prepared[0].http1_fields, url->request_target);
  auto addresses = resolve(url->host, url->port);
  EXPECT_TRUE(addresses.has_value());
  if (addresses) prepared[0].addresses = *addresses;

  const std::vector<PlannedProbe> plan = {{spec, repeat}};
  Plan schedule(plan, 0);
  LoopRun run;
  const ResultSink sink = [&](const ProbeId& id, const Observation& o) { run.results.emplace_back(id, o); };
  auto events = EventLoop::create();
  EXPECT_TRUE(events.has_value());
  if (!events) return run;
  EngineOptions options;
  options.max_in_flight = in_flight;
  ProbeLoop loop(std::move(*events), ProbeLoop::Shared{&prepared, &schedule, &sink, nullptr, nullptr},
                 options, in_flight, in_flight);
  const std::atomic<bool> stop{stop_at_once};
  auto stats = loop.run(stop);
  EXPECT_TRUE(stats.has_value());
  if (stats) run.stats = *stats;
  return run;
}

ProbeSpec spec_for(const fixtures::WireServer& server) {
  ProbeSpec spec;
  spec.url = server.url("/x");
  spec.timeout = 2s;
  spec.watch = 50ms;
  spec.fin_watch = 20ms;
  return spec;
}

constexpr std::int64_t kOkBytes = 69;  // wire_server.cpp's kOk: HTTP/1.1 200, Content-Length: 5

TEST(ProbeLoop, AFinAfterACompleteResponse) {
  auto server = fixtures::WireServer::start(Behaviour::fin_after_response);
  const LoopRun run = run_loop(spec_for(*server), 1, 1);
  ASSERT_EQ(run.results.size(), 1u);
  const Observation& o = run.results[0].second;
  EXPECT_EQ(o.end, StreamEnd::fin);
  EXPECT_EQ(o.end_errno, 0);
  EXPECT_EQ(o.error, "");
  EXPECT_TRUE(o.connected);
  EXPECT_TRUE(o.request_complete);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body_bytes, 5);
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.response_bytes, kOkBytes);
  EXPECT_EQ(o.wire_bytes_received, kOkBytes);  // the FIN is not a payload byte
  EXPECT_EQ(o.request_bytes_acked, o.request_bytes_sent);
  EXPECT_EQ(o.rst_after_fin_us, std::nullopt);
  EXPECT_GE(o.fin_watch_us, 20'000);  // the watch for an RST behind the FIN ran its course
  EXPECT_EQ(o.remote.address, "127.0.0.1");
  EXPECT_EQ(o.remote.port, server->port());
  const Timings& t = o.timings;
  ASSERT_TRUE(t.connect_us && t.request_sent_us && t.first_byte_us && t.response_complete_us && t.ended_us);
  EXPECT_LE(*t.connect_us, *t.request_sent_us);
  EXPECT_LE(*t.request_sent_us, *t.first_byte_us);
  EXPECT_LE(*t.first_byte_us, *t.response_complete_us);
  EXPECT_LE(*t.response_complete_us, *t.ended_us);
  EXPECT_EQ(run.stats.finished, 1u);
  EXPECT_EQ(run.stats.exchanges, 1u);
  EXPECT_EQ(run.stats.abandoned, 0u);
  EXPECT_FALSE(run.stats.interrupted);
}

TEST(ProbeLoop, AnRstAfterACompleteResponse) {
  auto server = fixtures::WireServer::start(Behaviour::rst_after_response);
  const LoopRun run = run_loop(spec_for(*server), 1, 1);
  ASSERT_EQ(run.results.size(), 1u);
  const Observation& o = run.results[0].second;
  EXPECT_EQ(o.end, StreamEnd::rst);
  EXPECT_EQ(o.end_errno, ECONNRESET);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body_bytes, 5);
  EXPECT_TRUE(o.response_complete);
}

TEST(ProbeLoop, AnRstBeforeAnyByte) {
  auto server = fixtures::WireServer::start(Behaviour::rst_before_response);
  const LoopRun run = run_loop(spec_for(*server), 1, 1);
  ASSERT_EQ(run.results.size(), 1u);
  const Observation& o = run.results[0].second;
  EXPECT_EQ(o.end, StreamEnd::rst);
  EXPECT_EQ(o.end_errno, ECONNRESET);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.response_bytes, 0);
  EXPECT_EQ(o.wire_bytes_received, 0);
  EXPECT_FALSE(o.response_complete);
}

TEST(ProbeLoop, AKeptAliveConnectionIsWatchedThenLeftOpen) {
  auto server = fixtures::WireServer::start(Behaviour::keepalive);
  const LoopRun run = run_loop(spec_for(*server), 1, 1);
  ASSERT_EQ(run.results.size(), 1u);
  const Observation& o = run.results[0].second;
  EXPECT_EQ(o.end, StreamEnd::open);
  EXPECT_EQ(o.error, "");
  EXPECT_TRUE(o.response_complete);
  ASSERT_TRUE(o.timings.ended_us && o.timings.response_complete_us);
  EXPECT_GE(*o.timings.ended_us - *o.timings.response_complete_us, 50'000);
}

TEST(ProbeLoop, ARefusedConnection) {
  ProbeSpec spec;
  spec.url = "http://127.0.0.1:" + std::to_string(fixtures::unused_loopback_port()) + "/x";
  spec.timeout = 2s;
  const LoopRun run = run_loop(spec, 1, 1);
  ASSERT_EQ(run.results.size(), 1u);
  const Observation& o = run.results[0].second;
  EXPECT_EQ(o.end, StreamEnd::refused);
  EXPECT_EQ(o.end_errno, ECONNREFUSED);
  EXPECT_FALSE(o.connected);
  EXPECT_FALSE(o.head_complete);
}

TEST(ProbeLoop, RepeatsRunInPlanOrderEachOnItsOwnConnection) {
  auto server = fixtures::WireServer::start(Behaviour::fin_after_response);
  const LoopRun run = run_loop(spec_for(*server), 3, 1);
  ASSERT_EQ(run.results.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(run.results[i].first.spec, 0u);
    EXPECT_EQ(run.results[i].first.repeat, i);
    EXPECT_EQ(run.results[i].second.end, StreamEnd::fin);
  }
  EXPECT_NE(run.results[0].second.local.port, run.results[1].second.local.port);
  EXPECT_EQ(server->connections_accepted(), 3);
  EXPECT_EQ(run.stats.finished, 3u);
}

TEST(ProbeLoop, AStopBeforeTheFirstTurnStartsNothing) {
  auto server = fixtures::WireServer::start(Behaviour::fin_after_response);
  const LoopRun run = run_loop(spec_for(*server), 3, 1, true);
  EXPECT_TRUE(run.results.empty());
  EXPECT_EQ(run.stats.finished, 0u);
  EXPECT_TRUE(run.stats.interrupted);
  EXPECT_EQ(server->connections_accepted(), 0);
}

}  // namespace
}  // namespace termprobe
