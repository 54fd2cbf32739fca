// The client-side TLS configuration of one probe spec (OpenSSL's SSL_CTX):
// what to trust, which versions, which ALPN protocols, and SSLKEYLOGFILE.
// Built once per spec; every connection of the spec takes an SSL from it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "probes/probe_spec.h"

using SSL_CTX = struct ssl_ctx_st;

namespace termprobe {

class TlsContext {
 public:
  // alpn: the protocols offered in the ClientHello, in order ("h2", "http/1.1").
  static Result<std::shared_ptr<TlsContext>> create(const TlsSettings& settings,
                                                    const std::vector<std::string>& alpn);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* native() const { return ctx_; }
  bool verify() const { return !insecure_; }
  const std::vector<std::string>& alpn_offered() const { return alpn_offered_; }

 private:
  TlsContext(SSL_CTX* ctx, bool insecure, std::vector<std::string> alpn_offered)
      : ctx_(ctx), insecure_(insecure), alpn_offered_(std::move(alpn_offered)) {}
  SSL_CTX* ctx_;
  bool insecure_;
  std::vector<std::string> alpn_offered_;
};

// "1.0", "1.1", "1.2", "1.3" → OpenSSL's version number; 0 for any other text.
int tls_version_number(const std::string& text);

// The versions a spec offers, as OpenSSL's numbers. Without --tls-min the
// lowest is TLS 1.2, as curl and browsers offer (or --tls-max, when that is
// lower): TLS 1.0 and 1.1 go into the ClientHello only when asked for.
struct TlsVersionRange {
  int min = 0;
  int max = 0;  // 0: OpenSSL's highest (TLS 1.3)
};
TlsVersionRange tls_version_range(const TlsSettings& settings);

}  // namespace termprobe
