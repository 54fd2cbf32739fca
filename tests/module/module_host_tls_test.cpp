// The host serving TLS, driven by a blocking OpenSSL client over 127.0.0.1:
// each endpoint's ending (close_notify or not, FIN or RST), the generated
// certificate, ALPN, the cap and stopping. Runs under ThreadSanitizer with
// the rest of module_host_test (scripts/test).
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "module_host.h"
#include "tls_loopback_client.h"

namespace termprobe_host {
namespace {

using namespace std::chrono_literals;
using termprobe_test::Ending;
using termprobe_test::get;
using termprobe_test::TlsEnding;
using termprobe_test::TlsLoopbackClient;

constexpr TlsEnding kCloseNotifyThenFin{true, Ending::fin};
constexpr TlsEnding kResetWithoutCloseNotify{false, Ending::reset};
constexpr TlsEnding kStillOpen{false, Ending::open};

struct TlsHost {
  std::unique_ptr<ModuleHost> host;
  std::string certificate;  // PEM, for the client to trust
};

TlsHost start_tls_host(std::size_t max_connections = 4096) {
  unsetenv("TERMPROBE_TOKEN");
  unsetenv("TERMPROBE_PREFIX");
  auto identity = make_self_signed_identity();
  EXPECT_TRUE(identity) << identity.error();
  if (!identity) return {};
  HostOptions options{"127.0.0.1", 0, max_connections};
  options.tls = *identity;
  auto host = ModuleHost::start(options);
  EXPECT_TRUE(host) << host.error();
  return {host ? std::move(*host) : nullptr, identity->certificate_pem};
}

std::unique_ptr<TlsLoopbackClient> connect(const TlsHost& tls) {
  auto client = std::make_unique<TlsLoopbackClient>(tls.host->port(), tls.certificate);
  EXPECT_TRUE(client->handshake(5s)) << client->failure();
  return client;
}

std::string body_of(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }

TEST(ModuleHostTls, BaseUrlSaysHttps) {
  const auto tls = start_tls_host();
  EXPECT_EQ(tls.host->base_url(), "https://127.0.0.1:" + std::to_string(tls.host->port()));
}

TEST(ModuleHostTls, OkKeepsTheConnectionForTheNextRequest) {
  const auto tls = start_tls_host();
  const auto client = connect(tls);
  EXPECT_EQ(client->alpn(), "http/1.1");
  for (int i = 0; i < 3; ++i) {
    client->received.clear();
    ASSERT_TRUE(client->send(get("/termprobe/ok")));
    const auto head = "HTTP/1.1 200 OK\r\n";
    EXPECT_EQ(client->read(300ms), kStillOpen) << client->failure();
    EXPECT_EQ(client->received.rfind(head, 0), 0u) << client->received;
    EXPECT_EQ(body_of(client->received), "termprobe ok\n");
  }
}

TEST(ModuleHostTls, ConnectionCloseEndsWithCloseNotifyThenFin) {
  const auto tls = start_tls_host();
  const auto client = connect(tls);
  client->send(get("/termprobe/ok", "close"));
  EXPECT_EQ(client->read(5s), kCloseNotifyThenFin);
  EXPECT_EQ(body_of(client->received), "termprobe ok\n");
}

TEST(ModuleHostTls, NeedDisconnectCompletesTheResponseThenCloseNotifyThenFin) {
  const auto tls = start_tls_host();
  const auto client = connect(tls);
  client->send(get("/termprobe/need-disconnect"));
  EXPECT_EQ(client->read(5s), kCloseNotifyThenFin);
  EXPECT_NE(client->received.find("\r\nConnection: close\r\n"), std::string::npos) << client->received;
  EXPECT_EQ(client->received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << client->received;
}

TEST(ModuleHostTls, AClientThatLeavesWhileItsRequestWaitsGetsCloseNotifyThenFin) {
  const auto tls = start_tls_host();
  const auto client = connect(tls);
  client->send(get("/termprobe/ok?delay_ms=30000"));
  std::this_thread::sleep_for(100ms);
  client->finish_sending();
  EXPECT_EQ(client->read(5s), kCloseNotifyThenFin);
  EXPECT_EQ(client->received, "");
}

TEST(ModuleHostTls, ABadRequestGets400ThenCloseNotifyThenFin) {
  const auto tls = start_tls_host();
  const auto client = connect(tls);
  client->send("NOT HTTP\r\n\r\n");
  EXPECT_EQ(client->read(5s), kCloseNotifyThenFin);
  EXPECT_EQ(client->received.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << client->received;
}

TEST(ModuleHostTls, ResetSendsRstWithoutCloseNotifyAndNoByte) {
  const auto tls = start_tls_host();
  for (const char* path : {"/termprobe/reset", "/termprobe/reset-continue", "/termprobe/reset?delay_ms=50"}) {
    const auto client = connect(tls);
    client->send(get(path));
    EXPECT_EQ(client->read(5s), kResetWithoutCloseNotify) << path;
    EXPECT_EQ(client->received, "") << path;
  }
}

TEST(ModuleHostTls, ResetAfterFlushSendsPartOfTheBodyThenRst) {
  const auto tls = start_tls_host();
  const auto client = connect(tls);
  client->send(get("/termprobe/reset-after-flush?bytes=2000"));
  EXPECT_EQ(client->read(5s), kResetWithoutCloseNotify);
  EXPECT_EQ(client->received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << client->received;
  EXPECT_EQ(body_of(client->received), std::string(1000, 'f'));
}

// CancelIo over TLS: the pending body read ends aborted (the host cancels
// only reads: no record is cut), the module answers, and the body left
// unread makes the host reset, as over plain TCP.
TEST(ModuleHostTls, CancelIoReadAnswersThenResetsWithTheBodyUnread) {
  const auto tls = start_tls_host();
  const auto client = connect(tls);
  client->send(
      "POST /termprobe/cancel-io-read HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n" +
      std::string(1000, 'x'));
  EXPECT_EQ(client->read(5s), kResetWithoutCloseNotify) << client->failure();
  EXPECT_NE(client->received.find("0x800703E3"), std::string::npos) << "ERROR_OPERATION_ABORTED\n"
                                                                    << client->received;
}

TEST(ModuleHostTls, LargeBodyArrivesWhole) {
  const auto tls = start_tls_host();
  const auto client = connect(tls);
  client->send(get("/termprobe/ok?bytes=4194304", "close"));
  EXPECT_EQ(client->read(30s), kCloseNotifyThenFin);
  const auto body = body_of(client->received);
  EXPECT_EQ(body.size(), 4194304u);
  EXPECT_EQ(body.find_first_not_of('x'), std::string::npos);
}

TEST(ModuleHostTls, AlpnPrefersH2AndFallsBackToHttp11) {
  const auto tls = start_tls_host();
  TlsLoopbackClient only_unknown(tls.host->port(), tls.certificate, {"spdy/3"});
  EXPECT_FALSE(only_unknown.handshake(5s));
  EXPECT_NE(only_unknown.failure().find("no application protocol"), std::string::npos)
      << only_unknown.failure();
  TlsLoopbackClient both(tls.host->port(), tls.certificate, {"http/1.1", "h2"});
  EXPECT_TRUE(both.handshake(5s)) << both.failure();
  EXPECT_EQ(both.alpn(), "h2") << "the host's preference, whatever the client's order";
  TlsLoopbackClient only_http11(tls.host->port(), tls.certificate, {"http/1.1"});
  EXPECT_TRUE(only_http11.handshake(5s)) << only_http11.failure();
  EXPECT_EQ(only_http11.alpn(), "http/1.1");
  TlsLoopbackClient none(tls.host->port(), tls.certificate, {});
  EXPECT_TRUE(none.handshake(5s)) << none.failure();
  EXPECT_EQ(none.alpn(), "");
}

TEST(ModuleHostTls, PlainHttpOnTheTlsPortGetsNoHttpAnswer) {
  const auto tls = start_tls_host();
  termprobe_test::LoopbackClient plain(tls.host->port());
  plain.send(get("/termprobe/ok", "close"));
  EXPECT_NE(plain.read(5s), Ending::open);
  EXPECT_EQ(plain.received.find("HTTP/1.1"), std::string::npos) << plain.received;
}

TEST(ModuleHostTls, RefusesPastTheCapWith503OverTls) {
  const auto tls = start_tls_host(1);
  const auto held = connect(tls);
  held->send(get("/termprobe/ok"));
  held->read(300ms);
  const auto refused = connect(tls);
  refused->send(get("/termprobe/ok"));
  EXPECT_EQ(refused->read(5s), kCloseNotifyThenFin);
  EXPECT_EQ(refused->received.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << refused->received;
}

TEST(ModuleHostTls, StopsAtOnceClosingWithoutCloseNotify) {
  auto tls = start_tls_host();
  const auto client = connect(tls);
  client->send(get("/termprobe/ok?delay_ms=30000"));
  std::this_thread::sleep_for(100ms);
  tls.host.reset();
  EXPECT_EQ(client->read(2s), (TlsEnding{false, Ending::fin}));
}

TEST(SelfSignedIdentity, NamesLoopbackAndLocalhostForAWeekWithP256) {
  const auto identity = make_self_signed_identity();
  ASSERT_TRUE(identity) << identity.error();
  BIO* pem =
      BIO_new_mem_buf(identity->certificate_pem.data(), static_cast<int>(identity->certificate_pem.size()));
  X509* certificate = PEM_read_bio_X509(pem, nullptr, nullptr, nullptr);
  BIO_free(pem);
  ASSERT_NE(certificate, nullptr);
  EXPECT_EQ(X509_check_host(certificate, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(certificate, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(certificate, "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(certificate, "127.0.0.2", 0), 0);
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(
      ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(certificate), X509_get0_notAfter(certificate)), 1);
  EXPECT_EQ(days * 86400 + seconds, 7 * 86400 + 3600);
  EVP_PKEY* key = X509_get0_pubkey(certificate);
  char group[32] = "";
  EXPECT_EQ(EVP_PKEY_get_group_name(key, group, sizeof(group), nullptr), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_check_ca(certificate), 0) << "a leaf, not a CA";
  X509_free(certificate);
}

TEST(SelfSignedIdentity, EachStartMakesANewCertificate) {
  const auto first = make_self_signed_identity();
  const auto second = make_self_signed_identity();
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->certificate_pem, second->certificate_pem);
  EXPECT_NE(first->private_key_pem, second->private_key_pem);
}

TEST(ModuleHostTls, BadIdentitiesAreOneLineErrors) {
  const auto identity = make_self_signed_identity();
  const auto other = make_self_signed_identity();
  ASSERT_TRUE(identity && other);
  const auto start_with = [](TlsIdentity bad) {
    HostOptions options;
    options.tls = std::move(bad);
    auto host = ModuleHost::start(options);
    return host ? std::string() : host.error();
  };
  TlsIdentity not_pem = *identity;
  not_pem.certificate_pem = "hello";
  not_pem.certificate_source = "--cert hello.txt";
  EXPECT_EQ(start_with(not_pem), "--cert hello.txt holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  TlsIdentity broken = *identity;
  broken.certificate_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(start_with(broken).rfind("the generated certificate is not a PEM certificate: ", 0), 0u)
      << start_with(broken);
  TlsIdentity no_key = *identity;
  no_key.private_key_pem = identity->certificate_pem;
  no_key.key_source = "--key cert.pem";
  EXPECT_EQ(start_with(no_key), "--key cert.pem holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  TlsIdentity mismatched = *identity;
  mismatched.private_key_pem = other->private_key_pem;
  EXPECT_EQ(start_with(mismatched), "the generated key is not the key of the generated certificate");
  for (const auto& error : {start_with(not_pem), start_with(no_key), start_with(broken)})
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

}  // namespace
}  // namespace termprobe_host
