// A blocking TLS test client (OpenSSL, not termprobe's engine) over a
// LoopbackClient: it trusts one certificate, offers ALPN, and tells apart
// how the host ended the connection: close_notify or not, then FIN or RST.
#pragma once

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "loopback_client.h"

namespace termprobe_test {

struct TlsEnding {
  bool close_notify = false;  // the host sent a TLS close_notify alert
  Ending tcp = Ending::open;  // then: FIN, RST, or still open at the deadline

  bool operator==(const TlsEnding&) const = default;
};

inline std::ostream& operator<<(std::ostream& out, const TlsEnding& ending) {
  static constexpr const char* kTcp[] = {"open", "FIN", "RST"};
  return out << (ending.close_notify ? "close_notify then " : "no close_notify, ")
             << kTcp[static_cast<int>(ending.tcp)];
}

class TlsLoopbackClient {
 public:
  // trusted: the PEM certificate to trust; server_ip: what the certificate
  // must name; alpn: protocols to offer, in order (none: no ALPN extension).
  TlsLoopbackClient(unsigned short port, const std::string& trusted,
                    std::vector<std::string> alpn = {"http/1.1"}, const std::string& server_ip = "127.0.0.1")
      : tcp_(port), context_(SSL_CTX_new(TLS_client_method())) {
    SSL_CTX_set_verify(context_.get(), SSL_VERIFY_PEER, nullptr);
    BIO* pem = BIO_new_mem_buf(trusted.data(), static_cast<int>(trusted.size()));
    X509* certificate = PEM_read_bio_X509(pem, nullptr, nullptr, nullptr);
    BIO_free(pem);
    if (certificate != nullptr) X509_STORE_add_cert(SSL_CTX_get_cert_store(context_.get()), certificate);
    X509_free(certificate);
    session_.reset(SSL_new(context_.get()));
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session_.get()), server_ip.c_str());
    std::string offered;
    for (const auto& protocol : alpn) offered += static_cast<char>(protocol.size()) + protocol;
    if (!offered.empty())
      SSL_set_alpn_protos(session_.get(), reinterpret_cast<const unsigned char*>(offered.data()),
                          static_cast<unsigned>(offered.size()));
    ::fcntl(tcp_.fd(), F_SETFL, ::fcntl(tcp_.fd(), F_GETFL) | O_NONBLOCK);
    SSL_set_fd(session_.get(), tcp_.fd());
  }

  // Completes the handshake (verifying the certificate) within the deadline.
  bool handshake(std::chrono::milliseconds deadline) {
    return drive(deadline, [this] { return SSL_connect(session_.get()); }) > 0;
  }
  std::string alpn() const {
    const unsigned char* name = nullptr;
    unsigned length = 0;
    SSL_get0_alpn_selected(session_.get(), &name, &length);
    return name != nullptr ? std::string(reinterpret_cast<const char*>(name), length) : std::string();
  }
  // The last handshake or read error's OpenSSL reason, e.g. "tlsv1 alert no application protocol".
  const std::string& failure() const { return failure_; }

  bool send(const std::string& bytes) {
    return drive(std::chrono::seconds(5), [&] {
             return SSL_write(session_.get(), bytes.data(), static_cast<int>(bytes.size()));
           }) == static_cast<int>(bytes.size());
  }

  // TCP half-close, under TLS: the host sees the end of the stream.
  void finish_sending() { tcp_.finish_sending(); }

  // Reads until the host ends the connection, until want bytes arrived, or
  // until the deadline; received keeps the decrypted bytes read so far.
  TlsEnding read(std::chrono::milliseconds deadline, std::size_t want = std::string::npos) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    char buffer[65536];
    while (received.size() < want) {
      const int got = drive(left(until), [&] { return SSL_read(session_.get(), buffer, sizeof(buffer)); });
      if (got > 0) {
        received.append(buffer, static_cast<std::size_t>(got));
        continue;
      }
      if (last_error_ == SSL_ERROR_ZERO_RETURN) return {true, tcp_ending_after_close_notify(until)};
      if (last_error_ == SSL_ERROR_SYSCALL && last_errno_ == ECONNRESET) return {false, Ending::reset};
      if (last_error_ == SSL_ERROR_SSL && ERR_GET_REASON(last_reason_) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return {false, Ending::fin};
      return {false, Ending::open};  // the deadline, or an error the test did not expect (see failure())
    }
    return {false, Ending::open};
  }

  std::string received;

 private:
  struct SslFree {
    void operator()(SSL* session) const { SSL_free(session); }
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
  };

  static std::chrono::milliseconds left(std::chrono::steady_clock::time_point until) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  }

  // Runs an SSL call on the non-blocking socket until it stops asking to
  // wait, or the deadline passes (then: 0, SSL_ERROR_WANT_READ).
  template <class Call>
  int drive(std::chrono::milliseconds deadline, Call call) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      ERR_clear_error();
      errno = 0;
      const int result = call();
      last_errno_ = errno;
      last_error_ = result > 0 ? SSL_ERROR_NONE : SSL_get_error(session_.get(), result);
      last_reason_ = ERR_peek_error();
      if (last_reason_ != 0) {
        char text[256];
        ERR_error_string_n(last_reason_, text, sizeof(text));
        failure_ = text;
      }
      const short wanted = last_error_ == SSL_ERROR_WANT_READ    ? POLLIN
                           : last_error_ == SSL_ERROR_WANT_WRITE ? POLLOUT
                                                                 : 0;
      if (wanted == 0) return result;
      if (left(until).count() <= 0 || !tcp_.wait_for(wanted, left(until))) return 0;
    }
  }

  // After close_notify, the TCP connection under it: FIN, RST or still open.
  Ending tcp_ending_after_close_notify(std::chrono::steady_clock::time_point until) {
    char byte;
    for (;;) {
      if (left(until).count() <= 0 || !tcp_.wait_for(POLLIN, left(until))) return Ending::open;
      const auto got = ::recv(tcp_.fd(), &byte, 1, 0);
      if (got == 0) return Ending::fin;
      if (got < 0 && errno == ECONNRESET) return Ending::reset;
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      return Ending::open;  // bytes after close_notify: not an ending this client knows
    }
  }

  LoopbackClient tcp_;
  std::unique_ptr<SSL_CTX, SslFree> context_;
  std::unique_ptr<SSL, SslFree> session_;
  int last_error_ = SSL_ERROR_NONE;
  int last_errno_ = 0;
  unsigned long last_reason_ = 0;
  std::string failure_;
};

}  // namespace termprobe_test
