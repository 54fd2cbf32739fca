#include "tls_certificate.h"

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

constexpr int kSerialBits = 127;  // positive, under RFC 5280's 20 octets

tl::unexpected<std::string> openssl_failure(const char* step) {
  const unsigned long code = ERR_get_error();
  char reason[256] = "unknown reason";
  if (code != 0) ERR_error_string_n(code, reason, sizeof(reason));
  ERR_clear_error();
  return tl::unexpected(std::string("cannot make the certificate (") + step + "): " + reason);
}

bool add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  const Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

bool set_names_and_dates(X509* certificate, X509* issuer, const CertificateSpec& spec) {
  X509_NAME* name = X509_get_subject_name(certificate);
  const auto add = [name](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) == 1;
  };
  const Number serial(BN_new());
  return add("O", spec.organisation) && add("CN", spec.common_name) &&
         X509_set_issuer_name(certificate, X509_get_subject_name(issuer)) == 1 && serial &&
         BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
         BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) != nullptr &&
         X509_gmtime_adj(X509_getm_notBefore(certificate), spec.not_before_s) != nullptr &&
         X509_gmtime_adj(X509_getm_notAfter(certificate), spec.not_after_s) != nullptr;
}

// A leaf is for TLS servers only, not a CA: trusting it trusts nothing else.
bool add_extensions(X509* certificate, X509* issuer, const CertificateSpec& spec) {
  const auto add = [&](int nid, const char* value) { return add_extension(certificate, issuer, nid, value); };
  if (spec.authority)
    return add(NID_basic_constraints, "critical,CA:TRUE") &&
           add(NID_key_usage, "critical,keyCertSign,cRLSign") && add(NID_subject_key_identifier, "hash");
  return add(NID_basic_constraints, "critical,CA:FALSE") && add(NID_key_usage, "critical,digitalSignature") &&
         add(NID_ext_key_usage, "serverAuth") && add(NID_subject_key_identifier, "hash") &&
         (issuer == certificate || add(NID_authority_key_identifier, "keyid")) &&
         add(NID_subject_alt_name, spec.alternative_names.c_str());
}

template <class Write>
std::string pem_text(Write write) {
  const Bio memory(BIO_new(BIO_s_mem()));
  if (!memory || !write(memory.get())) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(memory.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

struct Signer {
  Certificate certificate;
  Key key;
};

Signer read_issuer(const IssuedCertificate& issuer) {
  const Bio certificate(
      BIO_new_mem_buf(issuer.certificate_pem.data(), static_cast<int>(issuer.certificate_pem.size())));
  const Bio key(
      BIO_new_mem_buf(issuer.private_key_pem.data(), static_cast<int>(issuer.private_key_pem.size())));
  if (!certificate || !key) return {};
  return Signer{Certificate(PEM_read_bio_X509(certificate.get(), nullptr, nullptr, nullptr)),
                Key(PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr))};
}

}  // namespace

tl::expected<IssuedCertificate, std::string> make_certificate(const CertificateSpec& spec,
                                                              const IssuedCertificate* issuer) {
  const Key key(EVP_EC_gen("P-256"));
  if (!key) return openssl_failure("P-256 key");
  const Certificate certificate(X509_new());
  const Signer signer = issuer != nullptr ? read_issuer(*issuer) : Signer{};
  if (issuer != nullptr && (!signer.certificate || !signer.key)) return openssl_failure("issuer");
  X509* issuer_certificate = issuer != nullptr ? signer.certificate.get() : certificate.get();
  EVP_PKEY* signing_key = issuer != nullptr ? signer.key.get() : key.get();
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
      X509_set_pubkey(certificate.get(), key.get()) != 1 ||
      !set_names_and_dates(certificate.get(), issuer_certificate, spec))
    return openssl_failure("names and dates");
  if (!add_extensions(certificate.get(), issuer_certificate, spec)) return openssl_failure("extensions");
  if (X509_sign(certificate.get(), signing_key, EVP_sha256()) <= 0) return openssl_failure("signature");
  IssuedCertificate made;
  made.certificate_pem = pem_text([&](BIO* out) { return PEM_write_bio_X509(out, certificate.get()) == 1; });
  made.private_key_pem = pem_text([&](BIO* out) {
    return PEM_write_bio_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
  if (made.certificate_pem.empty() || made.private_key_pem.empty()) return openssl_failure("PEM");
  return made;
}

}  // namespace termprobe_host
