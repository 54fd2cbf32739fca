#include "cli/connection_options.h"

#include "cli/diagnostics.h"
#include "cli/option_checks.h"
#include "common/resolve_override.h"
#include "report/input_checks.h"

namespace termprobe {
namespace {

CLI::Validator tls_version_check() {
  return CLI::Validator([](const std::string& text) { return tls_version_problem(text).value_or(""); },
                        "1.0|1.1|1.2|1.3");
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

void add_connection_options(CLI::App* command, ConnectionOptions& o) {
  command->add_flag("-k,--insecure", o.insecure,
                    "https: go on whatever the certificate says (the report still says what it is)");
  command->add_option("--cacert", o.cacert, "https: trust the CA certificates in this PEM file")
      ->check(CLI::ExistingFile);
  command
      ->add_option("--resolve", o.resolve,
                   "Connect to ADDRESS for HOST:PORT; Host header and TLS name stay HOST (repeatable)")
      ->check(resolve_check());
  command
      ->add_option("--tls-min", o.tls_min,
                   "https: lowest TLS version to offer (1.0 to 1.3; default 1.2, as curl and browsers: "
                   "1.0 and 1.1 only when asked)")
      ->check(tls_version_check());
  command->add_option("--tls-max", o.tls_max, "https: highest TLS version to offer (1.0 to 1.3; default 1.3)")
      ->check(tls_version_check());
  auto* http2 = command->add_flag("--http2", o.http2,
                                  "https: offer HTTP/2 by ALPN (HTTP/1.1 when the server declines)");
  command
      ->add_flag("--http2-prior-knowledge", o.http2_prior_knowledge,
                 "Speak HTTP/2 from the first byte (h2c on http://; ALPN h2 only on https://)")
      ->excludes(http2);
  command->add_option("--streams", o.streams, "HTTP/2: concurrent streams per connection, each its own entry")
      ->transform(number_check(kStreamsRule));
  auto* capture =
      command
          ->add_option("--capture", o.capture,
                       "Capture the probe's own connections to FILE.pcap (libpcap; needs CAP_NET_RAW) "
                       "and check each entry's ending against the packets (capture.agrees)")
          ->check(path_check());
  command
      ->add_flag("--capture-strict", o.capture_strict,
                 "With --capture: exit 1 when the packets contradict any entry's ending")
      ->needs(capture);
}

bool apply_connection_options(const ConnectionOptions& o, ProbeSpec& spec) {
  TlsSettings& tls = spec.tls;
  tls.insecure = tls.insecure || o.insecure;
  if (tls.ca_file.empty()) tls.ca_file = o.cacert;
  if (tls.min_version.empty()) tls.min_version = o.tls_min;
  if (tls.max_version.empty()) tls.max_version = o.tls_max;
  spec.resolve.insert(spec.resolve.end(), o.resolve.begin(), o.resolve.end());
  if (spec.http == HttpMode::http1) {
    spec.http = o.http2_prior_knowledge ? HttpMode::http2_prior_knowledge
                : o.http2               ? HttpMode::http2
                                        : HttpMode::http1;
  }
  if (spec.streams == 1) spec.streams = o.streams;
  if (spec.streams > 1 && spec.http == HttpMode::http1) {
    print_error("--streams needs HTTP/2: add --http2 (https) or --http2-prior-knowledge");
    return false;
  }
  if (auto problem = http2_scheme_problem(spec.http == HttpMode::http2, spec.url)) {
    print_error(*problem);
    return false;
  }
  if (auto problem = tls_range_problem(tls.min_version, tls.max_version)) {
    print_error(*problem);
    return false;
  }
  return true;
}

}  // namespace termprobe
