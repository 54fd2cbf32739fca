#include "tls_server_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <optional>

namespace termprobe_host {

namespace ssl = boost::asio::ssl;

namespace {

// The first of the host's protocols that the client offered (wire format:
// length-prefixed names), or nothing.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* offered,
                unsigned int offered_length, void*) {
  for (const std::string_view protocol : alpn_protocols()) {
    for (unsigned int at = 0; at < offered_length;) {
      const unsigned int length = offered[at];
      const std::string_view name(reinterpret_cast<const char*>(offered + at + 1),
                                  std::min(length, offered_length - at - 1));
      if (name == protocol) {
        *out = offered + at + 1;
        *out_length = static_cast<unsigned char>(length);
        return SSL_TLSEXT_ERR_OK;
      }
      at += 1 + length;
    }
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;  // OpenSSL sends no_application_protocol
}

std::string reason_of(const boost::system::error_code& error) {
  ERR_clear_error();
  return error.message();
}

// What OpenSSL would only call "PEM lib" or "unsupported": the wrong kind of file.
std::optional<std::string> pem_problem(const TlsIdentity& identity) {
  const auto has = [](const std::string& text, std::string_view marker) {
    return text.find(marker) != std::string::npos;
  };
  if (!has(identity.certificate_pem, "-----BEGIN CERTIFICATE-----"))
    return identity.certificate_source + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
  if (has(identity.private_key_pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"))
    return identity.key_source +
           " is encrypted: give the key unencrypted (e.g. openssl pkey -in KEY -out PLAIN)";
  if (!has(identity.private_key_pem, "PRIVATE KEY-----"))
    return identity.key_source + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)";
  return std::nullopt;
}

}  // namespace

const std::vector<std::string_view>& alpn_protocols() {
  static const std::vector<std::string_view> protocols = {"h2", "http/1.1"};
  return protocols;
}

tl::expected<std::shared_ptr<ssl::context>, std::string> make_server_context(const TlsIdentity& identity) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  // Idle connections by the thousand: OpenSSL's record buffers only while in use.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
  // An encrypted key must fail, not ask for a passphrase on the terminal.
  context->set_password_callback([](std::size_t, ssl::context::password_purpose) { return std::string(); });
  if (auto problem = pem_problem(identity)) return tl::unexpected(*problem);
  boost::system::error_code error;
  context->use_certificate_chain(boost::asio::buffer(identity.certificate_pem), error);
  if (error)
    return tl::unexpected(identity.certificate_source + " is not a PEM certificate: " + reason_of(error));
  context->use_private_key(boost::asio::buffer(identity.private_key_pem), ssl::context::pem, error);
  if (error && ERR_GET_REASON(static_cast<unsigned long>(error.value())) == X509_R_KEY_VALUES_MISMATCH)
    return tl::unexpected(identity.key_source + " is not the key of " + identity.certificate_source);
  if (error)
    return tl::unexpected(identity.key_source +
                          " is not an unencrypted PEM private key: " + reason_of(error));
  return context;
}

}  // namespace termprobe_host
