#include "probes/tls_layer.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "probes/tls_alert.h"

namespace termprobe {
namespace {

// Application bytes encrypted at once: a few records, so a rate-limited or
// huge upload still goes out in steps the kernel's counters can follow.
constexpr std::size_t kPlainBatch = 64 * 1024;
constexpr std::size_t kRecordHeaderBytes = 5;  // type, version, length (RFC 8446 §5.1)
// The longest record any TLS version allows: 2^14 + 2048 bytes of
// TLSCiphertext (RFC 5246 §6.2.3; TLS 1.3 allows only 2^14 + 256, RFC 8446 §5.2).
constexpr std::int64_t kMaxRecordBytes = (1 << 14) + 2048;
constexpr int kServerHello = 2;         // handshake message type (RFC 8446 §4)
constexpr int kSupportedVersions = 43;  // extension type (RFC 8446 §4.2.1)

// "TLS 1.0" for 0x0301, as --tls-min spells the versions.
std::string version_name(int version) {
  if (version == SSL3_VERSION) return "SSL 3.0";
  if (version >= TLS1_VERSION && version <= TLS1_3_VERSION)
    return "TLS 1." + std::to_string(version - TLS1_VERSION);
  char text[16];
  std::snprintf(text, sizeof(text), "0x%04x", static_cast<unsigned>(version));
  return text;
}

// The version a ServerHello chose: its supported_versions extension when it
// has one (TLS 1.3), else its legacy version field. 0 when it is malformed.
int server_hello_version(const unsigned char* m, std::size_t size) {
  constexpr std::size_t kSessionIdAt = 4 + 2 + 32;
  if (size < kSessionIdAt + 1) return 0;
  const int legacy = m[4] << 8 | m[5];
  std::size_t at = kSessionIdAt + 1 + m[kSessionIdAt] + 2 + 1;  // session id, cipher suite, compression
  if (at + 2 > size) return legacy;
  const std::size_t end = std::min(size, at + 2 + (static_cast<std::size_t>(m[at]) << 8 | m[at + 1]));
  for (at += 2; at + 4 <= end;) {
    const int type = m[at] << 8 | m[at + 1];
    const std::size_t length = static_cast<std::size_t>(m[at + 2]) << 8 | m[at + 3];
    if (type == kSupportedVersions && length == 2 && at + 6 <= end) return m[at + 4] << 8 | m[at + 5];
    at += 4 + length;
  }
  return legacy;
}

bool is_ip_address(const std::string& name) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 || inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

std::string name_text(const X509_NAME* name) {
  BIO* out = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(out, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string text(data, static_cast<std::size_t>(std::max(0L, size)));
  BIO_free(out);
  return text;
}

std::string utc_text(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return {};
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

bool name_matches(X509* certificate, const std::string& name) {
  if (is_ip_address(name)) return X509_check_ip_asc(certificate, name.c_str(), 0) == 1;
  return X509_check_host(certificate, name.c_str(), name.size(), 0, nullptr) == 1;
}

void note_certificate(TlsFacts& facts, X509* certificate, const std::string& server_name) {
  if (certificate == nullptr || !facts.certificate_subject.empty()) return;
  facts.certificate_subject = name_text(X509_get_subject_name(certificate));
  facts.certificate_issuer = name_text(X509_get_issuer_name(certificate));
  facts.certificate_not_after = utc_text(X509_get0_notAfter(certificate));
  facts.name_matched = name_matches(certificate, server_name);
}

}  // namespace

TlsLayer::TlsLayer(std::shared_ptr<TlsContext> context, const std::string& server_name,
                   ProtocolFactory make_protocol)
    : context_(std::move(context)), server_name_(server_name), make_protocol_(std::move(make_protocol)) {
  facts_.alpn_offered = context_->alpn_offered();
  ssl_ = SSL_new(context_->native());
  network_in_ = BIO_new(BIO_s_mem());
  network_out_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(network_in_, -1);  // empty means "more to come", not EOF
  SSL_set_bio(ssl_, network_in_, network_out_);
  SSL_set_app_data(ssl_, this);
  SSL_set_connect_state(ssl_);
  SSL_set_info_callback(ssl_, &TlsLayer::on_info);
  SSL_set_msg_callback(ssl_, &TlsLayer::on_message);
  SSL_set_verify(ssl_, context_->verify() ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, &TlsLayer::on_verify);
  if (is_ip_address(server_name_)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_name_.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, server_name_.c_str());
    SSL_set1_host(ssl_, server_name_.c_str());
  }
  advance_handshake();  // the ClientHello, ready for the engine to send
}

TlsLayer::~TlsLayer() { SSL_free(ssl_); }  // frees both BIOs; nothing is sent

DriverSetup TlsLayer::setup() const {
  if (handshake_failed()) return DriverSetup::failed;
  return established_ ? DriverSetup::ready : DriverSetup::in_progress;
}

void TlsLayer::begin_next_request(std::int64_t now_us) {
  plain_sent_before_ = plain_sent_;
  app_received_ = 0;
  next_request_ = true;
  if (exchange_) exchange_->begin_next_request(now_us);
}

void TlsLayer::on_info(const SSL* ssl, int where, int value) {
  // SSL_CB_READ_ALERT shares its SSL_CB_ALERT bit with the probe's own (write) alerts.
  if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0) return;
  auto* layer = static_cast<TlsLayer*>(SSL_get_app_data(ssl));
  const int code = value & 0xff;
  if (code == 0) return;  // close_notify: SSL_read reports it as the end of the data
  layer->facts_.alert = TlsAlert{(value >> 8) == SSL3_AL_FATAL, code, tls_alert_name(code), layer->now_us_};
}

// Every handshake message, as it arrived and before OpenSSL acts on it: the
// version the server's ServerHello chose is known even when OpenSSL then
// refuses it.
void TlsLayer::on_message(int write_p, int, int content_type, const void* buf, std::size_t len, SSL* ssl,
                          void*) {
  const auto* message = static_cast<const unsigned char*>(buf);
  if (write_p != 0 || content_type != SSL3_RT_HANDSHAKE || len < 1 || message[0] != kServerHello) return;
  auto* layer = static_cast<TlsLayer*>(SSL_get_app_data(ssl));
  if (layer->server_hello_version_ == 0) layer->server_hello_version_ = server_hello_version(message, len);
}

// Runs for every certificate of the chain, whether or not -k was given: the
// report describes the server's certificate either way.
int TlsLayer::on_verify(int preverified, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* layer = static_cast<TlsLayer*>(SSL_get_app_data(ssl));
  note_certificate(layer->facts_, X509_STORE_CTX_get0_cert(store), layer->server_name_);
  return preverified;
}

void TlsLayer::advance_handshake() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_);
  if (result == 1) return note_established();
  const int error = SSL_get_error(ssl_, result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
  if (facts_.alert && facts_.alert->fatal)
    return fail_handshake("alert", "the server sent alert " + facts_.alert->description);
  const long verify = SSL_get_verify_result(ssl_);
  if (context_->verify() && verify != X509_V_OK)
    return fail_handshake("certificate",
                          std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify));
  const int lowest = static_cast<int>(SSL_get_min_proto_version(ssl_));
  if (server_hello_version_ != 0 && lowest != 0 && server_hello_version_ < lowest)
    return fail_handshake("protocol", version_refusal());
  fail_handshake("protocol", error_reason(error, true));
}

// The server answered the probe's range with a lower version: the highest
// it has (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3), so it has no other.
std::string TlsLayer::version_refusal() const {
  const std::string chosen = version_name(server_hello_version_);
  std::string text = "the server offered only " + chosen + " (protocol version): the probe offers " +
                     version_name(static_cast<int>(SSL_get_min_proto_version(ssl_))) + " and up";
  if (server_hello_version_ >= TLS1_VERSION) text += "; --tls-min " + chosen.substr(4) + " allows " + chosen;
  return text;
}

void TlsLayer::note_established() {
  established_ = true;
  facts_.version = SSL_get_version(ssl_);
  facts_.cipher = SSL_get_cipher_name(ssl_);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_size = 0;
  SSL_get0_alpn_selected(ssl_, &alpn, &alpn_size);
  facts_.alpn.assign(reinterpret_cast<const char*>(alpn), alpn == nullptr ? 0 : alpn_size);
  facts_.resumed = SSL_session_reused(ssl_) == 1;
  note_certificate(facts_, SSL_get0_peer_certificate(ssl_),
                   server_name_);  // a resumed session skips on_verify
  const long verify = SSL_get_verify_result(ssl_);
  facts_.verify_result = X509_verify_cert_error_string(verify);
  facts_.verified = context_->verify() && verify == X509_V_OK;
  established_us_ = now_us_;
  // The protocol starts at once: what the server sends right after its
  // Finished (HTTP/2's SETTINGS) is already the exchange's.
  exchange_ = make_protocol_(facts_.alpn);
}

// A failed handshake ends here: the alert OpenSSL queued for the server is
// dropped, so the server sees the probe close, never a probe's alert.
void TlsLayer::fail_handshake(std::string kind, std::string reason) {
  facts_.failure_kind = std::move(kind);
  facts_.failure = std::move(reason);
  if (facts_.verify_result.empty() && facts_.failure_kind == "certificate")
    facts_.verify_result = X509_verify_cert_error_string(SSL_get_verify_result(ssl_));
  BIO_reset(network_out_);
  pending_.clear();
  pending_offset_ = 0;
}

std::string TlsLayer::error_reason(int ssl_error, bool in_handshake) const {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return ssl_error == SSL_ERROR_SYSCALL ? "the TLS stream broke off" : "TLS error";
  const char* reason = ERR_reason_error_string(code);
  std::string text = reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
  // Only before the session: after a completed handshake the server's bytes were TLS.
  if (in_handshake &&
      (ERR_GET_REASON(code) == SSL_R_WRONG_VERSION_NUMBER ||
       ERR_GET_REASON(code) == SSL_R_PACKET_LENGTH_TOO_LONG || ERR_GET_REASON(code) == SSL_R_HTTP_REQUEST))
    text += ": the server's reply is not TLS (a plain-http port?)";
  return text;
}

bool TlsLayer::stopped_reading() const {
  return handshake_failed() || facts_.close_notify_us || (facts_.alert && facts_.alert->fatal) ||
         !facts_.local_error.empty();
}

void TlsLayer::input(std::string_view bytes, std::int64_t now_us) {
  now_us_ = now_us;
  const std::int64_t first = wire_received_;
  wire_received_ += static_cast<std::int64_t>(bytes.size());
  if (stopped_reading()) {
    if (facts_.close_notify_us) facts_.bytes_after_close_notify += static_cast<std::int64_t>(bytes.size());
    return;
  }
  follow_records(bytes, first);
  BIO_write(network_in_, bytes.data(), static_cast<int>(bytes.size()));
  if (!established_) advance_handshake();
  if (established_) read_records(now_us);
}

void TlsLayer::read_records(std::int64_t now_us) {
  char buffer[16 * 1024];
  while (!stopped_reading()) {
    ERR_clear_error();
    const std::size_t queued = BIO_ctrl_pending(network_out_);
    const int read = SSL_read(ssl_, buffer, sizeof(buffer));
    if (read > 0) {
      app_received_ += read;
      const std::string_view data(buffer, static_cast<std::size_t>(read));
      exchange_->input(data, now_us);
      continue;
    }
    const int error = SSL_get_error(ssl_, read);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      facts_.close_notify_us = now_us;
      // A close_notify ends the data properly: a close-delimited body is complete.
      exchange_->input_ended(now_us);
    } else if (!(facts_.alert && facts_.alert->fatal)) {
      note_unreadable(error);
    }
    // The reading ends here. What OpenSSL wrote for the server in this
    // read (an alert for a record it could not read) is its own answer,
    // not the server's doing: dropped, as a failed handshake's alert is.
    return drop_output_after(queued);
  }
}

// The server's records cannot be read from here on: why, and from where.
// OpenSSL reads a record's header, then its body, from network_in_ and
// no further (no read-ahead), so the last byte it took is in the record it
// failed on: that record and all after it are the unreadable bytes.
void TlsLayer::note_unreadable(int ssl_error) {
  const auto taken = wire_received_ - static_cast<std::int64_t>(BIO_ctrl_pending(network_in_));
  unreadable_from_ = taken;
  for (const std::int64_t start : record_starts_)
    if (start < taken) unreadable_from_ = start;
  std::string reason = error_reason(ssl_error, false);
  if (oversized_record_ > 0)
    reason = "a record of " + std::to_string(oversized_record_) + " bytes, longer than TLS allows (" +
             std::to_string(kMaxRecordBytes) + "): " + reason;
  facts_.local_error = std::move(reason);
}

void TlsLayer::drop_output_after(std::size_t kept) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(network_out_, &data);
  if (size <= static_cast<long>(kept)) return;
  const std::string before(data, kept);  // records the server's flight asked for (a client Finished)
  BIO_reset(network_out_);
  BIO_write(network_out_, before.data(), static_cast<int>(before.size()));
}

// The server's records as they arrive, so a record that has only partly
// arrived is known: OpenSSL moves its bytes out of network_in_ into a
// buffer of its own, where BIO_ctrl_pending() no longer sees them.
void TlsLayer::follow_records(std::string_view bytes, std::int64_t offset) {
  // Every whole record before this input was read (read_records() goes on
  // until OpenSSL wants more): only the one still arriving is kept.
  if (record_received_ == 0)
    record_starts_.clear();
  else if (record_starts_.size() > 1)
    record_starts_.erase(record_starts_.begin(), record_starts_.end() - 1);
  while (!bytes.empty()) {
    if (record_received_ == 0) record_starts_.push_back(offset);
    if (record_received_ < static_cast<std::int64_t>(kRecordHeaderBytes)) {
      const std::size_t take = std::min(bytes.size(), kRecordHeaderBytes - record_header_.size());
      record_header_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      offset += static_cast<std::int64_t>(take);
      record_received_ += static_cast<std::int64_t>(take);
      if (record_header_.size() < kRecordHeaderBytes) return;
      record_left_ =
          static_cast<std::uint8_t>(record_header_[3]) << 8 | static_cast<std::uint8_t>(record_header_[4]);
      record_header_.clear();
      if (record_left_ > kMaxRecordBytes && oversized_record_ == 0) oversized_record_ = record_left_;
    }
    const auto take = std::min(static_cast<std::int64_t>(bytes.size()), record_left_);
    bytes.remove_prefix(static_cast<std::size_t>(take));
    offset += take;
    record_left_ -= take;
    record_received_ += take;
    if (record_left_ == 0) record_received_ = 0;
  }
}

// The server's FIN. After the handshake, a FIN without close_notify is a
// truncation (RFC 9112 §9.8): the exchange is not told the data ended, so a
// close-delimited body stays incomplete.
void TlsLayer::input_ended(std::int64_t now_us) {
  now_us_ = now_us;
  if (!established_ && !handshake_failed())
    fail_handshake("fin", "the server closed the connection (FIN) during the TLS handshake");
}

void TlsLayer::take_wire_output() {
  char* data = nullptr;
  const long size = BIO_get_mem_data(network_out_, &data);
  if (size <= 0) return;
  pending_.append(data, static_cast<std::size_t>(size));
  BIO_reset(network_out_);
}

std::string_view TlsLayer::output(std::int64_t now_us) {
  if (pending_offset_ < pending_.size()) return std::string_view(pending_).substr(pending_offset_);
  pending_.clear();
  pending_offset_ = 0;
  if (handshake_failed()) return {};
  take_wire_output();  // handshake records (the client's Finished, say) go first
  if (!pending_.empty() || !established_ || !exchange_ || stopped_reading()) return pending_;
  const std::string_view plain = exchange_->output(now_us);
  if (plain.empty()) return {};
  ERR_clear_error();
  const int written = SSL_write(ssl_, plain.data(), static_cast<int>(std::min(plain.size(), kPlainBatch)));
  if (written <= 0) return {};
  pending_plain_ = static_cast<std::size_t>(written);
  take_wire_output();
  flushes_.push_back(Flush{wire_sent_ + static_cast<std::int64_t>(pending_.size()),
                           plain_sent_ + static_cast<std::int64_t>(written)});
  return pending_;
}

std::optional<std::int64_t> TlsLayer::output_resumes_us() const {
  if (pending_offset_ < pending_.size() || !established_ || !exchange_) return std::nullopt;
  return exchange_->output_resumes_us();
}

void TlsLayer::output_sent(std::size_t bytes, std::int64_t now_us) {
  pending_offset_ += bytes;
  wire_sent_ += static_cast<std::int64_t>(bytes);
  if (pending_offset_ < pending_.size()) return;
  // A record counts as sent once the kernel has all of it.
  if (pending_plain_ > 0 && exchange_) exchange_->output_sent(pending_plain_, now_us);
  plain_sent_ += static_cast<std::int64_t>(pending_plain_);
  pending_plain_ = 0;
  pending_.clear();
  pending_offset_ = 0;
}

bool TlsLayer::response_done() const {
  return established_ && exchange_ && (exchange_->response_done() || stopped_reading());
}

TlsLayer::AppCounts TlsLayer::app_counts(std::int64_t tcp_received, std::int64_t tcp_acked) const {
  AppCounts counts;
  // Bytes the kernel holds but the probe never read, and a partial record:
  // they were on their way when the connection ended. (Whole records are
  // all read: read_records() goes on until OpenSSL wants more.)
  const std::int64_t unread =
      std::max<std::int64_t>(0, tcp_received - wire_received_) + (stopped_reading() ? 0 : record_received_);
  counts.received = app_received_ + (established_ ? unread : 0);
  // Records the probe could not read still arrived: their bytes count as the server's.
  if (unreadable_from_ >= 0) counts.received += wire_received_ - unreadable_from_;
  std::int64_t acked_plain = plain_sent_before_;
  for (const Flush& flush : flushes_) {
    if (flush.wire_end > tcp_acked) break;
    acked_plain = std::max(acked_plain, flush.plain_end);
  }
  counts.acked = acked_plain - plain_sent_before_;
  return counts;
}

void TlsLayer::record_wire(Observation& o, const TcpCounts& tcp) const {
  const AppCounts app = app_counts(tcp.received, tcp.acked);
  const TcpCounts plain{app.received, app.acked, 0, 0};  // app_counts already count from this request
  if (exchange_)
    exchange_->record_wire(o, plain);
  else
    ConnectionDriver::record_wire(o, plain);
}

void TlsLayer::record(Observation& o, std::size_t exchange) const {
  if (exchange_) exchange_->record(o, exchange);
  // Bytes that are not a readable TLS stream are not a valid response
  // either: the label is bad_response, in the response's own words.
  if (!facts_.local_error.empty() && !o.response_complete && o.parse_error.empty())
    o.parse_error = "unreadable TLS record: " + facts_.local_error;
  o.tls_established = established_;
  if (established_ && !next_request_)
    o.timings.tls_us = established_us_;  // a reused request had no handshake
  o.tls_facts = facts_;
  if (established_ || handshake_failed()) return;
  // The handshake ended without a verdict of its own: the connection's end is the reason.
  if (o.end == StreamEnd::rst) {
    o.tls_facts.failure_kind = "rst";
    o.tls_facts.failure = "the server reset the connection during the TLS handshake";
  } else if (o.end == StreamEnd::timeout) {
    o.tls_facts.failure_kind = "timeout";
    o.tls_facts.failure = o.error;
  }
}

}  // namespace termprobe
