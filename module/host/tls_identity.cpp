#include "tls_identity.h"

#include "tls_certificate.h"

namespace termprobe_host {

tl::expected<TlsIdentity, std::string> make_self_signed_identity() {
  auto made = make_certificate(CertificateSpec{});
  if (!made) return tl::unexpected("self-signed: " + made.error());
  TlsIdentity identity;
  identity.certificate_pem = std::move(made->certificate_pem);
  identity.private_key_pem = std::move(made->private_key_pem);
  return identity;
}

}  // namespace termprobe_host
