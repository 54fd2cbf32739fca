#include "cli/host_tls.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cli/option_checks.h"
#include "report/atomic_file.h"
#include "report/input_file.h"

namespace termprobe {
namespace {

// Far above any certificate chain: a larger file is not one.
constexpr std::size_t kPemLimit = 1 << 20;

Result<std::string> read_pem(const std::string& path, const std::string& option) {
  auto file = open_input_file(path, option);
  if (!file) return tl::unexpected(file.error());
  std::string text(kPemLimit + 1, '\0');
  file->read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(file->gcount()));
  if (file->bad()) return fail(ErrorKind::io, "cannot read " + option + " '" + path + "'");
  if (text.size() > kPemLimit)
    return fail(ErrorKind::invalid_input, option + " '" + path + "' is larger than 1 MiB: not a PEM file");
  return text;
}

}  // namespace

void add_host_tls_options(CLI::App* command, HostTlsOptions& o) {
  command->add_flag(
      "--tls", o.tls,
      "Serve HTTPS with a self-signed certificate made at start (EC P-256; localhost, 127.0.0.1, "
      "::1; 7 days)");
  command
      ->add_option("--cert", o.cert_file,
                   "Serve HTTPS with this PEM certificate (chain) instead; needs --key")
      ->check(path_check());
  command->add_option("--key", o.key_file, "The PEM private key (unencrypted) of --cert")
      ->check(path_check());
  command
      ->add_option("--write-cert", o.write_cert,
                   "Write the certificate served to FILE (PEM), for a client's --cacert; implies --tls")
      ->check(path_check());
}

Result<std::optional<termprobe_host::TlsIdentity>> host_identity(const HostTlsOptions& options) {
  if (!options.wanted()) return std::nullopt;
  if (options.cert_file.empty() != options.key_file.empty())
    return fail(ErrorKind::invalid_input, options.cert_file.empty()
                                              ? "--key needs --cert: the certificate the key belongs to"
                                              : "--cert needs --key: the certificate's private key (PEM)");
  if (options.cert_file.empty()) {
    auto generated = termprobe_host::make_self_signed_identity();
    if (!generated) return fail(ErrorKind::internal, generated.error());
    return *generated;
  }
  auto certificate = read_pem(options.cert_file, "--cert");
  if (!certificate) return tl::unexpected(certificate.error());
  auto key = read_pem(options.key_file, "--key");
  if (!key) return tl::unexpected(key.error());
  return termprobe_host::TlsIdentity{*certificate, *key, "--cert '" + options.cert_file + "'",
                                     "--key '" + options.key_file + "'"};
}

Result<void> write_certificate(const std::string& path, const termprobe_host::TlsIdentity& identity) {
  auto file = AtomicFile::open(path, "--write-cert");
  if (!file) return tl::unexpected(file.error());
  return file->commit(identity.certificate_pem);
}

Result<TemporaryCertificate> TemporaryCertificate::write(const termprobe_host::TlsIdentity& identity) {
  const char* directory = std::getenv("TMPDIR");
  const std::string pattern =
      std::string(directory != nullptr && *directory != '\0' ? directory : "/tmp") + "/termprobe-cert-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return fail(ErrorKind::io, "cannot create " + pattern + ": " + std::strerror(errno));
  TemporaryCertificate file(name.data());
  const std::string& pem = identity.certificate_pem;
  const bool written = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
  const int saved = errno;
  ::close(fd);
  if (!written) return fail(ErrorKind::io, "cannot write " + file.path() + ": " + std::strerror(saved));
  return file;
}

TemporaryCertificate::~TemporaryCertificate() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace termprobe
