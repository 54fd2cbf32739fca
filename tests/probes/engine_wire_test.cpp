// The engine against scripted servers on loopback: every behaviour must get
// its label in every one of 50 repetitions, with the facts behind it.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <map>
#include <set>

#include "engine_test_support.h"
#include "fixtures/wire_server.h"
#include "probes/classifier.h"
#include "probes/engine.h"

namespace termprobe {
namespace {

using fixtures::Behaviour;
using namespace std::chrono_literals;

constexpr std::size_t kRepetitions = 50;

ProbeSpec spec_for(const fixtures::WireServer& server) {
  ProbeSpec spec;
  spec.url = server.url("/x");
  spec.timeout = 2s;
  spec.watch = 200ms;
  spec.fin_watch = 20ms;
  return spec;
}

TEST(EngineWire, ResetBeforeAnyByte) {
  auto server = fixtures::WireServer::start(Behaviour::rst_before_response);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::reset_before_response), kRepetitions) << run.label_counts();
  const Observation& o = run.observations.front();
  EXPECT_EQ(o.end, StreamEnd::rst);
  EXPECT_EQ(o.end_errno, ECONNRESET);
  EXPECT_EQ(o.error, "Connection reset by peer");
  EXPECT_EQ(o.wire_bytes_received, 0);
  EXPECT_TRUE(o.request_complete);
  EXPECT_EQ(o.remote.port, server->port());
  EXPECT_EQ(o.local.address, "127.0.0.1");
  EXPECT_GT(o.local.port, 0);
}

TEST(EngineWire, ResetAfterHeaders) {
  auto server = fixtures::WireServer::start(Behaviour::rst_after_headers);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::reset_mid_response), kRepetitions) << run.label_counts();
  const Observation& o = run.observations.front();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.declared_length, 100);
  EXPECT_EQ(o.body_bytes, 0);
}

TEST(EngineWire, ResetMidBodyCountsTheBytesThatArrived) {
  auto server = fixtures::WireServer::start(Behaviour::rst_mid_body);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::reset_mid_response), kRepetitions) << run.label_counts();
  for (const auto& o : run.observations) EXPECT_EQ(o.body_bytes, 50);
}

TEST(EngineWire, FinAfterCompleteResponseNotAnnounced) {
  auto server = fixtures::WireServer::start(Behaviour::fin_after_response);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::close_after_response), kRepetitions) << run.label_counts();
  for (const auto& o : run.observations) {
    EXPECT_FALSE(o.connection_close);
    EXPECT_EQ(o.body_bytes, 5);
    EXPECT_TRUE(o.error.empty());
  }
}

TEST(EngineWire, FinAfterCompleteResponseAnnounced) {
  auto server = fixtures::WireServer::start(Behaviour::fin_after_response_announced);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::close_after_response), kRepetitions) << run.label_counts();
  for (const auto& o : run.observations) EXPECT_TRUE(classify(o).announced);
}

TEST(EngineWire, CloseDelimitedBodyIsCompleteAtFin) {
  auto server = fixtures::WireServer::start(Behaviour::close_delimited_body);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::close_after_response), kRepetitions) << run.label_counts();
  EXPECT_FALSE(run.observations.front().declared_length.has_value());
}

TEST(EngineWire, KeepAliveStaysOpenForTheWholeWatch) {
  auto server = fixtures::WireServer::start(Behaviour::keepalive);
  ProbeSpec spec = spec_for(*server);
  spec.watch = 100ms;
  const EngineRun run = run_engine(spec, kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::keepalive), kRepetitions) << run.label_counts();
  for (const auto& o : run.observations) {
    ASSERT_TRUE(o.timings.ended_us && o.timings.response_complete_us);
    EXPECT_GE(*o.timings.ended_us - *o.timings.response_complete_us, 100'000);
  }
}

TEST(EngineWire, ResetAfterCompleteResponse) {
  auto server = fixtures::WireServer::start(Behaviour::rst_after_response);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::reset_after_response), kRepetitions) << run.label_counts();
  for (const auto& o : run.observations) {
    EXPECT_EQ(o.body_bytes, 5);
    EXPECT_EQ(o.end_errno, ECONNRESET);
  }
}

TEST(EngineWire, FinBeforeAnyByteIsEmptyReply) {
  auto server = fixtures::WireServer::start(Behaviour::fin_before_response);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::empty_reply), kRepetitions) << run.label_counts();
  const Observation& o = run.observations.front();
  EXPECT_TRUE(o.error.empty());
  EXPECT_EQ(o.wire_bytes_received, 0);  // the FIN is not a payload byte
}

TEST(EngineWire, FinMidBodyWithContentLengthIsTruncated) {
  auto server = fixtures::WireServer::start(Behaviour::fin_mid_body_length);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::truncated_response), kRepetitions) << run.label_counts();
  const Observation& o = run.observations.front();
  EXPECT_EQ(o.body_bytes, 50);
  EXPECT_EQ(o.declared_length, 100);
}

TEST(EngineWire, FinMidChunkedBodyIsTruncated) {
  auto server = fixtures::WireServer::start(Behaviour::fin_mid_body_chunked);
  const EngineRun run = run_engine(spec_for(*server), kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::truncated_response), kRepetitions) << run.label_counts();
  const Observation& o = run.observations.front();
  EXPECT_TRUE(o.chunked);
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.body_bytes, 5);
}

TEST(EngineWire, ResetWhileUploading) {
  auto server = fixtures::WireServer::start(Behaviour::rst_during_upload);
  ProbeSpec spec = spec_for(*server);
  spec.method = "POST";
  spec.body_bytes = 1 << 20;
  spec.upload_rate = 1 << 20;  // 1 MiB at 1 MiB/s: the server cuts it long before the end
  const EngineRun run = run_engine(spec, kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::upload_aborted), kRepetitions) << run.label_counts();
  for (const auto& o : run.observations) {
    EXPECT_EQ(o.end, StreamEnd::rst);
    EXPECT_FALSE(o.request_complete);
    EXPECT_LT(o.body_bytes_sent, spec.body_bytes);
    EXPECT_FALSE(classify(o).response_before_abort);
  }
}

TEST(EngineWire, EarlyPayloadTooLargeThenReset) {
  auto server = fixtures::WireServer::start(Behaviour::early_413_then_rst);
  ProbeSpec spec = spec_for(*server);
  spec.method = "POST";
  spec.body_bytes = 1 << 20;
  spec.upload_rate = 1 << 20;
  const EngineRun run = run_engine(spec, kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::upload_aborted), kRepetitions) << run.label_counts();
  for (const auto& o : run.observations) {
    EXPECT_EQ(o.status, 413);
    EXPECT_EQ(o.end, StreamEnd::rst);
    EXPECT_TRUE(classify(o).response_before_abort);
  }
}

TEST(EngineWire, NoResponseUntilTheDeadline) {
  auto server = fixtures::WireServer::start(Behaviour::no_response);
  ProbeSpec spec = spec_for(*server);
  spec.timeout = 100ms;
  const EngineRun run = run_engine(spec, kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::timeout_before_response), kRepetitions) << run.label_counts();
  EXPECT_EQ(run.observations.front().error, "no complete response within 100 ms");
}

TEST(EngineWire, StallMidBodyUntilTheDeadline) {
  auto server = fixtures::WireServer::start(Behaviour::stall_mid_body);
  ProbeSpec spec = spec_for(*server);
  spec.timeout = 100ms;
  const EngineRun run = run_engine(spec, kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::timeout_mid_response), kRepetitions) << run.label_counts();
  EXPECT_EQ(run.observations.front().body_bytes, 10);
}

TEST(EngineWire, ConnectionRefused) {
  ProbeSpec spec;
  spec.url = "http://127.0.0.1:" + std::to_string(fixtures::unused_loopback_port()) + "/";
  const EngineRun run = run_engine(spec, kRepetitions, 1);
  EXPECT_EQ(run.count_of(Label::connect_failed), kRepetitions) << run.label_counts();
  const Observation& o = run.observations.front();
  EXPECT_EQ(o.end, StreamEnd::refused);
  EXPECT_EQ(o.end_errno, ECONNREFUSED);
  EXPECT_FALSE(o.connected);
}

TEST(EngineWire, EveryProbeUsesAFreshConnection) {
  auto server = fixtures::WireServer::start(Behaviour::keepalive);
  ProbeSpec spec = spec_for(*server);
  spec.watch = 10ms;
  const EngineRun run = run_engine(spec, 20, 1);
  EXPECT_EQ(server->connections_accepted(), 20);
  EXPECT_EQ(run.stats.finished, 20u);
}

TEST(EngineWire, ThreadsShareOnePlanAndEveryProbeIsReportedOnce) {
  auto server = fixtures::WireServer::start(Behaviour::fin_after_response);
  EngineOptions options;
  options.threads = 2;
  options.max_in_flight = 20;
  auto engine = Engine::create(options);
  ASSERT_TRUE(engine.has_value());
  ProbeSpec spec = spec_for(*server);
  std::atomic<bool> stop{false};
  std::set<std::size_t> repeats;
  std::map<Label, std::size_t> labels;
  auto stats = (*engine)->run(
      {spec}, 400,
      [&](const ProbeId& id, const Observation& o) {
        repeats.insert(id.repeat);  // the sink is never called from two threads at once
        ++labels[classify(o).label];
      },
      stop);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->finished, 400u);
  EXPECT_EQ(repeats.size(), 400u);
  EXPECT_EQ(labels[Label::close_after_response], 400u);
  EXPECT_EQ(server->connections_accepted(), 400);
}

TEST(EngineWire, StopRequestStartsNothingNew) {
  auto server = fixtures::WireServer::start(Behaviour::keepalive);
  auto engine = Engine::create(EngineOptions{});
  ASSERT_TRUE(engine.has_value());
  std::atomic<bool> stop{true};
  std::size_t seen = 0;
  auto stats = (*engine)->run(
      {spec_for(*server)}, 5, [&](const ProbeId&, const Observation&) { ++seen; }, stop);
  ASSERT_TRUE(stats.has_value());
  EXPECT_TRUE(stats->interrupted);
  EXPECT_EQ(seen, 0u);
  EXPECT_EQ(server->connections_accepted(), 0);
}

TEST(EngineWire, TheRequestHeadersRecordedAreTheOnesTheHeadCarried) {
  auto server = fixtures::WireServer::start(Behaviour::fin_after_response_announced);
  ProbeSpec spec = spec_for(*server);
  spec.headers = {"X-Trace: abc", "Accept:"};  // one added, one default removed
  const EngineRun run = run_engine(spec, 3, 1);
  ASSERT_EQ(run.observations.size(), 3u);
  const std::string host = "127.0.0.1:" + std::to_string(server->port());
  for (const auto& o : run.observations) {
    ASSERT_NE(o.request_headers, nullptr);
    std::vector<std::pair<std::string, std::string>> fields;
    std::size_t head_bytes = std::string_view("GET /x HTTP/1.1\r\n\r\n").size();
    for (const auto& field : *o.request_headers) {
      fields.emplace_back(field.name, field.value);
      head_bytes += field.name.size() + 2 + field.value.size() + 2;
    }
    ASSERT_EQ(fields.size(), 3u);
    EXPECT_EQ(fields[0], std::make_pair(std::string("Host"), host));
    EXPECT_EQ(fields[1].first, "User-Agent");
    EXPECT_TRUE(fields[1].second.starts_with("termprobe/")) << fields[1].second;
    EXPECT_EQ(fields[2], std::make_pair(std::string("X-Trace"), std::string("abc")));
    EXPECT_EQ(o.head_bytes, static_cast<std::int64_t>(head_bytes));  // exactly the head that went out
    EXPECT_EQ(o.response_headers.connection, "close");
    EXPECT_FALSE(o.response_headers.server.has_value());
  }
}

TEST(EngineWire, NoConnectionMeansNoRequestHeaders) {
  ProbeSpec spec;
  spec.url = "http://127.0.0.1:" + std::to_string(fixtures::unused_loopback_port()) + "/";
  const EngineRun run = run_engine(spec, 1, 1);
  ASSERT_EQ(run.observations.size(), 1u);
  EXPECT_EQ(run.observations.front().request_headers, nullptr);
}

}  // namespace
}  // namespace termprobe
