// TLS truth: each way a scripted OpenSSL server ends a session or fails a
// handshake, the engine reports — 50 of 50 at concurrency 50, and one after
// another — with the ending kind, the failure kind and its reason, and the
// times after the response. The probe itself never ends a TLS session.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine_test_support.h"
#include "fixtures/tls_wire_server.h"
#include "probes/classifier.h"

namespace termprobe {
namespace {

using fixtures::TlsBehaviour;
using fixtures::TlsWireServer;
using namespace std::chrono_literals;

// A PEM file for --cacert, removed with the test.
class PemFile {
 public:
  explicit PemFile(const std::string& pem) {
    char name[] = "/tmp/termprobe-tls-test-XXXXXX";
    const int fd = mkstemp(name);
    path_ = name;
    if (fd >= 0) close(fd);
    std::ofstream(path_) << pem;
  }
  ~PemFile() { std::remove(path_.c_str()); }
  PemFile(const PemFile&) = delete;
  PemFile& operator=(const PemFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The probe trusts the server's test CA and reaches it by name (SNI, DNS
// name check) unless shape says otherwise.
void expect_every_connection(TlsBehaviour behaviour, Label label,
                             const std::function<void(const Observation&)>& check,
                             const std::function<void(ProbeSpec&, const TlsWireServer&)>& shape = {}) {
  auto server = TlsWireServer::start(behaviour);
  const PemFile ca(server->trust_pem());
  ProbeSpec spec;
  spec.url = server->named_url("/x");
  spec.resolve = {server->resolve_entry()};
  spec.tls.ca_file = ca.path();
  spec.connect_timeout = 3s;
  spec.timeout = 3s;
  spec.watch = 200ms;
  spec.fin_watch = 20ms;
  if (shape) shape(spec, *server);
  for (std::size_t in_flight : {1u, 50u}) {
    SCOPED_TRACE("concurrency " + std::to_string(in_flight));
    const auto run = run_engine(spec, connections_for(in_flight), in_flight);
    ASSERT_EQ(run.observations.size(), connections_for(in_flight));
    for (const auto& o : run.observations) {
      EXPECT_TRUE(o.tls);
      check(o);
    }
    expect_every_label(run, label);
  }
}

// A session that ended after a complete response, verified against the test CA.
void expect_after_response(const Observation& o, std::string_view ending) {
  EXPECT_TRUE(o.tls_established);
  EXPECT_TRUE(o.tls_facts.verified) << o.tls_facts.verify_result;
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(classify(o).phase, Phase::after_response);
  EXPECT_EQ(classify(o).tls_ending, ending);
  ASSERT_TRUE(o.timings.response_complete_us && o.timings.ended_us);
  EXPECT_GE(*o.timings.ended_us, *o.timings.response_complete_us);
  if (o.tls_facts.close_notify_us) {
    EXPECT_GE(*o.tls_facts.close_notify_us, *o.timings.response_complete_us);
  }
}

TEST(EngineTls, CloseNotifyThenFinIsACleanClose) {
  expect_every_connection(TlsBehaviour::close_notify_then_fin, Label::close_after_response,
                          [](const Observation& o) {
                            expect_after_response(o, "close_notify_then_fin");
                            EXPECT_EQ(o.end, StreamEnd::fin);
                            ASSERT_TRUE(o.tls_facts.close_notify_us.has_value());
                            EXPECT_LE(*o.tls_facts.close_notify_us, *o.timings.ended_us);
                            EXPECT_EQ(o.tls_facts.bytes_after_close_notify, 0);
                          });
}

TEST(EngineTls, CloseNotifyThenRstKeepsTheCloseNotify) {
  expect_every_connection(TlsBehaviour::close_notify_then_rst, Label::reset_after_response,
                          [](const Observation& o) {
                            expect_after_response(o, "close_notify_then_rst");
                            EXPECT_EQ(o.end, StreamEnd::rst);
                          });
}

TEST(EngineTls, CloseNotifyOnAnOpenConnectionEndsTheSession) {
  expect_every_connection(
      TlsBehaviour::close_notify_open, Label::close_after_response, [](const Observation& o) {
        expect_after_response(o, "close_notify_open");
        EXPECT_EQ(o.end, StreamEnd::open);  // TCP stayed open for the whole watch
        ASSERT_TRUE(o.tls_facts.close_notify_us.has_value());
        EXPECT_GE(*o.timings.ended_us - *o.tls_facts.close_notify_us, 150'000);  // the watch ran on
      });
}

TEST(EngineTls, FinOrRstWithoutCloseNotifyIsNamedSo) {
  expect_every_connection(TlsBehaviour::fin_without_close_notify, Label::close_after_response,
                          [](const Observation& o) {
                            expect_after_response(o, "fin_without_close_notify");
                            EXPECT_FALSE(o.tls_facts.close_notify_us.has_value());
                            EXPECT_EQ(o.end, StreamEnd::fin);
                          });
  expect_every_connection(TlsBehaviour::rst, Label::reset_after_response, [](const Observation& o) {
    expect_after_response(o, "rst");
    EXPECT_FALSE(o.tls_facts.close_notify_us.has_value());
  });
}

TEST(EngineTls, AFatalAlertAfterTheResponseIsTheServersEnding) {
  expect_every_connection(TlsBehaviour::alert_then_fin, Label::close_after_response,
                          [](const Observation& o) {
                            expect_after_response(o, "alert");
                            ASSERT_TRUE(o.tls_facts.alert.has_value());
                            EXPECT_TRUE(o.tls_facts.alert->fatal);
                            EXPECT_EQ(o.tls_facts.alert->code, 20);
                            EXPECT_EQ(o.tls_facts.alert->description, "bad_record_mac");
                            EXPECT_GE(o.tls_facts.alert->at_us, *o.timings.response_complete_us);
                            EXPECT_TRUE(o.tls_facts.local_error.empty()) << o.tls_facts.local_error;
                          });
}

TEST(EngineTls, ACloseDelimitedBodyNeedsCloseNotifyToBeComplete) {
  expect_every_connection(
      TlsBehaviour::close_delimited_fin, Label::truncated_response, [](const Observation& o) {
        EXPECT_TRUE(o.close_delimited);
        EXPECT_FALSE(o.response_complete);  // RFC 9112 §9.8: a bare FIN may be an attacker's
        EXPECT_EQ(o.end, StreamEnd::fin);
        EXPECT_EQ(classify(o).tls_ending, "fin_without_close_notify");
      });
  expect_every_connection(TlsBehaviour::close_delimited_close_notify, Label::close_after_response,
                          [](const Observation& o) {
                            EXPECT_TRUE(o.close_delimited);
                            EXPECT_EQ(o.body_bytes, 22);
                            expect_after_response(o, "close_notify_then_fin");
                          });
}

void expect_handshake_failure(const Observation& o, std::string_view kind, std::string_view reason) {
  EXPECT_TRUE(o.connected);
  EXPECT_FALSE(o.tls_established);
  EXPECT_EQ(classify(o).phase, Phase::tls);
  EXPECT_EQ(o.tls_facts.failure_kind, kind);
  EXPECT_NE(o.tls_facts.failure.find(reason), std::string::npos) << o.tls_facts.failure;
  EXPECT_EQ(classify(o).tls_ending, "");
  EXPECT_EQ(o.request_bytes_sent, 0);
}

TEST(EngineTls, TcpEndingsDuringTheHandshakeAreTlsFailures) {
  expect_every_connection(TlsBehaviour::rst_on_client_hello, Label::tls_failed, [](const Observation& o) {
    expect_handshake_failure(o, "rst", "reset the connection during the TLS handshake");
  });
  expect_every_connection(TlsBehaviour::fin_on_client_hello, Label::tls_failed, [](const Observation& o) {
    expect_handshake_failure(o, "fin", "closed the connection (FIN) during the TLS handshake");
  });
}

TEST(EngineTls, AServerThatNeverAnswersTheHelloTimesOutWithinTheConnectTimeout) {
  expect_every_connection(
      TlsBehaviour::hang_in_handshake, Label::tls_failed,
      [](const Observation& o) {
        expect_handshake_failure(o, "timeout", "TLS handshake was not complete within");
        ASSERT_TRUE(o.timings.ended_us.has_value());
        EXPECT_GE(*o.timings.ended_us, 300'000);
      },
      [](ProbeSpec& spec, const TlsWireServer&) { spec.connect_timeout = 300ms; });
}

TEST(EngineTls, HandshakeAlertsCarryTheirNames) {
  const auto expect_alert = [](const Observation& o, int code, const std::string& name) {
    expect_handshake_failure(o, "alert", "the server sent alert " + name);
    ASSERT_TRUE(o.tls_facts.alert.has_value());
    EXPECT_EQ(o.tls_facts.alert->code, code);
    EXPECT_TRUE(o.tls_facts.alert->fatal);
  };
  expect_every_connection(TlsBehaviour::alert_handshake_failure, Label::tls_failed,
                          [&](const Observation& o) { expect_alert(o, 40, "handshake_failure"); });
  expect_every_connection(
      TlsBehaviour::alert_protocol_version, Label::tls_failed,
      [&](const Observation& o) { expect_alert(o, 70, "protocol_version"); },
      [](ProbeSpec& spec, const TlsWireServer&) { spec.tls.max_version = "1.2"; });
  expect_every_connection(TlsBehaviour::alert_unrecognized_name, Label::tls_failed,
                          [&](const Observation& o) { expect_alert(o, 112, "unrecognized_name"); });
}

TEST(EngineTls, CertificatesTheProbeCannotTrustFailInTheTlsPhase) {
  const std::vector<std::tuple<TlsBehaviour, std::string, std::string>> cases = {
      {TlsBehaviour::certificate_self_signed, "self-signed certificate", "localhost"},
      {TlsBehaviour::certificate_expired, "certificate has expired", "localhost"},
      {TlsBehaviour::certificate_wrong_name, "hostname mismatch", "other.invalid"},
      {TlsBehaviour::certificate_unknown_ca, "unable to get local issuer certificate", "localhost"},
  };
  for (const auto& [behaviour, reason, subject_name] : cases) {
    SCOPED_TRACE(std::string(fixtures::to_string(behaviour)));
    expect_every_connection(behaviour, Label::tls_failed, [&](const Observation& o) {
      expect_handshake_failure(o, "certificate", "certificate verify failed: " + reason);
      EXPECT_EQ(o.tls_facts.verify_result, reason);
      EXPECT_NE(o.tls_facts.certificate_subject.find("CN=" + subject_name), std::string::npos);
      EXPECT_FALSE(o.tls_facts.alert.has_value());  // the server sent none: the probe stopped
    });
  }
}

TEST(EngineTls, TheIpAddressIsCheckedAgainstTheCertificatesIpNames) {
  expect_every_connection(
      TlsBehaviour::certificate_wrong_name, Label::tls_failed,
      [](const Observation& o) { expect_handshake_failure(o, "certificate", "IP address mismatch"); },
      [](ProbeSpec& spec, const TlsWireServer& server) {
        spec.url = server.url("/x");
        spec.resolve.clear();
      });
}

TEST(EngineTls, TheUnknownCaGivenAsCacertIsTrusted) {
  std::unique_ptr<PemFile> issuer;
  expect_every_connection(
      TlsBehaviour::certificate_unknown_ca, Label::close_after_response,
      [](const Observation& o) { expect_after_response(o, "close_notify_then_fin"); },
      [&](ProbeSpec& spec, const TlsWireServer& server) {
        issuer = std::make_unique<PemFile>(server.served_issuer_pem());
        spec.tls.ca_file = issuer->path();
      });
}

TEST(EngineTls, InsecureCompletesTheHandshakeAndStillReportsTheCertificate) {
  expect_every_connection(
      TlsBehaviour::certificate_expired, Label::close_after_response,
      [](const Observation& o) {
        EXPECT_TRUE(o.tls_established);
        EXPECT_FALSE(o.tls_facts.verified);
        EXPECT_EQ(o.tls_facts.verify_result, "certificate has expired");
        EXPECT_EQ(classify(o).tls_ending, "close_notify_then_fin");
      },
      [](ProbeSpec& spec, const TlsWireServer&) { spec.tls.insecure = true; });
}

// A record longer than TLS allows instead of the response: bad_response at
// once (the watch, not the deadline), its bytes counted, however the server
// goes on; nothing is sent back.
TEST(EngineTls, ARecordTooLongIsABadResponseWithItsBytes) {
  for (const auto& [behaviour, end] : {std::pair{TlsBehaviour::record_too_long_then_silence, StreamEnd::open},
                                       std::pair{TlsBehaviour::record_too_long_then_fin, StreamEnd::fin}}) {
    SCOPED_TRACE(std::string(to_string(behaviour)));
    expect_every_connection(
        behaviour, Label::bad_response,
        [end = end](const Observation& o) {
          EXPECT_TRUE(o.tls_established);
          EXPECT_EQ(o.end, end);
          EXPECT_EQ(o.wire_bytes_received, fixtures::kTooLongRecordWireBytes);
          EXPECT_EQ(o.status, 0);
          EXPECT_EQ(o.tls_facts.local_error,
                    "a record of 18433 bytes, longer than TLS allows (18432): packet length too long");
          EXPECT_EQ(o.parse_error, "unreadable TLS record: " + o.tls_facts.local_error);
          ASSERT_TRUE(o.timings.ended_us.has_value());
          EXPECT_LT(*o.timings.ended_us, 2'500'000);  // the deadline is 3 s
        },
        [](ProbeSpec& spec, const TlsWireServer&) { spec.timeout = 10s; });
  }
}

// TLS 1.0 only: refused by the default range in the probe's words; reached
// with --tls-min 1.0. The server saw 1.0 and 1.1 offered only then.
TEST(EngineTls, ATls10ServerNeedsTlsMin10) {
  auto server = TlsWireServer::start(TlsBehaviour::tls1_0_only);
  const PemFile ca(server->trust_pem());
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.tls.ca_file = ca.path();
  spec.timeout = spec.connect_timeout = 3s;
  spec.watch = 200ms;
  auto run = run_engine(spec, 1, 1);
  ASSERT_EQ(run.observations.size(), 1u);
  EXPECT_EQ(classify(run.observations[0]).label, Label::tls_failed);
  EXPECT_EQ(
      run.observations[0].tls_facts.failure,
      "the server offered only TLS 1.0 (protocol version): the probe offers TLS 1.2 and up; --tls-min 1.0 "
      "allows TLS 1.0");
  EXPECT_EQ(server->client_offered_versions(), (std::vector<std::string>{"1.3", "1.2"}));
  spec.tls.min_version = "1.0";
  run = run_engine(spec, 1, 1);
  ASSERT_EQ(run.observations.size(), 1u);
  EXPECT_EQ(classify(run.observations[0]).label, Label::close_after_response);
  EXPECT_EQ(run.observations[0].tls_facts.version, "TLSv1");
  EXPECT_EQ(server->client_offered_versions(), (std::vector<std::string>{"1.3", "1.2", "1.1", "1.0"}));
}

TEST(EngineTls, TheProbeSendsNothingAndNeverClosesFirstAfterTheResponse) {
  fixtures::TlsServerOptions options;
  options.hold = 300ms;
  auto server = TlsWireServer::start(TlsBehaviour::complete_hold_then_close, options);
  const PemFile ca(server->trust_pem());
  ProbeSpec spec;
  spec.url = server->url("/x");
  spec.tls.ca_file = ca.path();
  spec.watch = 1s;  // longer than the server's hold: the server closes first
  for (std::size_t in_flight : {1u, 50u}) {
    SCOPED_TRACE("concurrency " + std::to_string(in_flight));
    const auto run = run_engine(spec, connections_for(in_flight), in_flight);
    ASSERT_EQ(run.observations.size(), connections_for(in_flight));
    for (const auto& o : run.observations) {
      EXPECT_EQ(classify(o).label, Label::close_after_response);
      EXPECT_EQ(classify(o).tls_ending, "close_notify_then_fin");
      // Never before the response. (Not strictly after: a busy machine may
      // read the response and the close_notify in one go. That the probe
      // sent nothing first is the fixture's record below.)
      EXPECT_GE(*o.tls_facts.close_notify_us, *o.timings.response_complete_us);
    }
  }
  const auto client = server->client_after_response();
  EXPECT_EQ(client.bytes, 0);  // no close_notify, no alert, no request
  EXPECT_EQ(client.fins, 0);
  EXPECT_EQ(client.resets, 0);
  EXPECT_EQ(server->connections_accepted(), 60);
}

}  // namespace
}  // namespace termprobe
