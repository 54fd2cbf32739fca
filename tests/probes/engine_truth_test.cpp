// Issue "truth on HTTP/1.1": each ending a packet capture shows, the engine
// reports — every one of 50 repetitions, sequentially and at concurrency 50.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <thread>

#include "engine_test_support.h"
#include "fixtures/wire_server.h"
#include "probes/classifier.h"

namespace termprobe {
namespace {

using fixtures::Behaviour;
using namespace std::chrono_literals;

constexpr std::size_t kRepetitions = 50;

// Runs the behaviour sequentially and at concurrency 50; every observation
// must have the label and pass check.
void expect_everywhere(Behaviour behaviour, Label label, const std::function<void(ProbeSpec&)>& adjust,
                       const std::function<void(const Observation&)>& check) {
  auto server = fixtures::WireServer::start(behaviour);
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.timeout = 3s;
  spec.watch = 200ms;
  spec.fin_watch = 20ms;  // enough on loopback; keeps 100 sequential probes quick
  adjust(spec);
  for (std::size_t in_flight : {1u, 50u}) {
    SCOPED_TRACE("concurrency " + std::to_string(in_flight));
    const auto run = run_engine(spec, kRepetitions, in_flight);
    ASSERT_EQ(run.observations.size(), kRepetitions);
    for (const auto& o : run.observations) check(o);
    expect_every_label(run, label);
  }
}

const auto kNoChange = [](ProbeSpec&) {};

TEST(EngineTruth, ResetRightAfterTheHandshakeIsAResetBeforeResponse) {
  expect_everywhere(Behaviour::rst_at_accept, Label::reset_before_response, kNoChange,
                    [](const Observation& o) {
                      EXPECT_TRUE(o.connected);
                      EXPECT_EQ(o.end, StreamEnd::rst);
                      EXPECT_EQ(o.local.address, "127.0.0.1");
                      EXPECT_GT(o.local.port, 0);
                      EXPECT_NE(classify(o).phase, Phase::upload);
                    });
}

TEST(EngineTruth, FinRightAfterTheHandshakeIsAnEmptyReply) {
  expect_everywhere(Behaviour::fin_at_accept, Label::empty_reply, kNoChange, [](const Observation& o) {
    EXPECT_TRUE(o.connected);
    EXPECT_GT(o.local.port, 0);
    EXPECT_EQ(o.response_bytes, 0);
  });
}

TEST(EngineTruth, RefusedConnectionStillHasItsLocalPort) {
  ProbeSpec spec;
  spec.url = "http://127.0.0.1:" + std::to_string(fixtures::unused_loopback_port()) + "/";
  const auto run = run_engine(spec, kRepetitions, 1);
  expect_every_label(run, Label::connect_failed);
  for (const auto& o : run.observations) EXPECT_GT(o.local.port, 0);
}

TEST(EngineTruth, AnRstBehindAFinIsRecorded) {
  const auto long_fin_watch = [](ProbeSpec& spec) { spec.fin_watch = 100ms; };
  expect_everywhere(Behaviour::fin_then_rst_after_response, Label::close_after_response, long_fin_watch,
                    [](const Observation& o) {
                      EXPECT_EQ(o.end, StreamEnd::fin);
                      ASSERT_TRUE(o.rst_after_fin_us.has_value());
                      // The fixture waits 5 ms; on a loaded machine the probe may read
                      // the FIN late, so only the order is certain.
                      EXPECT_GE(*o.rst_after_fin_us, 0);
                      EXPECT_LT(*o.rst_after_fin_us, 100'000);
                    });
}

TEST(EngineTruth, EarlyAnswerThenFinThenRstDuringAnUpload) {
  const auto upload = [](ProbeSpec& spec) {
    spec.method = "POST";
    spec.body_bytes = 1 << 20;
    spec.upload_rate = 1 << 20;
  };
  // The fixture resets once its 413 and FIN are acknowledged, which a delayed
  // ACK (or a sanitizer build at concurrency 50) can hold back well past
  // 100 ms; the probe stops watching as soon as the RST comes, so a long
  // watch costs nothing when it is quick.
  const auto upload_watching_after_fin = [&](ProbeSpec& spec) {
    upload(spec);
    spec.fin_watch = 1000ms;
  };
  expect_everywhere(Behaviour::early_413_fin_then_rst, Label::upload_aborted, upload_watching_after_fin,
                    [](const Observation& o) {
                      EXPECT_EQ(o.status, 413);
                      EXPECT_EQ(o.end, StreamEnd::fin);
                      EXPECT_TRUE(o.rst_after_fin_us.has_value());
                    });
}

TEST(EngineTruth, UploadBytesThatGotThroughAreTheAcknowledgedOnes) {
  const auto upload = [](ProbeSpec& spec) {
    spec.method = "POST";
    spec.body_bytes = 10 << 20;
  };
  expect_everywhere(Behaviour::slow_reader_413, Label::upload_aborted, upload, [](const Observation& o) {
    EXPECT_EQ(o.status, 413);
    EXPECT_GT(o.body_bytes_sent, 1024);
    // The server stopped reading: what sat in our send buffer never got through.
    EXPECT_LT(body_bytes_acked(o), o.body_bytes_sent);
    EXPECT_GE(body_bytes_acked(o), 1024);
  });
}

TEST(EngineTruth, NotHttpIsABadResponseWithItsFirstBytes) {
  for (Behaviour behaviour :
       {Behaviour::h2c_settings, Behaviour::garbage_then_fin, Behaviour::http09_body_then_fin,
        Behaviour::bad_chunk_size_then_fin, Behaviour::huge_header_line}) {
    SCOPED_TRACE(std::string(fixtures::to_string(behaviour)));
    expect_everywhere(behaviour, Label::bad_response, kNoChange, [](const Observation& o) {
      EXPECT_FALSE(o.parse_error.empty());
      EXPECT_FALSE(o.first_bytes_hex.empty());
      EXPECT_LE(o.first_bytes_hex.size(), 128u);
    });
  }
}

TEST(EngineTruth, ContinueThenResetIsNoFinalResponse) {
  expect_everywhere(Behaviour::continue_then_rst, Label::reset_before_response, kNoChange,
                    [](const Observation& o) {
                      EXPECT_EQ(o.status, 0);
                      EXPECT_EQ(o.interim_responses, 1);
                      ASSERT_TRUE(o.timings.first_interim_us);
                      EXPECT_FALSE(o.timings.first_byte_us);
                    });
}

// The 1xx's first byte and the final response's are two times: first_byte is
// the final response's even when the 1xx came in an earlier read. (A probe
// descheduled past the fixture's 20 ms reads both at once, so the gap is
// required of most connections, not of each.)
TEST(EngineTruth, EarlyHintsThenAResponseTimeBothHeads) {
  int timed_apart = 0;
  int seen = 0;
  expect_everywhere(Behaviour::early_hints_then_response, Label::close_after_response, kNoChange,
                    [&](const Observation& o) {
                      EXPECT_EQ(o.status, 200);
                      EXPECT_EQ(o.interim_responses, 1);
                      ASSERT_TRUE(o.timings.first_interim_us && o.timings.first_byte_us);
                      EXPECT_LE(*o.timings.first_interim_us, *o.timings.first_byte_us);
                      timed_apart += *o.timings.first_byte_us - *o.timings.first_interim_us >= 15'000;
                      ++seen;
                    });
  EXPECT_GT(timed_apart, seen / 2);
}

TEST(EngineTruth, AnnouncedCloseIsAwaitedEvenWithNoWatch) {
  const auto no_watch = [](ProbeSpec& spec) { spec.watch = 0ms; };
  expect_everywhere(Behaviour::announced_close_late_fin, Label::close_after_response, no_watch,
                    [](const Observation& o) {
                      ASSERT_TRUE(o.timings.ended_us && o.timings.response_complete_us);
                      EXPECT_GE(*o.timings.ended_us - *o.timings.response_complete_us, 150'000);
                    });
}

TEST(EngineTruth, AnnouncedCloseThatNeverComesIsNotKeepalive) {
  auto server = fixtures::WireServer::start(Behaviour::announced_close_late_fin);
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.watch = 0ms;
  spec.timeout = 100ms;  // the FIN comes at 200 ms
  expect_every_label(run_engine(spec, kRepetitions, 10), Label::timeout_after_response);
}

TEST(EngineTruth, ResponseDuringARateLimitedUploadIsReadWhenItArrives) {
  const auto slow_upload = [](ProbeSpec& spec) {
    spec.method = "POST";
    spec.body_bytes = 100'000;
    spec.upload_rate = 10'000;  // 10 s of upload
  };
  expect_everywhere(Behaviour::early_501, Label::early_response, slow_upload, [](const Observation& o) {
    EXPECT_EQ(o.status, 501);
    ASSERT_TRUE(o.timings.first_byte_us.has_value());
    EXPECT_LT(*o.timings.first_byte_us, 500'000);
    EXPECT_LT(o.body_bytes_sent, 100'000);
  });
}

// A large upload the server refuses at once, as nginx's client_max_body_size does.
const auto kRefusedUpload = [](ProbeSpec& spec) {
  spec.method = "POST";
  spec.body_bytes = 64 << 20;
};

TEST(EngineTruth, AnAnswerDuringAnUploadThatLingersPastTheDeadlineIsEarlyResponse) {
  // Never "stalled, never answered": the 413 is complete; the announced
  // close the deadline did not see is a fact of its own.
  const auto short_deadline = [](ProbeSpec& spec) {
    kRefusedUpload(spec);
    spec.timeout = 250ms;
    spec.watch = 0ms;  // the deadline, not the watch, ends the wait for the announced close
  };
  expect_everywhere(Behaviour::early_413_then_linger, Label::early_response, short_deadline,
                    [](const Observation& o) {
                      EXPECT_EQ(o.status, 413);
                      EXPECT_TRUE(o.response_complete);
                      EXPECT_FALSE(o.request_complete);
                      EXPECT_EQ(o.end, StreamEnd::timeout);
                      const Outcome outcome = classify(o);
                      EXPECT_EQ(outcome.phase, Phase::upload);
                      EXPECT_TRUE(outcome.announced_close_missed);
                      EXPECT_TRUE(outcome.response_before_abort);
                    });
}

TEST(EngineTruth, AFinAfterTheProbeStoppedSendingStillCutsTheUpload) {
  // The probe stops its body once the 413 is in; the server's FIN comes
  // 100 ms after the last body byte, when the probe is no longer sending.
  expect_everywhere(Behaviour::early_413_then_quiet_fin, Label::upload_aborted, kRefusedUpload,
                    [](const Observation& o) {
                      EXPECT_EQ(o.status, 413);
                      EXPECT_FALSE(o.request_complete);
                      EXPECT_EQ(o.end, StreamEnd::fin);
                      ASSERT_TRUE(o.timings.response_complete_us.has_value());
                      // 100 ms of quiet, counted from the server's last read,
                      // which a loaded probe reads the 413 some time after.
                      EXPECT_GE(*o.timings.ended_us - *o.timings.response_complete_us, 20'000);
                      EXPECT_TRUE(classify(o).response_before_abort);
                      EXPECT_FALSE(classify(o).announced_close_missed);
                    });
}

TEST(EngineTruth, ReuseCountsOnlyTheSecondRequestsBytes) {
  // 300 ms of margin past the server's 300 ms idle close: under CI's load (the clients
  // tests beside it) 100 ms was not always enough for the server's FIN to go out first.
  const auto reuse = [](ProbeSpec& spec) { spec.reuse_after = 600ms; };
  expect_everywhere(Behaviour::idle_fin_300ms, Label::empty_reply, reuse, [](const Observation& o) {
    EXPECT_TRUE(o.reused);
    EXPECT_EQ(o.response_bytes, 0);
    EXPECT_EQ(o.wire_bytes_received, 0);
    EXPECT_EQ(o.closed_before_reuse, StreamEnd::fin);
    EXPECT_EQ(reuse_outcome(o), "empty_reply");
  });
}

TEST(EngineTruth, InterruptRecordsWhatIsStillOpen) {
  auto server = fixtures::WireServer::start(Behaviour::no_response);
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.timeout = 30s;
  EngineOptions options;
  options.max_in_flight = 2;
  options.stop_grace = 100ms;
  auto engine = Engine::create(options);
  ASSERT_TRUE(engine.has_value());
  std::atomic<bool> stop{false};
  std::vector<Observation> seen;
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    stop = true;
  });
  auto stats = (*engine)->run(
      {spec}, 20, [&](const ProbeId&, const Observation& o) { seen.push_back(o); }, stop);
  stopper.join();
  ASSERT_TRUE(stats.has_value());
  EXPECT_TRUE(stats->interrupted);
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& o : seen) {
    EXPECT_EQ(classify(o).label, Label::interrupted);
    EXPECT_TRUE(o.head_complete);
    EXPECT_GT(o.local.port, 0);
  }
}

}  // namespace
}  // namespace termprobe
