// X.509 certificates made in memory (EC P-256, SHA-256), as PEM text: the
// host's self-signed identity, and the test servers' good and bad ones
// (expired, for another name, signed by a CA the client does not know).
// Its own library, so the test fixtures take it without the host.
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace termprobe_host {

struct CertificateSpec {
  std::string organisation = "termprobe module host (self-signed)";
  std::string common_name = "localhost";
  std::string alternative_names = "DNS:localhost,IP:127.0.0.1,IP:::1";  // OpenSSL's subjectAltName syntax
  long not_before_s = -60L * 60;         // seconds from now: an hour of clock skew
  long not_after_s = 7L * 24 * 60 * 60;  // seconds from now: 7 days
  bool authority = false;                // a CA that signs certificates, not a TLS server's leaf
};

struct IssuedCertificate {
  std::string certificate_pem;
  std::string private_key_pem;  // unencrypted
};

// Signed by issuer's key (its subject becomes the issuer name), or
// self-signed when issuer is null.
tl::expected<IssuedCertificate, std::string> make_certificate(const CertificateSpec& spec,
                                                              const IssuedCertificate* issuer = nullptr);

}  // namespace termprobe_host
