#include "cli/tls_options.h"

#include "cli/diagnostics.h"
#include "common/resolve_override.h"
#include "report/input_checks.h"

namespace termprobe {
namespace {

CLI::Validator tls_version_check() {
  return CLI::Validator([](const std::string& text) { return tls_version_problem(text).value_or(""); },
                        "1.2|1.3");
}

CLI::Validator resolve_check() {
  return CLI::Validator(
      [](const std::string& text) {
        auto entry = parse_resolve_override(text);
        return entry ? std::string() : entry.error().message;
      },
      "HOST:PORT:ADDRESS");
}

}  // namespace

void add_tls_options(CLI::App* command, TlsOptions& o) {
  command->add_flag("-k,--insecure", o.insecure,
                    "https: go on whatever the certificate says (the report still says what it is)");
  command->add_option("--cacert", o.cacert, "https: trust the CA certificates in this PEM file")
      ->check(CLI::ExistingFile);
  command
      ->add_option("--resolve", o.resolve,
                   "Connect to ADDRESS for HOST:PORT; Host header and TLS name stay HOST (repeatable)")
      ->check(resolve_check());
  command->add_option("--tls-min", o.tls_min, "https: lowest TLS version to offer (1.2 or 1.3)")
      ->check(tls_version_check());
  command->add_option("--tls-max", o.tls_max, "https: highest TLS version to offer (1.2 or 1.3)")
      ->check(tls_version_check());
}

bool apply_tls_options(const TlsOptions& o, ProbeSpec& spec) {
  TlsSettings& tls = spec.tls;
  tls.insecure = tls.insecure || o.insecure;
  if (tls.ca_file.empty()) tls.ca_file = o.cacert;
  if (tls.min_version.empty()) tls.min_version = o.tls_min;
  if (tls.max_version.empty()) tls.max_version = o.tls_max;
  spec.resolve.insert(spec.resolve.end(), o.resolve.begin(), o.resolve.end());
  if (auto problem = tls_range_problem(tls.min_version, tls.max_version)) {
    print_error(*problem);
    return false;
  }
  return true;
}

}  // namespace termprobe
