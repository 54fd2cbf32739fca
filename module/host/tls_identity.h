// What the host presents in a TLS handshake: a certificate and its private
// key, as PEM text. Either made at start (self-signed) or the user's own.
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace termprobe_host {

struct TlsIdentity {
  std::string certificate_pem;                                   // the certificate chain, leaf first
  std::string private_key_pem;                                   // the leaf's key, unencrypted
  std::string certificate_source = "the generated certificate";  // names it in error messages
  std::string key_source = "the generated key";
};

// A self-signed certificate made in memory: EC P-256, SANs DNS:localhost,
// IP:127.0.0.1 and IP:::1, valid from an hour ago for 7 days. A client
// trusts it by loading certificate_pem as its CA file.
tl::expected<TlsIdentity, std::string> make_self_signed_identity();

}  // namespace termprobe_host
