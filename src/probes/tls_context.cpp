#include "probes/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace termprobe {
namespace {

std::string openssl_error_text() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
}

// SSLKEYLOGFILE, as curl and browsers honour it: a capture taken beside a
// run can be decrypted (Wireshark's tls.keylog_file).
void append_key_log_line(const SSL*, const char* line) {
  static std::mutex mutex;
  static std::FILE* file = nullptr;
  std::lock_guard lock(mutex);
  if (file == nullptr) {
    const char* path = std::getenv("SSLKEYLOGFILE");
    if (path == nullptr || *path == '\0') return;
    file = std::fopen(path, "a");
    if (file == nullptr) return;
  }
  std::fprintf(file, "%s\n", line);
  std::fflush(file);
}

std::string alpn_wire_format(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const auto& protocol : protocols) {
    wire += static_cast<char>(protocol.size());
    wire += protocol;
  }
  return wire;
}

// --cacert, else curl's CURL_CA_BUNDLE, else OpenSSL's defaults (which
// honour SSL_CERT_FILE and SSL_CERT_DIR).
Result<void> load_trust(SSL_CTX* ctx, const TlsSettings& settings) {
  std::string bundle = settings.ca_file;
  if (bundle.empty()) {
    const char* from_env = std::getenv("CURL_CA_BUNDLE");
    if (from_env != nullptr) bundle = from_env;
  }
  if (bundle.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      return fail(ErrorKind::io, "cannot load the system's CA certificates: " + openssl_error_text());
    return {};
  }
  if (SSL_CTX_load_verify_locations(ctx, bundle.c_str(), nullptr) != 1)
    return fail(ErrorKind::invalid_input,
                "cannot load CA certificates from '" + bundle + "': " + openssl_error_text());
  return {};
}

// --cert and --key, as curl takes them: a PEM certificate (its chain may
// follow it in the file) and a PEM key, read from the certificate's file
// when no key file is named. Offered only to a server that asks for one.
Result<void> load_client_certificate(SSL_CTX* ctx, const TlsSettings& settings) {
  if (settings.cert_file.empty()) {
    if (settings.key_file.empty()) return {};
    return fail(ErrorKind::invalid_input, "--key '" + settings.key_file + "' needs --cert, its certificate");
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, settings.cert_file.c_str()) != 1)
    return fail(ErrorKind::invalid_input,
                "--cert '" + settings.cert_file + "': no PEM certificate there: " + openssl_error_text());
  const std::string& key = settings.key_file.empty() ? settings.cert_file : settings.key_file;
  // No passphrase prompt (OpenSSL's default reads the terminal, which hangs
  // a CI job): an encrypted key fails to load, and the error says so.
  SSL_CTX_set_default_passwd_cb(ctx, [](char*, int, int, void*) { return 0; });
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1)
    return fail(ErrorKind::invalid_input,
                "--key '" + key + "': no unencrypted PEM private key there" +
                    (settings.key_file.empty() ? " (name the key's file with --key)" : "") + ": " +
                    openssl_error_text());
  if (SSL_CTX_check_private_key(ctx) != 1)
    return fail(ErrorKind::invalid_input, "--key '" + key + "' is not the key of --cert '" +
                                              settings.cert_file + "': " + openssl_error_text());
  return {};
}

}  // namespace

int tls_version_number(const std::string& text) {
  if (text == "1.0") return TLS1_VERSION;
  if (text == "1.1") return TLS1_1_VERSION;
  if (text == "1.2") return TLS1_2_VERSION;
  if (text == "1.3") return TLS1_3_VERSION;
  return 0;
}

TlsVersionRange tls_version_range(const TlsSettings& settings) {
  TlsVersionRange range;
  range.max = settings.max_version.empty() ? 0 : tls_version_number(settings.max_version);
  range.min = settings.min_version.empty() ? TLS1_2_VERSION : tls_version_number(settings.min_version);
  if (settings.min_version.empty() && range.max != 0) range.min = std::min(range.min, range.max);
  return range;
}

Result<std::shared_ptr<TlsContext>> TlsContext::create(const TlsSettings& settings,
                                                       const std::vector<std::string>& alpn_protocols) {
  // No client session cache (OpenSSL's default): every connection is a full
  // handshake, as the probe's connections are independent of each other. A
  // load tool that resumes (wrk keeps each SSL's ticket) makes several times
  // more https connections per second for that reason alone.
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return fail(ErrorKind::internal, "OpenSSL: " + openssl_error_text());
  std::shared_ptr<TlsContext> context(new TlsContext(ctx, settings.insecure, alpn_protocols));
  const TlsVersionRange versions = tls_version_range(settings);
  SSL_CTX_set_min_proto_version(ctx, versions.min);
  SSL_CTX_set_max_proto_version(ctx, versions.max);
  // TLS 1.0 and 1.1 sign the handshake with SHA-1 (and MD5), which OpenSSL 3
  // refuses from security level 1 up: a user who asked for them gets level
  // 0, so the probe reaches the old server and reports what it does (the
  // report names the version and cipher). Without --tls-min below 1.2 the
  // level stays OpenSSL's default.
  if (versions.min < TLS1_2_VERSION) SSL_CTX_set_security_level(ctx, 0);
  // Verification always runs, so the report says what the certificate is
  // even with -k; only without -k does a failure stop the handshake.
  SSL_CTX_set_verify(ctx, settings.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
  if (auto trusted = load_trust(ctx, settings); !trusted) return tl::unexpected(trusted.error());
  if (auto own = load_client_certificate(ctx, settings); !own) return tl::unexpected(own.error());
  const std::string alpn = alpn_wire_format(alpn_protocols);
  if (!alpn.empty())
    SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(alpn.data()),
                            static_cast<unsigned int>(alpn.size()));
  // Only when asked: with a callback installed, OpenSSL formats each
  // connection's secrets as a line whether or not the line is kept.
  const char* key_log = std::getenv("SSLKEYLOGFILE");
  if (key_log != nullptr && *key_log != '\0') SSL_CTX_set_keylog_callback(ctx, append_key_log_line);
  return context;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace termprobe
