// The TLS layer on its own: an OpenSSL server over a pair of memory BIOs,
// the test carrying every byte between it and the layer's output() and
// input(), so the handshake, the records and the server's endings are
// exactly what the test made them.
#include "probes/tls_layer.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "probes/classifier.h"
#include "probes/http1_exchange.h"
#include "tls_certificate.h"

namespace termprobe {
namespace {

// Every construction of a TlsLayer is here, with the protocol factory the
// engine gives it (driver_factory.cpp): the layer makes the exchange itself
// once ALPN has chosen.
class LayerUnderTest {
 public:
  using Factory = std::function<std::unique_ptr<ConnectionDriver>(const std::string& alpn)>;
  LayerUnderTest(std::shared_ptr<TlsContext> context, const std::string& server_name, Factory factory)
      : layer(std::move(context), server_name,
              [factory = std::move(factory)](std::string_view alpn) { return factory(std::string(alpn)); }) {}
  // Nothing to do after an input: the layer installed its exchange itself.
  void after_input(std::int64_t) {}
  // A reused connection's next request on the same session.
  void next_exchange(std::int64_t now_us) { layer.begin_next_request(now_us); }

  TlsLayer layer;
};

using termprobe_host::CertificateSpec;
using termprobe_host::IssuedCertificate;

IssuedCertificate made(const CertificateSpec& spec, const IssuedCertificate* issuer = nullptr) {
  auto certificate = termprobe_host::make_certificate(spec, issuer);
  if (!certificate) throw std::runtime_error(certificate.error());
  return *certificate;
}

CertificateSpec leaf_spec() {
  CertificateSpec spec;
  spec.organisation = "termprobe tls_layer_test";
  return spec;  // localhost, 127.0.0.1 and ::1
}

const IssuedCertificate& self_signed() {
  static const IssuedCertificate certificate = made(leaf_spec());
  return certificate;
}

struct ServerOptions {
  IssuedCertificate certificate = self_signed();
  std::string alpn;          // the protocol the server picks; empty = no ALPN
  bool refuse_alpn = false;  // no protocol in common: alert no_application_protocol
  int min_version = 0;       // e.g. TLS1_3_VERSION
  int max_version = 0;       // e.g. TLS1_2_VERSION
  std::string ciphersuites = "TLS_AES_128_GCM_SHA256";        // TLS 1.3: one suite, so the facts are known
  std::string cipher_list = "ECDHE-ECDSA-AES128-GCM-SHA256";  // TLS 1.2 (the certificate's key is EC)
  int security_level = -1;  // OpenSSL's default unless set (0: SHA-1 allowed)
  // TLS 1.0 only, as a server from before TLS 1.3: it reads no
  // supported_versions and answers a newer client with its own version.
  bool legacy_tls10 = false;
};

// OpenSSL's fixed-version method: the only way to have it ignore the
// client's supported_versions, as servers older than TLS 1.3 do.
const SSL_METHOD* server_method(bool legacy_tls10) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return legacy_tls10 ? TLSv1_server_method() : TLS_server_method();
#pragma GCC diagnostic pop
}

// OpenSSL's server side through memory BIOs: bytes in with receive(), out with take_output().
class MemoryServer {
 public:
  explicit MemoryServer(ServerOptions options) : options_(std::move(options)) {
    ctx_ = SSL_CTX_new(server_method(options_.legacy_tls10));
    BIO* cert_in = BIO_new_mem_buf(options_.certificate.certificate_pem.data(),
                                   static_cast<int>(options_.certificate.certificate_pem.size()));
    X509* cert = PEM_read_bio_X509(cert_in, nullptr, nullptr, nullptr);
    BIO_free(cert_in);
    BIO* key_in = BIO_new_mem_buf(options_.certificate.private_key_pem.data(),
                                  static_cast<int>(options_.certificate.private_key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_in, nullptr, nullptr, nullptr);
    BIO_free(key_in);
    EXPECT_EQ(SSL_CTX_use_certificate(ctx_, cert), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx_, key), 1);
    X509_free(cert);
    EVP_PKEY_free(key);
    if (options_.min_version != 0) SSL_CTX_set_min_proto_version(ctx_, options_.min_version);
    if (options_.max_version != 0) SSL_CTX_set_max_proto_version(ctx_, options_.max_version);
    SSL_CTX_set_ciphersuites(ctx_, options_.ciphersuites.c_str());
    SSL_CTX_set_cipher_list(ctx_, options_.cipher_list.c_str());
    SSL_CTX_set_num_tickets(ctx_, 0);  // nothing after the handshake but what a test sends
    if (options_.security_level >= 0) SSL_CTX_set_security_level(ctx_, options_.security_level);
    if (!options_.alpn.empty() || options_.refuse_alpn) SSL_CTX_set_alpn_select_cb(ctx_, &select_alpn, this);
    ssl_ = SSL_new(ctx_);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1);
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_accept_state(ssl_);
    SSL_set_app_data(ssl_, this);
    SSL_set_info_callback(ssl_, &note_alert);
  }
  ~MemoryServer() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  MemoryServer(const MemoryServer&) = delete;
  MemoryServer& operator=(const MemoryServer&) = delete;

  // The client's bytes: the handshake goes on, application data is kept.
  void receive(std::string_view bytes) {
    BIO_write(in_, bytes.data(), static_cast<int>(bytes.size()));
    if (!SSL_is_init_finished(ssl_)) {
      ERR_clear_error();
      if (SSL_do_handshake(ssl_) != 1) return;
    }
    char buffer[16 * 1024];
    for (;;) {
      const int read = SSL_read(ssl_, buffer, sizeof(buffer));
      if (read <= 0) break;
      received_.append(buffer, static_cast<std::size_t>(read));
    }
    ERR_clear_error();
  }
  std::string take_output() {
    char* data = nullptr;
    const long size = BIO_get_mem_data(out_, &data);
    std::string bytes(data, static_cast<std::size_t>(std::max(0L, size)));
    BIO_reset(out_);
    return bytes;
  }
  void send(std::string_view plain) {
    ASSERT_EQ(SSL_write(ssl_, plain.data(), static_cast<int>(plain.size())), static_cast<int>(plain.size()));
  }
  void close_notify() { SSL_shutdown(ssl_); }
  bool established() const { return SSL_is_init_finished(ssl_) == 1; }
  const std::string& received() const { return received_; }
  // Every alert the client sent, as OpenSSL's (level << 8 | description).
  const std::vector<int>& alerts_received() const { return alerts_received_; }

 private:
  static void note_alert(const SSL* ssl, int where, int value) {
    if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT)
      static_cast<MemoryServer*>(SSL_get_app_data(ssl))->alerts_received_.push_back(value);
  }
  static int select_alpn(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char*,
                         unsigned int, void* arg) {
    auto* self = static_cast<MemoryServer*>(arg);
    if (self->options_.refuse_alpn) return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = reinterpret_cast<const unsigned char*>(self->options_.alpn.data());
    *out_size = static_cast<unsigned char>(self->options_.alpn.size());
    return SSL_TLSEXT_ERR_OK;
  }

  ServerOptions options_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
  std::string received_;
  std::vector<int> alerts_received_;
};

std::shared_ptr<TlsContext> client_context(TlsSettings settings, std::vector<std::string> alpn) {
  auto context = TlsContext::create(settings, alpn);
  if (!context) throw std::runtime_error(context.error().message);
  return *context;
}

TlsSettings insecure() {
  TlsSettings settings;
  settings.insecure = true;
  return settings;
}

// A PEM file the client's --cacert can name, removed at the end of the test.
class TrustFile {
 public:
  explicit TrustFile(const std::string& pem)
      : path_(::testing::TempDir() + "tls_layer_test_ca_" + std::to_string(getpid()) + ".pem") {
    std::ofstream(path_) << pem;
  }
  ~TrustFile() { std::remove(path_.c_str()); }
  TrustFile(const TrustFile&) = delete;
  TrustFile& operator=(const TrustFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class TlsLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_.url = "https://localhost/x";
    head_ = http1_request_head("GET", {{"Host", "localhost"}}, "/x");
  }

  void connect(ServerOptions server = {}, TlsSettings settings = insecure(),
               std::vector<std::string> alpn = {"http/1.1"}, const std::string& server_name = "localhost") {
    server_ = std::make_unique<MemoryServer>(std::move(server));
    client_ = std::make_unique<LayerUnderTest>(
        client_context(std::move(settings), std::move(alpn)), server_name,
        [this](const std::string&) { return std::make_unique<Http1Exchange>(spec_, head_, nullptr); });
  }
  TlsLayer& layer() { return client_->layer; }

  // The client's bytes to the server, as the kernel takes them all.
  std::size_t client_to_server(std::int64_t now_us) {
    std::size_t moved = 0;
    for (std::string_view out = layer().output(now_us); !out.empty(); out = layer().output(now_us)) {
      server_->receive(out);
      moved += out.size();
      layer().output_sent(out.size(), now_us);
    }
    return moved;
  }
  std::size_t server_to_client(std::int64_t now_us) {
    const std::string bytes = server_->take_output();
    if (!bytes.empty()) {
      layer().input(bytes, now_us);
      client_->after_input(now_us);
    }
    return bytes.size();
  }
  // Both ways until neither side has anything to say.
  void shuttle(std::int64_t now_us) {
    for (int turn = 0; turn < 20; ++turn) {
      const std::size_t moved = client_to_server(now_us) + server_to_client(now_us);
      if (moved == 0) return;
    }
    ADD_FAILURE() << "the two sides never fell silent";
  }

  // TLS 1.3 step by step: the client has its session once the server's
  // flight is in; its Finished is then the first thing output() gives,
  // before any application record. Returns the wire bytes each way.
  std::pair<std::int64_t, std::int64_t> establish_without_finished(std::int64_t now_us) {
    std::int64_t sent = 0;
    std::int64_t received = 0;
    for (int turn = 0; turn < 10 && !layer().established(); ++turn) {
      sent += static_cast<std::int64_t>(client_to_server(now_us));
      received += static_cast<std::int64_t>(server_to_client(now_us));
    }
    EXPECT_TRUE(layer().established());
    return {sent, received};
  }
  std::int64_t send_client_finished(std::int64_t now_us) {
    const std::string finished(layer().output(now_us));
    server_->receive(finished);
    layer().output_sent(finished.size(), now_us);
    EXPECT_TRUE(server_->established());
    EXPECT_EQ(server_->received(), "");  // the Finished alone
    return static_cast<std::int64_t>(finished.size());
  }

  Observation recorded() const {
    Observation o;
    client_->layer.record(o, 0);
    return o;
  }

  ProbeSpec spec_;
  std::string head_;
  std::unique_ptr<MemoryServer> server_;
  std::unique_ptr<LayerUnderTest> client_;
};

TEST_F(TlsLayerTest, TheHandshakeCompletesWithItsFacts) {
  ServerOptions server;
  server.alpn = "h2";
  connect(server, insecure(), {"h2", "http/1.1"});
  EXPECT_FALSE(layer().established());
  EXPECT_FALSE(layer().response_done());
  shuttle(100);
  ASSERT_TRUE(layer().established());
  EXPECT_TRUE(server_->established());
  EXPECT_FALSE(layer().handshake_failed());
  const TlsFacts& f = layer().facts();
  EXPECT_EQ(f.version, "TLSv1.3");
  EXPECT_EQ(f.cipher, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(f.alpn_offered, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(f.alpn, "h2");
  EXPECT_FALSE(f.resumed);
  EXPECT_EQ(f.certificate_subject, "CN=localhost,O=termprobe tls_layer_test");
  EXPECT_EQ(f.certificate_issuer, f.certificate_subject);  // self-signed
  EXPECT_EQ(f.name_matched, true);
  EXPECT_FALSE(f.verified);  // -k: trusted or not, it was not checked against anything
  EXPECT_EQ(f.verify_result, "self-signed certificate");
  EXPECT_EQ(f.failure_kind, "");
  EXPECT_EQ(f.close_notify_us, std::nullopt);
  EXPECT_EQ(f.alert, std::nullopt);
  ASSERT_EQ(layer().setup(),
            DriverSetup::ready);  // the exchange is installed once the handshake chose the protocol

  const Observation o = recorded();
  EXPECT_TRUE(o.tls_established);
  EXPECT_EQ(o.tls_facts.version, "TLSv1.3");
}

TEST_F(TlsLayerTest, TheCertificatesExpiryIsInUtc) {
  connect();
  const std::time_t before = std::time(nullptr);
  shuttle(0);
  std::tm parts{};
  ASSERT_NE(strptime(layer().facts().certificate_not_after.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts), nullptr)
      << layer().facts().certificate_not_after;
  const std::time_t not_after = timegm(&parts);
  // make_certificate: seven days from when it was made (this test's first).
  EXPECT_LE(not_after, before + 7 * 24 * 3600);
  EXPECT_GT(not_after, before + 7 * 24 * 3600 - 600);
}

TEST_F(TlsLayerTest, NoAlpnFromTheServerLeavesItEmpty) {
  connect({}, insecure(), {"h2", "http/1.1"});
  shuttle(0);
  ASSERT_TRUE(layer().established());
  EXPECT_EQ(layer().facts().alpn, "");
}

TEST_F(TlsLayerTest, Tls12HasItsOwnVersionAndCipher) {
  ServerOptions server;
  server.max_version = TLS1_2_VERSION;
  connect(server);
  shuttle(0);
  ASSERT_TRUE(layer().established());
  EXPECT_EQ(layer().facts().version, "TLSv1.2");
  EXPECT_EQ(layer().facts().cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST_F(TlsLayerTest, ACertificateFromATrustedCaIsVerified) {
  CertificateSpec ca_spec = leaf_spec();
  ca_spec.common_name = "tls_layer_test CA";
  ca_spec.authority = true;
  const IssuedCertificate ca = made(ca_spec);
  const TrustFile trust(ca.certificate_pem);
  TlsSettings settings;
  settings.ca_file = trust.path();
  ServerOptions server;
  server.certificate = made(leaf_spec(), &ca);
  connect(server, settings);
  shuttle(0);
  ASSERT_TRUE(layer().established()) << layer().facts().failure;
  EXPECT_TRUE(layer().facts().verified);
  EXPECT_EQ(layer().facts().verify_result, "ok");
  EXPECT_EQ(layer().facts().certificate_issuer, "CN=tls_layer_test CA,O=termprobe tls_layer_test");
}

TEST_F(TlsLayerTest, TheNameIsCheckedForAnAddressToo) {
  connect({}, insecure(), {"http/1.1"}, "127.0.0.1");
  shuttle(0);
  EXPECT_EQ(layer().facts().name_matched, true);
  connect({}, insecure(), {"http/1.1"}, "other.invalid");
  shuttle(0);
  ASSERT_TRUE(layer().established());  // -k goes on
  EXPECT_EQ(layer().facts().name_matched, false);
}

// A verifying client refuses the certificate; OpenSSL's alert to the server
// is dropped: the server sees the probe stop, never a probe's alert.
TEST_F(TlsLayerTest, AnUntrustedCertificateFailsTheHandshakeWithoutAnAlert) {
  CertificateSpec ca_spec = leaf_spec();
  ca_spec.common_name = "an unrelated CA";
  ca_spec.authority = true;
  const TrustFile trust(made(ca_spec).certificate_pem);
  TlsSettings settings;
  settings.ca_file = trust.path();
  connect({}, settings);
  shuttle(0);
  EXPECT_FALSE(layer().established());
  ASSERT_TRUE(layer().handshake_failed());
  EXPECT_EQ(layer().facts().failure_kind, "certificate");
  EXPECT_EQ(layer().facts().failure, "certificate verify failed: self-signed certificate");
  EXPECT_EQ(layer().facts().verify_result, "self-signed certificate");
  EXPECT_EQ(layer().facts().certificate_subject, "CN=localhost,O=termprobe tls_layer_test");
  EXPECT_EQ(layer().output(1), "");
  EXPECT_EQ(server_->alerts_received(), std::vector<int>{});
  EXPECT_FALSE(server_->established());
  EXPECT_FALSE(layer().response_done());  // nothing to exchange: the engine ends it on handshake_failed()
  EXPECT_EQ(recorded().tls_facts.failure_kind, "certificate");
}

TEST_F(TlsLayerTest, TheServersAlertFailsTheHandshake) {
  ServerOptions server;
  server.refuse_alpn = true;
  connect(server, insecure(), {"h2"});
  shuttle(40);
  ASSERT_TRUE(layer().handshake_failed());
  const TlsFacts& f = layer().facts();
  EXPECT_EQ(f.failure_kind, "alert");
  EXPECT_EQ(f.failure, "the server sent alert no_application_protocol");
  ASSERT_TRUE(f.alert);
  EXPECT_TRUE(f.alert->fatal);
  EXPECT_EQ(f.alert->code, 120);
  EXPECT_EQ(f.alert->description, "no_application_protocol");
  EXPECT_EQ(f.alert->at_us, 40);
  EXPECT_EQ(layer().output(41), "");
  EXPECT_EQ(server_->alerts_received(), std::vector<int>{});
}

TEST_F(TlsLayerTest, AVersionTheServerRefusesIsItsProtocolVersionAlert) {
  TlsSettings settings = insecure();
  settings.max_version = "1.2";
  ServerOptions server;
  server.min_version = TLS1_3_VERSION;
  connect(server, settings);
  shuttle(0);
  ASSERT_TRUE(layer().handshake_failed());
  EXPECT_EQ(layer().facts().failure_kind, "alert");
  ASSERT_TRUE(layer().facts().alert);
  EXPECT_EQ(layer().facts().alert->code, 70);
  EXPECT_EQ(layer().facts().alert->description, "protocol_version");
}

TEST_F(TlsLayerTest, AReplyThatIsNotTlsIsAProtocolFailure) {
  connect();
  client_to_server(0);
  layer().input("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 10);
  ASSERT_TRUE(layer().handshake_failed());
  EXPECT_EQ(layer().facts().failure_kind, "protocol");
  EXPECT_EQ(layer().facts().failure,
            "wrong version number: the server's reply is not TLS (a plain-http port?)");
  EXPECT_EQ(layer().facts().alert, std::nullopt);
  EXPECT_EQ(layer().output(11), "");
  layer().input("more", 12);  // read no further
  EXPECT_EQ(layer().facts().failure_kind, "protocol");
}

TEST_F(TlsLayerTest, AFinDuringTheHandshakeFailsIt) {
  connect();
  client_to_server(0);
  layer().input_ended(5);
  ASSERT_TRUE(layer().handshake_failed());
  EXPECT_EQ(layer().facts().failure_kind, "fin");
  EXPECT_EQ(layer().facts().failure, "the server closed the connection (FIN) during the TLS handshake");
}

TEST_F(TlsLayerTest, AConnectionsEndDuringTheHandshakeIsItsFailure) {
  connect();
  client_to_server(0);
  Observation reset;
  reset.end = StreamEnd::rst;
  layer().record(reset, 0);
  EXPECT_FALSE(reset.tls_established);
  EXPECT_EQ(reset.tls_facts.failure_kind, "rst");
  EXPECT_EQ(reset.tls_facts.failure, "the server reset the connection during the TLS handshake");
  Observation late;
  late.end = StreamEnd::timeout;
  late.error = "the TLS handshake was not complete within 5000 ms";
  layer().record(late, 0);
  EXPECT_EQ(late.tls_facts.failure_kind, "timeout");
  EXPECT_EQ(late.tls_facts.failure, late.error);
  EXPECT_FALSE(layer().handshake_failed());  // the layer's own facts stay as they were
}

TEST_F(TlsLayerTest, TheRequestAndResponseGoThroughTheExchange) {
  connect();
  shuttle(20);  // the request goes out as soon as the session is up
  ASSERT_TRUE(layer().established());
  EXPECT_EQ(layer().exchange_count(), 1u);
  EXPECT_EQ(server_->received(), head_);
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
  server_->send(response);
  server_to_client(30);
  EXPECT_TRUE(layer().response_done());
  EXPECT_TRUE(layer().close_announced());
  const Observation o = recorded();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body_bytes, 5);
  EXPECT_TRUE(o.response_complete);
  EXPECT_TRUE(o.request_complete);
  EXPECT_EQ(o.response_bytes, static_cast<std::int64_t>(response.size()));
  EXPECT_EQ(o.timings.request_sent_us, 20);
  EXPECT_EQ(o.timings.first_byte_us, 30);
  EXPECT_EQ(o.timings.response_complete_us, 30);
  EXPECT_TRUE(o.tls_established);
}

// A record counts as sent once the kernel has all of it: the exchange
// hears of its bytes only then.
TEST_F(TlsLayerTest, ARecordCountsAsSentWhenItsLastByteIsOut) {
  connect();
  establish_without_finished(0);
  send_client_finished(0);
  const std::string record(layer().output(10));
  // TLS 1.3 with AES-GCM: a 5-byte header, the content type and a 16-byte tag.
  ASSERT_EQ(record.size(), head_.size() + 22);
  layer().output_sent(record.size() - 1, 10);
  EXPECT_EQ(recorded().request_bytes_sent, 0);
  EXPECT_EQ(layer().output(11), record.substr(record.size() - 1));
  layer().output_sent(1, 12);
  EXPECT_EQ(recorded().request_bytes_sent, static_cast<std::int64_t>(head_.size()));
  EXPECT_EQ(recorded().timings.request_sent_us, 12);
  EXPECT_EQ(layer().output(13), "");
}

TEST_F(TlsLayerTest, CloseNotifyEndsACloseDelimitedBody) {
  connect();
  shuttle(0);
  client_to_server(1);
  server_->send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the close");
  server_to_client(10);
  EXPECT_FALSE(layer().response_done());
  server_->close_notify();
  server_to_client(20);
  EXPECT_EQ(layer().facts().close_notify_us, 20);
  EXPECT_TRUE(layer().response_done());
  const Observation o = recorded();
  EXPECT_TRUE(o.response_complete);
  EXPECT_TRUE(o.close_delimited);
  EXPECT_EQ(o.body_bytes, 15);
  EXPECT_EQ(o.timings.response_complete_us, 20);
  EXPECT_EQ(o.tls_facts.close_notify_us, 20);
  EXPECT_EQ(o.tls_facts.alert, std::nullopt);  // close_notify is not an alert the report lists
  layer().input("raw bytes after close_notify", 30);
  EXPECT_EQ(layer().facts().bytes_after_close_notify, 28);
  // The probe answers nothing: no close_notify of its own.
  EXPECT_EQ(layer().output(31), "");
  EXPECT_EQ(server_->alerts_received(), std::vector<int>{});
}

// A FIN without close_notify after the handshake is a truncation (RFC
// 9112 §9.8): the exchange is not told the data ended.
TEST_F(TlsLayerTest, AFinWithoutCloseNotifyLeavesACloseDelimitedBodyIncomplete) {
  connect();
  shuttle(0);
  client_to_server(1);
  server_->send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the close");
  server_to_client(10);
  layer().input_ended(20);
  EXPECT_FALSE(layer().response_done());
  EXPECT_FALSE(layer().handshake_failed());
  const Observation o = recorded();
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.body_bytes, 15);
  EXPECT_EQ(o.tls_facts.close_notify_us, std::nullopt);
}

// The server's fatal alert after the handshake ends the reading. OpenSSL
// can be made to send one: a forged record makes it answer bad_record_mac.
TEST_F(TlsLayerTest, TheServersAlertAfterTheHandshakeIsRecorded) {
  connect();
  shuttle(0);
  client_to_server(1);
  server_->receive(std::string("\x17\x03\x03\x00\x20", 5) + std::string(32, 'f'));
  server_to_client(50);
  ASSERT_TRUE(layer().facts().alert);
  EXPECT_TRUE(layer().facts().alert->fatal);
  EXPECT_EQ(layer().facts().alert->code, 20);
  EXPECT_EQ(layer().facts().alert->description, "bad_record_mac");
  EXPECT_EQ(layer().facts().alert->at_us, 50);
  EXPECT_FALSE(layer().handshake_failed());
  EXPECT_TRUE(layer().response_done());  // nothing more can be read
  EXPECT_EQ(layer().output(51), "");
}

// The probe cannot read a record (a corrupted one): why is noted, and
// OpenSSL's bad_record_mac alert for the server stays in the client, as
// every alert does (tls_layer.h: "no alert after the response, ever"). In
// TLS 1.3 and 1.2 alike; the server hears nothing.
TEST_F(TlsLayerTest, ARecordTheProbeCannotReadSendsNoAlert) {
  for (const int max_version : {0, TLS1_2_VERSION}) {
    SCOPED_TRACE(max_version);
    ServerOptions server;
    server.max_version = max_version;
    connect(server);
    shuttle(0);
    client_to_server(1);
    server_->send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    std::string record = server_->take_output();
    record[record.size() - 1] = static_cast<char>(record[record.size() - 1] ^ 1);
    layer().input(record, 10);
    EXPECT_EQ(layer().facts().local_error, "decryption failed or bad record mac");
    EXPECT_TRUE(layer().response_done());
    EXPECT_EQ(layer().output(11), "");
    EXPECT_EQ(client_to_server(12), 0u);
    EXPECT_EQ(server_->alerts_received(), std::vector<int>{});
  }
}

// The server's close_notify gets none back (OpenSSL answers one only in
// SSL_shutdown, which the probe never calls), in TLS 1.3 and 1.2 alike.
TEST_F(TlsLayerTest, ACloseNotifyGetsNoneBack) {
  for (const int max_version : {0, TLS1_2_VERSION}) {
    SCOPED_TRACE(max_version);
    ServerOptions server;
    server.max_version = max_version;
    connect(server);
    shuttle(0);
    client_to_server(1);
    server_->send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    server_->close_notify();
    server_to_client(10);
    EXPECT_EQ(layer().facts().close_notify_us, 10);
    EXPECT_EQ(client_to_server(11), 0u);
    EXPECT_EQ(server_->alerts_received(), std::vector<int>{});
  }
}

// What the kernel counts for the whole connection, in the exchange's
// application bytes: a record's plain bytes are acknowledged when its last
// wire byte is; bytes the probe has not read yet were on their way.
TEST_F(TlsLayerTest, AppCountsMapTheKernelsCountsToApplicationBytes) {
  connect();
  EXPECT_EQ(layer().app_counts(500, 500).received, 0);  // no session yet: nothing is application data
  auto [wire_sent, wire_received] = establish_without_finished(0);
  wire_sent += send_client_finished(0);
  const auto request_wire = static_cast<std::int64_t>(client_to_server(1));
  const auto head = static_cast<std::int64_t>(head_.size());
  ASSERT_EQ(request_wire, head + 22);
  EXPECT_EQ(layer().app_counts(wire_received, wire_sent).acked, 0);
  EXPECT_EQ(layer().app_counts(wire_received, wire_sent + request_wire - 1).acked, 0);
  EXPECT_EQ(layer().app_counts(wire_received, wire_sent + request_wire).acked, head);
  EXPECT_EQ(layer().app_counts(wire_received, 0).received, 0);
  EXPECT_EQ(layer().app_counts(wire_received + 7, 0).received, 7);  // bytes the probe never read

  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  server_->send(response);
  const std::string record = server_->take_output();
  layer().input(record, 3);
  wire_received += static_cast<std::int64_t>(record.size());
  EXPECT_EQ(layer().app_counts(wire_received, 0).received, static_cast<std::int64_t>(response.size()));
}

// A record that has only partly arrived when the connection ends was on
// its way: its bytes count as received (TlsLayer::app_counts), though
// OpenSSL has already moved them out of the memory BIO into its own buffer.
TEST_F(TlsLayerTest, APartialRecordCountsAsReceived) {
  connect();
  auto [wire_sent, wire_received] = establish_without_finished(0);
  send_client_finished(0);
  client_to_server(1);
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  server_->send(response);
  const std::string record = server_->take_output();
  layer().input(std::string_view(record).substr(0, 3), 2);  // not even its whole header
  EXPECT_EQ(layer().app_counts(wire_received + 3, 0).received, 3);
  layer().input(std::string_view(record).substr(3, 7), 2);
  wire_received += 10;
  EXPECT_EQ(layer().app_counts(wire_received, 0).received, 10);
  EXPECT_EQ(layer().app_counts(wire_received + 7, 0).received, 17);
  // Whole, it is the application bytes it carried.
  layer().input(std::string_view(record).substr(10), 3);
  wire_received += static_cast<std::int64_t>(record.size()) - 10;
  EXPECT_EQ(layer().app_counts(wire_received, 0).received, static_cast<std::int64_t>(response.size()));
}

// A reused connection's second exchange counts only its own bytes.
TEST_F(TlsLayerTest, TheNextExchangeCountsFromItsOwnStart) {
  connect();
  shuttle(1);
  ASSERT_EQ(server_->received(), head_);
  server_->send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  server_to_client(2);
  ASSERT_TRUE(layer().response_done());
  client_->next_exchange(100);
  EXPECT_FALSE(layer().response_done());
  EXPECT_EQ(layer().app_counts(0, 1'000'000).acked, 0);
  const auto second_wire = static_cast<std::int64_t>(client_to_server(101));
  EXPECT_EQ(second_wire, static_cast<std::int64_t>(head_.size()) + 22);
  EXPECT_EQ(server_->received(), head_ + head_);
  EXPECT_EQ(layer().app_counts(0, 1'000'000).acked, static_cast<std::int64_t>(head_.size()));
  const std::string response = "HTTP/1.1 204 No Content\r\n\r\n";
  server_->send(response);
  server_to_client(110);
  EXPECT_EQ(layer().app_counts(0, 0).received, static_cast<std::int64_t>(response.size()));
  EXPECT_EQ(recorded().status, 204);
  EXPECT_EQ(recorded().timings.request_sent_us, 101);
}

// A record whose header declares more than TLS allows (2^14 + 2048) after
// the handshake: the server's stream cannot be read from its header on.
// Decided on the header, before its body arrived; the reason does not
// suppose a plain-http port (the handshake was TLS); every byte of it
// counts as received; the entry is bad_response, in TLS 1.3 and 1.2 alike.
TEST_F(TlsLayerTest, ARecordTooLongAfterTheHandshakeIsABadResponseAtOnce) {
  for (const int max_version : {0, TLS1_2_VERSION}) {
    SCOPED_TRACE(max_version);
    ServerOptions server;
    server.max_version = max_version;
    connect(server);
    auto [wire_sent, wire_received] = establish_without_finished(0);
    client_to_server(1);  // the client's Finished and the request
    ASSERT_EQ(server_->received(), head_);
    constexpr int kLength = (1 << 14) + 2048 + 1;
    std::string record = {0x17, 0x03, 0x03, static_cast<char>(kLength >> 8),
                          static_cast<char>(kLength & 0xff)};
    record.resize(5 + kLength, 'x');
    layer().input(std::string_view(record).substr(0, 100), 10);
    EXPECT_EQ(layer().facts().local_error,
              "a record of 18433 bytes, longer than TLS allows (18432): packet length too long");
    EXPECT_TRUE(layer().response_done());
    EXPECT_EQ(layer().output(11), "");  // no alert for the server
    const std::int64_t all = wire_received + static_cast<std::int64_t>(record.size());
    // The rest of the record, still in the kernel, then read: counted either way.
    EXPECT_EQ(layer().app_counts(all, 0).received, static_cast<std::int64_t>(record.size()));
    layer().input(std::string_view(record).substr(100), 12);
    EXPECT_EQ(layer().app_counts(all, 0).received, static_cast<std::int64_t>(record.size()));
    Observation o = recorded();
    EXPECT_EQ(
        o.parse_error,
        "unreadable TLS record: a record of 18433 bytes, longer than TLS allows (18432): packet length too "
        "long");
    o.connected = true;
    o.head_complete = o.request_complete = true;
    for (const StreamEnd end : {StreamEnd::open, StreamEnd::fin, StreamEnd::timeout}) {
      o.end = end;
      EXPECT_EQ(classify(o).label, Label::bad_response) << to_string(end);
    }
  }
}

// Bytes of good records before the bad one in the same read are the
// response's; the count starts again at the bad record.
TEST_F(TlsLayerTest, OnlyTheRecordsFromTheBadOneOnAreCountedAsUnreadable) {
  connect();
  auto [wire_sent, wire_received] = establish_without_finished(0);
  client_to_server(1);
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe";
  server_->send(head);
  std::string bytes = server_->take_output();
  const std::string bad = std::string("\x17\x03\x03\x00\x20", 5) + std::string(32, 'f');  // no valid MAC
  bytes += bad;
  layer().input(bytes, 10);
  EXPECT_EQ(layer().facts().local_error, "decryption failed or bad record mac");
  const std::int64_t all = wire_received + static_cast<std::int64_t>(bytes.size());
  EXPECT_EQ(layer().app_counts(all, 0).received, static_cast<std::int64_t>(head.size() + bad.size()));
  const Observation o = recorded();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.parse_error, "unreadable TLS record: decryption failed or bad record mac");
}

// A TLS 1.0 server, asked by a client that offers 1.2 and 1.3 (the
// default), answers with TLS 1.0: the handshake fails in the probe's own
// words about the server's version, and nothing goes back to the server.
TEST_F(TlsLayerTest, ATls10ServerFailsTheDefaultHandshakeWithItsVersion) {
  ServerOptions server;
  server.legacy_tls10 = true;
  server.security_level = 0;
  server.cipher_list = "ECDHE-ECDSA-AES128-SHA";
  connect(server);
  shuttle(0);
  ASSERT_TRUE(layer().handshake_failed());
  EXPECT_EQ(layer().facts().failure_kind, "protocol");
  EXPECT_EQ(
      layer().facts().failure,
      "the server offered only TLS 1.0 (protocol version): the probe offers TLS 1.2 and up; --tls-min 1.0 "
      "allows TLS 1.0");
  EXPECT_EQ(server_->alerts_received(), std::vector<int>{});
}

// A server of today limited to TLS 1.0 reads the client's supported_versions
// and says so itself: its alert is the reason, as for any alert.
TEST_F(TlsLayerTest, AServerThatRefusesTheOfferedVersionsByAlertSaysSo) {
  ServerOptions server;
  server.min_version = server.max_version = TLS1_VERSION;
  server.security_level = 0;
  server.cipher_list = "ECDHE-ECDSA-AES128-SHA";
  connect(server);
  shuttle(0);
  ASSERT_TRUE(layer().handshake_failed());
  EXPECT_EQ(layer().facts().failure, "the server sent alert protocol_version");
}

// --tls-min 1.0 reaches it (OpenSSL's security level 0: TLS 1.0 signs with SHA-1).
TEST_F(TlsLayerTest, TlsMin10ReachesATls10Server) {
  for (const char* lowest : {"1.0", "1.1"}) {
    SCOPED_TRACE(lowest);
    ServerOptions server;
    server.legacy_tls10 = true;
    server.security_level = 0;
    server.cipher_list = "ECDHE-ECDSA-AES128-SHA";
    TlsSettings settings = insecure();
    settings.min_version = lowest;
    connect(server, settings);
    shuttle(0);
    if (std::string(lowest) == "1.1") {
      ASSERT_TRUE(layer().handshake_failed());
      EXPECT_EQ(
          layer().facts().failure,
          "the server offered only TLS 1.0 (protocol version): the probe offers TLS 1.1 and up; --tls-min "
          "1.0 allows TLS 1.0");
      continue;
    }
    ASSERT_TRUE(layer().established()) << layer().facts().failure;
    EXPECT_EQ(layer().facts().version, "TLSv1");
    EXPECT_EQ(layer().facts().cipher, "ECDHE-ECDSA-AES128-SHA");
    EXPECT_EQ(server_->received(), head_);
  }
}

}  // namespace
}  // namespace termprobe
