#include "cli/serve_command.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <thread>

#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/interrupt.h"
#include "cli/option_checks.h"
#include "module_host.h"
#include "report/input_checks.h"

namespace termprobe {
namespace {

struct ListenAddress {
  std::string address;
  unsigned short port = 0;
};

constexpr NumberRule kPortRule{.low = 0, .high = 65535, .unit = "", .whole = true};
constexpr NumberRule kRequestHeadTimeoutRule{.low = 0.1, .high = 3600, .unit = "seconds"};

// ADDRESS:PORT or [IPv6]:PORT. An IPv6 address without brackets has no
// port to find: "::1" would otherwise read as address ":" and port 1.
Result<ListenAddress> parse_listen(const std::string& text) {
  const auto bad = [&](const std::string& why) { return fail(ErrorKind::invalid_input, why); };
  std::string address;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return bad("no ']' after the IPv6 address (e.g. [::1]:8080)");
    address = text.substr(1, close - 1);
    if (text.compare(close + 1, 1, ":") != 0) return bad("the port is missing (e.g. [::1]:8080)");
    port = text.substr(close + 2);
  } else if (std::count(text.begin(), text.end(), ':') > 1) {
    return bad("the port is missing, or the IPv6 address needs brackets (e.g. [::1]:8080)");
  } else {
    const auto colon = text.find(':');
    if (colon == std::string::npos) return bad("the port is missing (e.g. 127.0.0.1:8080)");
    address = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (address.empty()) return bad("the address is missing (e.g. 127.0.0.1:8080 or [::1]:8080)");
  if (port.empty()) return bad("the port is missing (e.g. 127.0.0.1:8080 or [::1]:8080)");
  auto number = parse_number(port, kPortRule);
  if (!number) return bad("port " + number.error().message);
  return ListenAddress{address, static_cast<unsigned short>(*number)};
}

bool is_loopback(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, address.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string describe_tls(const HostTlsOptions& tls) {
  const std::string written = tls.write_cert.empty() ? "" : fmt::format(", written to {}", tls.write_cert);
  if (!tls.cert_file.empty())
    return fmt::format("TLS with the certificate of --cert {}{}", tls.cert_file, written);
  return fmt::format("TLS with a self-signed certificate for localhost, 127.0.0.1 and ::1, valid 7 days{}",
                     written);
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, ServeOptions& o) {
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Run the bundled test module's Linux host in the foreground: HTTP/1.1 and h2c (prior knowledge) on "
      "one port; with --tls, HTTPS with h2 or http/1.1 by ALPN");
  serve->add_option("--listen", o.listen, "ADDRESS:PORT to listen on (port 0 = any free port)")
      ->capture_default_str();
  serve->add_flag("--allow-remote", o.allow_remote,
                  "Allow a non-loopback address: these endpoints reset connections on demand");
  serve->add_option("--token", o.token, "Require this X-Termprobe-Token header on the destructive endpoints");
  serve->add_option("--prefix", o.prefix, "Path prefix of the endpoints (default /termprobe/)");
  serve
      ->add_option("--max-connections", o.max_connections,
                   "Connections open at once; one more is answered 503 and closed (lowered to fit the "
                   "open-file limit)")
      ->transform(number_check({.low = 1, .high = 1'000'000, .unit = "connections", .whole = true}))
      ->capture_default_str();
  serve
      ->add_option("--request-head-timeout", o.request_head_timeout_s,
                   "Seconds from a connection's start (TLS handshake included), or from the end of its "
                   "previous response, to the end of its next request head (HTTP/1.1) or the h2c preface; "
                   "later, the connection is closed without an answer")
      ->transform(number_check(kRequestHeadTimeoutRule))
      ->capture_default_str();
  add_host_tls_options(serve, o.tls);
  serve->footer(
      "Put it behind a reverse proxy or load balancer and point `termprobe run --target` at the proxy "
      "to see how the proxy turns each backend ending into what its clients see.");
  return serve;
}

int run_serve_command(const ServeOptions& options) {
  const auto listen = parse_listen(options.listen);
  if (!listen) {
    print_error(fmt::format("--listen {}: {}", options.listen, listen.error().message));
    return kExitUsage;
  }
  if (!is_loopback(listen->address) && !options.allow_remote) {
    print_error(
        fmt::format("--listen {}: {} is not a loopback address; these endpoints reset connections on "
                    "demand, add --allow-remote if you mean it",
                    options.listen, listen->address));
    return kExitUsage;
  }
  if (!options.prefix.empty() && options.prefix.front() != '/') {
    print_error("--prefix must start with '/', e.g. /termprobe/");
    return kExitUsage;
  }
  // The module reads its settings from the environment, as it does in an IIS application pool.
  if (!options.token.empty()) setenv("TERMPROBE_TOKEN", options.token.c_str(), 1);
  if (!options.prefix.empty()) setenv("TERMPROBE_PREFIX", options.prefix.c_str(), 1);
  auto identity = host_identity(options.tls);
  if (!identity) return exit_with(identity.error());
  const auto& stop = install_stop_handlers();
  termprobe_host::HostOptions host_options{listen->address, listen->port, options.max_connections};
  host_options.tls = *identity;
  host_options.request_head_timeout = seconds_to_ms(options.request_head_timeout_s);
  auto host = termprobe_host::ModuleHost::start(host_options);
  if (!host) {
    print_error(host.error());
    return kExitUsage;
  }
  // Written before the URL is printed: a client that sees the URL finds the file.
  if (!options.tls.write_cert.empty()) {
    if (auto written = write_certificate(options.tls.write_cert, **identity); !written)
      return exit_with(written.error());
  }
  const std::string prefix = options.prefix.empty() ? "/termprobe/" : options.prefix;
  fmt::print("termprobe serve: listening on {}{} (up to {} connections; Ctrl-C stops)\n", (*host)->base_url(),
             prefix, (*host)->max_connections());
  if (*identity) fmt::print("termprobe serve: {}\n", describe_tls(options.tls));
  std::fflush(stdout);
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  host->reset();
  fmt::print("termprobe serve: stopped\n");
  return kExitSuccess;
}

}  // namespace termprobe
