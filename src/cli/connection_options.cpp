#include "cli/connection_options.h"

#include "cli/diagnostics.h"
#include "cli/option_checks.h"
#include "common/resolve_override.h"
#include "probes/tcp_socket.h"
#include "probes/tls_context.h"
#include "report/input_checks.h"

namespace termprobe {
namespace {

CLI::Validator tls_version_check() {
  return CLI::Validator([](const std::string& text) { return tls_version_problem(text).value_or(""); },
                        "1.0|1.1|1.2|1.3");
}

// The address options: where the socket goes and what it is bound to.
void add_address_options(CLI::App* command, ConnectionOptions& o) {
  command
      ->add_option("--connect-to", o.connect_to,
                   "For HOST1:PORT1 connect to HOST2:PORT2 instead (an empty part: any host or port, or the "
                   "same); URL, Host header and TLS name unchanged (repeatable; curl's syntax)")
      ->check(parsed_check(parse_connect_to, "HOST1:PORT1:HOST2:PORT2"));
  auto* ipv4 = command->add_flag("-4,--ipv4", o.ipv4, "Connect to the host's IPv4 addresses only");
  command->add_flag("-6,--ipv6", o.ipv6, "Connect to the host's IPv6 addresses only")->excludes(ipv4);
  command
      ->add_option("--local-port", o.local_port,
                   "Bind each connection to a local port of N[-M], the first free one (to find it in a "
                   "capture); a port termprobe closed waits out TIME_WAIT: give a range for many. Not with "
                   "clients: they connect through termprobe's relay")
      ->check(parsed_check(parse_local_ports, "N[-M]"));
}

// --cert and --key load as every connection will load them, before any
// probe: a wrong file is one line and exit 2, not a run of failed probes.
bool usable_client_certificate(const TlsSettings& tls) {
  if (tls.cert_file.empty() && tls.key_file.empty()) return true;
  auto context = TlsContext::create(tls, {});
  if (context) return true;
  print_error(context.error().message);
  return false;
}

// A busy --local-port is the user's to change, said before any probe.
bool free_local_ports(const ProbeSpec& spec) {
  if (spec.local_ports.low == 0) return true;
  const int family = spec.ip_family == IpFamily::v6 ? AF_INET6 : AF_INET;
  auto free = local_ports_free(spec.local_ports, family);
  if (free) return true;
  print_error(free.error().message);
  return false;
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
      ->check(parsed_check(parse_resolve_override, "HOST:PORT:ADDRESS"));
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
  command
      ->add_option("--cert", o.cert,
                   "https: client certificate (PEM, chain after it) for a server that asks for one (mTLS)")
      ->check(CLI::ExistingFile);
  command
      ->add_option("--key", o.key, "https: the unencrypted PEM private key of --cert (default: in its file)")
      ->check(CLI::ExistingFile);
  command
      ->add_option("-u,--user", o.user,
                   "USER:PASSWORD as Basic credentials (as curl; over the URL's own); the password is "
                   "hidden in every output")
      ->check(CLI::Validator([](const std::string& text) { return user_problem(text).value_or(""); },
                             "USER:PASSWORD"));
  add_address_options(command, o);
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
  if (tls.cert_file.empty()) tls.cert_file = o.cert;
  if (tls.key_file.empty()) tls.key_file = o.key;
  spec.resolve.insert(spec.resolve.end(), o.resolve.begin(), o.resolve.end());
  spec.connect_to.insert(spec.connect_to.end(), o.connect_to.begin(), o.connect_to.end());
  if (spec.ip_family == IpFamily::any)
    spec.ip_family = o.ipv4 ? IpFamily::v4 : o.ipv6 ? IpFamily::v6 : IpFamily::any;
  if (spec.user.empty()) spec.user = o.user;
  if (spec.local_ports.low == 0 && !o.local_port.empty()) spec.local_ports = *parse_local_ports(o.local_port);
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
  return usable_client_certificate(tls) && free_local_ports(spec);
}

}  // namespace termprobe
