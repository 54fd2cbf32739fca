// --rounds: one connection carries the request again as soon as it is
// answered. Every round is its own entry; only the first opens the
// connection; a server that says it will close stops the rounds.
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "engine_test_support.h"
#include "fixtures/h2_wire_server.h"
#include "fixtures/wire_server.h"

namespace termprobe {
namespace {

using namespace std::chrono_literals;

std::size_t connections_opened(const EngineRun& run) {
  std::size_t opened = 0;
  for (const Observation& o : run.observations) opened += o.opens_connection ? 1 : 0;
  return opened;
}

TEST(EngineRounds, EachRoundIsAnEntryOnTheSameConnection) {
  // Answers every request until the connection idles for 300 ms: the rounds follow at once.
  auto server = fixtures::WireServer::start(fixtures::Behaviour::idle_fin_300ms);
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.watch = 50ms;
  spec.rounds = 4;
  const EngineRun run = run_engine(spec, 3, 2);
  ASSERT_EQ(run.observations.size(), 12u);
  EXPECT_EQ(run.stats.exchanges, 12u);
  EXPECT_EQ(run.stats.finished, 3u);
  EXPECT_EQ(run.stats.requested, 12u);
  EXPECT_EQ(connections_opened(run), 3u);
  EXPECT_EQ(run.count_of(Label::keepalive), 12u) << run.label_counts();
  EXPECT_EQ(server->connections_accepted(), 3);
  std::size_t reused = 0;
  for (const Observation& o : run.observations) reused += o.reused ? 1 : 0;
  EXPECT_EQ(reused, 9u);  // every round after a connection's first
}

TEST(EngineRounds, AnAnnouncedCloseEndsTheRounds) {
  auto server = fixtures::WireServer::start(fixtures::Behaviour::fin_after_response_announced);
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.rounds = 5;
  const EngineRun run = run_engine(spec, 2, 1);
  ASSERT_EQ(run.observations.size(), 2u);  // one round each: the server said it would close
  EXPECT_EQ(run.count_of(Label::close_after_response), 2u) << run.label_counts();
}

TEST(EngineRounds, Http2RoundsOpenNewStreamsOnTheSameConnection) {
  auto server = fixtures::H2WireServer::start(fixtures::H2Behaviour::complete_keepalive);
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.http = HttpMode::http2_prior_knowledge;
  spec.streams = 3;
  spec.rounds = 3;
  spec.watch = 50ms;
  const EngineRun run = run_engine(spec, 2, 2);
  ASSERT_EQ(run.observations.size(), 18u);
  EXPECT_EQ(connections_opened(run), 2u);
  EXPECT_EQ(run.count_of(Label::keepalive), 18u) << run.label_counts();
  std::set<std::pair<int, std::int32_t>>
      streams;  // (local port, stream id): nine distinct streams per connection
  for (const Observation& o : run.observations) {
    ASSERT_TRUE(o.http2.has_value());
    streams.emplace(o.local.port, o.http2->stream_id);
  }
  EXPECT_EQ(streams.size(), 18u);
}

}  // namespace
}  // namespace termprobe
