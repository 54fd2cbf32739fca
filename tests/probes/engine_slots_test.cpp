// What -c bounds: connections the server is busy with. A connection the
// server has closed (its FIN, watched for an RST behind it) or announced
// closing no longer holds a slot; one it keeps open after the response does.
// Read from the probe's own observations: each connection's span, from its
// start to its conclusion, and how many spans overlap at most.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "engine_test_support.h"
#include "fixtures/wire_server.h"

namespace termprobe {
namespace {

using fixtures::Behaviour;
using namespace std::chrono_literals;

// Each connection from its start (wall clock, µs) to the end of its exchange
// or, with whole_life, to its conclusion after the watch behind a FIN.
std::vector<std::pair<std::int64_t, std::int64_t>> spans(const EngineRun& run, bool whole_life) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (const Observation& o : run.observations) {
    const std::int64_t end = o.timings.ended_us.value_or(0) + (whole_life ? o.fin_watch_us : 0);
    out.emplace_back(o.started_unix_us, o.started_unix_us + end);
  }
  return out;
}

std::size_t most_at_once(std::vector<std::pair<std::int64_t, std::int64_t>> intervals) {
  std::vector<std::pair<std::int64_t, int>> edges;
  for (const auto& [from, to] : intervals) {
    edges.emplace_back(from, 1);
    edges.emplace_back(to, -1);
  }
  std::sort(edges.begin(), edges.end());  // an end sorts before a start at the same µs
  std::size_t open = 0, most = 0;
  for (const auto& [at, step] : edges) {
    open = static_cast<std::size_t>(static_cast<int>(open) + step);
    most = std::max(most, open);
  }
  return most;
}

TEST(EngineSlots, TheWatchAfterAFinDoesNotHoldASlot) {
  auto server = fixtures::WireServer::start(Behaviour::fin_after_response);
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.fin_watch = 2s;  // far longer than 8 exchanges take, even under a sanitizer
  const EngineRun run = run_engine(spec, 8, 2);
  expect_every_label(run, Label::close_after_response);
  for (const Observation& o : run.observations) EXPECT_GE(o.fin_watch_us, 2'000'000);
  EXPECT_LE(most_at_once(spans(run, false)), 2u);  // exchanges: -c
  EXPECT_EQ(most_at_once(spans(run, true)), 8u);   // every FIN watched at once, outside -c
}

TEST(EngineSlots, TheWaitForAnAnnouncedCloseDoesNotHoldASlot) {
  auto server = fixtures::WireServer::start(Behaviour::announced_close_late_fin);  // FIN 200 ms after
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.watch = 0ms;
  spec.fin_watch = 0ms;
  const EngineRun run = run_engine(spec, 8, 1);
  expect_every_label(run, Label::close_after_response);
  // Waits of 200 ms each, several at once: the one slot did not serialise them
  // (all 8 on an idle machine; 4 leaves room for a slow sanitizer run).
  EXPECT_GE(most_at_once(spans(run, false)), 4u);
}

TEST(EngineSlots, AConnectionTheServerKeepsOpenHoldsItsSlot) {
  auto server = fixtures::WireServer::start(Behaviour::keepalive);
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.watch = 100ms;
  const EngineRun run = run_engine(spec, 6, 2);
  expect_every_label(run, Label::keepalive);
  EXPECT_EQ(most_at_once(spans(run, true)), 2u);
}

}  // namespace
}  // namespace termprobe
