// The client side of the TLS layer on whatever a server sends, during the
// handshake and after it: no crash, no sanitizer report, and the probe's
// own rules hold whatever arrives: nothing leaves the client once its
// handshake failed or it stopped reading the server's records (no alert,
// no close_notify of its own), and the application bytes it counts are
// never more than the bytes that arrived.
// Input: byte 0 picks the mode (bits 0-1), TLS 1.2 only (bit 2), a FIN at
// the end (bit 3) and how many bytes each read gives (bits 4-7: 1 << n).
//   mode 0: the rest is the server's raw answer to the ClientHello.
//   mode 1: the real server's first flight, bytes 1-2 an offset into it
//           and the rest written over it there (a ServerHello with a field
//           changed, say).
//   mode 2, 3: a real handshake (an OpenSSL server in memory), then the
//           rest as pieces [kind][length][bytes]: kind bit 0 set, the
//           server sends the bytes as application data (a valid record);
//           clear, they go on the wire raw; bit 1: then a close_notify.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "probes/classifier.h"
#include "probes/http1_exchange.h"
#include "probes/tls_layer.h"
#include "tls_certificate.h"

namespace {

using termprobe::TlsLayer;

const termprobe_host::IssuedCertificate& certificate() {
  static const termprobe_host::IssuedCertificate made = [] {
    termprobe_host::CertificateSpec spec;
    spec.organisation = "termprobe fuzz_tls_layer";
    auto issued = termprobe_host::make_certificate(spec);
    if (!issued) __builtin_trap();
    return *issued;
  }();
  return made;
}

SSL_CTX* server_context(bool tls12_only) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  const auto& c = certificate();
  BIO* cert_in = BIO_new_mem_buf(c.certificate_pem.data(), static_cast<int>(c.certificate_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_in, nullptr, nullptr, nullptr);
  BIO_free(cert_in);
  BIO* key_in = BIO_new_mem_buf(c.private_key_pem.data(), static_cast<int>(c.private_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_in, nullptr, nullptr, nullptr);
  BIO_free(key_in);
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  SSL_CTX_set_num_tickets(ctx, 0);
  if (tls12_only) SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  return ctx;
}

// Made once for each version range: loading the key is most of a context's cost.
SSL_CTX* shared_server_context(bool tls12_only) {
  static SSL_CTX* const any_version = server_context(false);
  static SSL_CTX* const tls12 = server_context(true);
  return tls12_only ? tls12 : any_version;
}

// OpenSSL's server side through memory BIOs.
class Server {
 public:
  explicit Server(bool tls12_only) : ctx_(shared_server_context(tls12_only)) {
    ssl_ = SSL_new(ctx_);
    BIO* in = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl_, in, out_);
    in_ = in;
    SSL_set_accept_state(ssl_);
  }
  ~Server() { SSL_free(ssl_); }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void receive(std::string_view bytes) {
    BIO_write(in_, bytes.data(), static_cast<int>(bytes.size()));
    ERR_clear_error();
    if (SSL_is_init_finished(ssl_) != 1 && SSL_do_handshake(ssl_) != 1) return;
    char buffer[4096];
    while (SSL_read(ssl_, buffer, sizeof(buffer)) > 0) {
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
    if (!plain.empty()) SSL_write(ssl_, plain.data(), static_cast<int>(plain.size()));
  }
  void close_notify() { SSL_shutdown(ssl_); }

 private:
  SSL_CTX* ctx_;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
};

std::shared_ptr<termprobe::TlsContext> client_context() {
  static const std::shared_ptr<termprobe::TlsContext> context = [] {
    termprobe::TlsSettings settings;
    settings.insecure = true;
    auto made = termprobe::TlsContext::create(settings, {"http/1.1"});
    if (!made) __builtin_trap();
    return *made;
  }();
  return context;
}

struct Client {
  Client() {
    spec.url = "https://localhost/x";
    head = termprobe::http1_request_head("GET", {{"Host", "localhost"}}, "/x");
    layer = std::make_unique<TlsLayer>(client_context(), "localhost", [this](std::string_view) {
      return std::make_unique<termprobe::Http1Exchange>(spec, head, nullptr);
    });
  }
  termprobe::ProbeSpec spec;
  std::string head;
  std::unique_ptr<TlsLayer> layer;
  std::int64_t wire_received = 0;
  std::int64_t now_us = 0;

  // Everything the client has to send, as the kernel takes it.
  std::string take_output() {
    std::string sent;
    for (int turn = 0; turn < 64; ++turn) {
      const std::string_view out = layer->output(now_us);
      if (out.empty()) break;
      sent += out;
      layer->output_sent(out.size(), now_us);
    }
    return sent;
  }
  void input(std::string_view bytes, std::size_t step) {
    while (!bytes.empty()) {
      const std::string_view piece = bytes.substr(0, step);
      bytes.remove_prefix(piece.size());
      wire_received += static_cast<std::int64_t>(piece.size());
      layer->input(piece, ++now_us);
      check();
    }
  }
  // The rules that hold whatever the server sent.
  void check() {
    const auto& facts = layer->facts();
    const bool stopped = layer->handshake_failed() || !facts.local_error.empty() ||
                         (facts.alert && facts.alert->fatal) || facts.close_notify_us.has_value();
    if (stopped && !layer->output(now_us).empty()) __builtin_trap();  // the probe's own alert or close
    const auto counts = layer->app_counts(wire_received, 0);
    if (counts.received < 0 || counts.received > wire_received) __builtin_trap();
  }
};

void finish(Client& client, bool fin) {
  if (fin) client.layer->input_ended(++client.now_us);
  client.check();
  termprobe::Observation o;
  o.connected = true;
  o.tls = true;
  o.end = fin ? termprobe::StreamEnd::fin : termprobe::StreamEnd::open;
  client.layer->record(o, 0);
  client.layer->record_wire(o, termprobe::TcpCounts{client.wire_received, 0, 0, 0});
  if (o.wire_bytes_received < 0 || o.wire_bytes_received > client.wire_received) __builtin_trap();
  (void)termprobe::classify(o);
}

// Client and server talk until neither has anything to say.
bool handshake(Client& client, Server& server) {
  for (int turn = 0; turn < 16 && !client.layer->established(); ++turn) {
    server.receive(client.take_output());
    const std::string flight = server.take_output();
    if (flight.empty()) break;
    client.input(flight, flight.size());
  }
  server.receive(client.take_output());  // the client's Finished and the request
  return client.layer->established();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int mode = data[0] & 3;
  const bool tls12_only = (data[0] & 4) != 0;
  const bool fin = (data[0] & 8) != 0;
  const std::size_t step = std::size_t{1} << (data[0] >> 4);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  Client client;
  if (mode == 0) {
    client.take_output();  // the ClientHello
    client.input(rest, step);
    client.take_output();
    finish(client, fin);
    return 0;
  }
  Server server(tls12_only);
  if (mode == 1) {
    if (rest.size() < 2) return 0;
    server.receive(client.take_output());
    std::string flight = server.take_output();
    const std::size_t offset = (static_cast<std::size_t>(static_cast<std::uint8_t>(rest[0])) << 8 |
                                static_cast<std::uint8_t>(rest[1])) %
                               (flight.size() + 1);
    rest.remove_prefix(2);
    flight.replace(offset, std::min(rest.size(), flight.size() - offset), rest);
    client.input(flight, step);
    client.take_output();
    finish(client, fin);
    return 0;
  }
  if (!handshake(client, server)) __builtin_trap();  // a real server: it must work
  while (rest.size() >= 2) {
    const auto kind = static_cast<std::uint8_t>(rest[0]);
    const std::size_t length = std::min<std::size_t>(static_cast<std::uint8_t>(rest[1]), rest.size() - 2);
    const std::string_view bytes = rest.substr(2, length);
    rest.remove_prefix(2 + length);
    if ((kind & 1) != 0) {
      server.send(bytes);
      if ((kind & 2) != 0) server.close_notify();
      client.input(server.take_output(), step);
    } else {
      client.input(bytes, step);
      if ((kind & 2) != 0) {
        server.close_notify();
        client.input(server.take_output(), step);
      }
    }
    client.take_output();
  }
  finish(client, fin);
  return 0;
}
