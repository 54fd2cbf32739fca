// The module host's TLS from the command line: `serve --tls`, `--cert/--key`
// and `--write-cert`, and the certificate `run --tls` makes for its embedded
// host.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/error.h"
#include "tls_identity.h"

namespace termprobe {

struct HostTlsOptions {
  bool tls = false;        // serve HTTPS with a self-signed certificate made at start
  std::string cert_file;   // --cert: the user's PEM certificate (chain) instead; implies --tls
  std::string key_file;    // --key: its PEM private key, unencrypted; implies --tls
  std::string write_cert;  // --write-cert: write the certificate served to this file; implies --tls

  bool wanted() const { return tls || !cert_file.empty() || !key_file.empty() || !write_cert.empty(); }
};

void add_host_tls_options(CLI::App* command, HostTlsOptions& options);

// What the host serves with: nothing (plain HTTP), the user's files, or a
// new self-signed certificate. Errors are one line naming the option.
Result<std::optional<termprobe_host::TlsIdentity>> host_identity(const HostTlsOptions& options);

// The certificate, PEM, written whole or not at all: a client trusts the
// host with it (`--cacert FILE`).
Result<void> write_certificate(const std::string& path, const termprobe_host::TlsIdentity& identity);

// A certificate in a temporary file (in $TMPDIR, else /tmp) for as long as
// this object lives: the probe's --cacert for the embedded host's
// certificate, made for this run.
class TemporaryCertificate {
 public:
  static Result<TemporaryCertificate> write(const termprobe_host::TlsIdentity& identity);
  TemporaryCertificate(TemporaryCertificate&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  TemporaryCertificate& operator=(TemporaryCertificate&&) = delete;
  TemporaryCertificate(const TemporaryCertificate&) = delete;
  ~TemporaryCertificate();
  const std::string& path() const { return path_; }

 private:
  explicit TemporaryCertificate(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace termprobe
