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

// "1.2" / "1.3" → OpenSSL's version number; 0 when the text is neither.
int tls_version_number(const std::string& text);

}  // namespace termprobe
