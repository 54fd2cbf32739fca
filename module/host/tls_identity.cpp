#include "tls_identity.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace termprobe_host {
namespace {

template <auto Free>
struct Freer {
  template <class T>
  void operator()(T* pointer) const {
    Free(pointer);
  }
};
using Key = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Freer<X509_free>>;
using Bio = std::unique_ptr<BIO, Freer<BIO_free>>;
using Number = std::unique_ptr<BIGNUM, Freer<BN_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Freer<X509_EXTENSION_free>>;

constexpr long kValidBefore = 60L * 60;          // an hour of clock skew
constexpr long kValidAfter = 7L * 24 * 60 * 60;  // 7 days
constexpr int kSerialBits = 127;                 // positive, under RFC 5280's 20 octets
constexpr const char* kAlternativeNames = "DNS:localhost,IP:127.0.0.1,IP:::1";

tl::unexpected<std::string> openssl_failure(const char* step) {
  const unsigned long code = ERR_get_error();
  char reason[256] = "unknown reason";
  if (code != 0) ERR_error_string_n(code, reason, sizeof(reason));
  ERR_clear_error();
  return tl::unexpected(std::string("cannot make the self-signed certificate (") + step + "): " + reason);
}

bool add_extension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  const Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

bool set_names_and_dates(X509* certificate) {
  X509_NAME* name = X509_get_subject_name(certificate);
  const auto add = [name](const char* field, const char* value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                      reinterpret_cast<const unsigned char*>(value), -1, -1, 0) == 1;
  };
  const Number serial(BN_new());
  return add("O", "termprobe module host (self-signed)") && add("CN", "localhost") &&
         X509_set_issuer_name(certificate, name) == 1 && serial &&
         BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
         BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) != nullptr &&
         X509_gmtime_adj(X509_getm_notBefore(certificate), -kValidBefore) != nullptr &&
         X509_gmtime_adj(X509_getm_notAfter(certificate), kValidAfter) != nullptr;
}

// A leaf for TLS servers only: not a CA, so trusting it trusts nothing else.
bool add_extensions(X509* certificate) {
  return add_extension(certificate, NID_basic_constraints, "critical,CA:FALSE") &&
         add_extension(certificate, NID_key_usage, "critical,digitalSignature") &&
         add_extension(certificate, NID_ext_key_usage, "serverAuth") &&
         add_extension(certificate, NID_subject_key_identifier, "hash") &&
         add_extension(certificate, NID_subject_alt_name, kAlternativeNames);
}

template <class Write>
std::string pem_text(Write write) {
  const Bio memory(BIO_new(BIO_s_mem()));
  if (!memory || !write(memory.get())) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(memory.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

}  // namespace

tl::expected<TlsIdentity, std::string> make_self_signed_identity() {
  const Key key(EVP_EC_gen("P-256"));
  if (!key) return openssl_failure("P-256 key");
  const Certificate certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
      X509_set_pubkey(certificate.get(), key.get()) != 1 || !set_names_and_dates(certificate.get()))
    return openssl_failure("names and dates");
  if (!add_extensions(certificate.get())) return openssl_failure("extensions");
  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0) return openssl_failure("signature");
  TlsIdentity identity;
  identity.certificate_pem =
      pem_text([&](BIO* out) { return PEM_write_bio_X509(out, certificate.get()) == 1; });
  identity.private_key_pem = pem_text([&](BIO* out) {
    return PEM_write_bio_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
  if (identity.certificate_pem.empty() || identity.private_key_pem.empty()) return openssl_failure("PEM");
  return identity;
}

}  // namespace termprobe_host
