// TLS between the engine and a protocol driver. The layer is itself a
// ConnectionDriver: the engine sends and reads raw bytes as for plain TCP,
// the layer runs the handshake, encrypts the protocol's output and
// decrypts the server's records through memory BIOs. OpenSSL never touches
// the socket, so nothing leaves the client unless the engine sends it: no
// close_notify, no alert after the response, ever.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "probes/connection_driver.h"
#include "probes/tls_context.h"

using SSL = struct ssl_st;
using BIO = struct bio_st;
using X509_STORE_CTX = struct x509_store_ctx_st;

namespace termprobe {

class TlsLayer final : public ConnectionDriver {
 public:
  // The protocol spoken inside, made once the handshake is done, from the
  // ALPN protocol the server chose ("" when it chose none).
  using ProtocolFactory = std::function<std::unique_ptr<ConnectionDriver>(std::string_view alpn)>;

  // server_name: the URL's host without brackets (SNI and name check).
  TlsLayer(std::shared_ptr<TlsContext> context, const std::string& server_name,
           ProtocolFactory make_protocol);
  ~TlsLayer() override;
  TlsLayer(const TlsLayer&) = delete;
  TlsLayer& operator=(const TlsLayer&) = delete;

  bool established() const { return established_; }
  bool handshake_failed() const { return !facts_.failure_kind.empty(); }
  const TlsFacts& facts() const { return facts_; }

  // Application bytes, given the kernel's counts for the whole connection
  // (received payload, acknowledged payload of ours): what the report's
  // wire counts mean over TLS, for the current exchange.
  struct AppCounts {
    std::int64_t received = 0;  // the server's application data plus records not yet readable
    std::int64_t acked = 0;     // our application data in records the server acknowledged
  };
  AppCounts app_counts(std::int64_t tcp_received, std::int64_t tcp_acked) const;

  DriverSetup setup() const override;
  std::string setup_failure() const override { return facts_.failure; }
  std::string setup_name() const override { return "the TLS handshake"; }
  std::string_view output(std::int64_t now_us) override;
  std::optional<std::int64_t> output_resumes_us() const override;
  void output_sent(std::size_t bytes, std::int64_t now_us) override;
  void input(std::string_view bytes, std::int64_t now_us) override;
  void input_ended(std::int64_t now_us) override;
  bool response_done() const override;
  bool close_announced() const override { return exchange_ && exchange_->close_announced(); }
  std::size_t exchange_count() const override { return exchange_ ? exchange_->exchange_count() : 1; }
  void record(Observation& o, std::size_t exchange) const override;
  // The kernel counts TLS records; the protocol inside is told its application bytes.
  void record_wire(Observation& o, const TcpCounts& tcp) const override;
  bool accepts_next_request() const override {
    return exchange_ && exchange_->accepts_next_request() && !stopped_reading();
  }
  // The next request goes out on the same TLS session.
  void begin_next_request(std::int64_t now_us) override;

 private:
  struct Flush {
    std::int64_t wire_end = 0;   // raw bytes sent on the connection once this record is out
    std::int64_t plain_end = 0;  // application bytes sent once this record is out
  };

  static void on_info(const SSL* ssl, int where, int value);
  static int on_verify(int preverified, X509_STORE_CTX* store);
  static void on_message(int write_p, int version, int content_type, const void* buf, std::size_t len,
                         SSL* ssl, void* arg);
  std::string version_refusal() const;
  void note_unreadable(int ssl_error);
  void advance_handshake();
  void note_established();
  void read_records(std::int64_t now_us);
  void fail_handshake(std::string kind, std::string reason);
  std::string error_reason(int ssl_error, bool in_handshake) const;
  void take_wire_output();
  void drop_output_after(std::size_t kept);
  void follow_records(std::string_view bytes, std::int64_t offset);
  bool stopped_reading() const;

  std::shared_ptr<TlsContext> context_;
  std::string server_name_;
  ProtocolFactory make_protocol_;
  SSL* ssl_ = nullptr;
  BIO* network_in_ = nullptr;   // the server's raw bytes, for OpenSSL to read (owned by ssl_)
  BIO* network_out_ = nullptr;  // what OpenSSL wrote, for the engine to send (owned by ssl_)
  std::unique_ptr<ConnectionDriver> exchange_;
  bool established_ = false;
  std::int64_t established_us_ = 0;
  bool next_request_ = false;  // begin_next_request() was called: the handshake was the first request's
  TlsFacts facts_;
  std::int64_t now_us_ = 0;  // the current input's time, for the alert callback

  std::string pending_;                 // ciphertext waiting for the kernel
  std::size_t pending_offset_ = 0;      // of which this much went out
  std::size_t pending_plain_ = 0;       // application bytes inside the pending records
  std::int64_t wire_sent_ = 0;          // raw bytes the kernel took, handshake included
  std::int64_t plain_sent_ = 0;         // application bytes the kernel took (in whole records)
  std::int64_t plain_sent_before_ = 0;  // of those, before the current exchange
  std::vector<Flush> flushes_;          // where each application record ends on the wire
  std::int64_t wire_received_ = 0;      // raw bytes read from the socket
  std::int64_t app_received_ = 0;       // application bytes decrypted for the current exchange
  std::string record_header_;           // the server's record being read: its header while incomplete
  std::int64_t record_left_ = 0;        // its bytes still to come, once its header is in
  std::int64_t record_received_ = 0;    // its bytes received so far (0: between records)
  // Where on the wire each record not yet known to be read began: the one
  // being read when this input came, then those of this input.
  std::vector<std::int64_t> record_starts_;
  std::int64_t oversized_record_ = 0;  // the first record header declaring more than TLS allows: its length
  std::int64_t unreadable_from_ = -1;  // wire offset of the first record the probe could not read
  int server_hello_version_ = 0;       // the version the server's ServerHello chose (0: none yet)
};

}  // namespace termprobe
