#include "cli/serve_command.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <thread>

#include "cli/exit_status.h"
#include "cli/interrupt.h"
#include "module_host.h"

namespace termprobe {
namespace {

struct ListenAddress {
  std::string address;
  unsigned short port = 0;
};

std::optional<ListenAddress> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) return std::nullopt;
  std::string address = text.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  const std::string port_text = text.substr(colon + 1);
  if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5)
    return std::nullopt;
  const int port = std::stoi(port_text);
  if (port > 65535 || address.empty()) return std::nullopt;
  return ListenAddress{address, static_cast<unsigned short>(port)};
}

bool is_loopback(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, address.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, ServeOptions& o) {
  CLI::App* serve = app.add_subcommand("serve", "Run the bundled test module's Linux host in the foreground");
  serve->add_option("--listen", o.listen, "ADDRESS:PORT to listen on (port 0 = any free port)")
      ->capture_default_str();
  serve->add_flag("--allow-remote", o.allow_remote,
                  "Allow a non-loopback address: these endpoints reset connections on demand");
  serve->add_option("--token", o.token, "Require this X-Termprobe-Token header on the destructive endpoints");
  serve->add_option("--prefix", o.prefix, "Path prefix of the endpoints (default /termprobe/)");
  serve->footer(
      "Put it behind a reverse proxy or load balancer and point `termprobe run --target` at the proxy "
      "to see how the proxy turns each backend ending into what its clients see.");
  return serve;
}

int run_serve_command(const ServeOptions& options) {
  const auto listen = parse_listen(options.listen);
  if (!listen) {
    fmt::print(stderr,
               "termprobe: error: --listen '{}' is not ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)\n",
               options.listen);
    return kExitUsage;
  }
  if (!is_loopback(listen->address) && !options.allow_remote) {
    fmt::print(
        stderr,
        "termprobe: error: --listen {} is not a loopback address; these endpoints reset connections on "
        "demand, add --allow-remote if you mean it\n",
        listen->address);
    return kExitUsage;
  }
  if (!options.prefix.empty() && options.prefix.front() != '/') {
    fmt::print(stderr, "termprobe: error: --prefix must start with '/', e.g. /termprobe/\n");
    return kExitUsage;
  }
  // The module reads its settings from the environment, as it does in an IIS application pool.
  if (!options.token.empty()) setenv("TERMPROBE_TOKEN", options.token.c_str(), 1);
  if (!options.prefix.empty()) setenv("TERMPROBE_PREFIX", options.prefix.c_str(), 1);
  const auto& stop = install_stop_handlers();
  auto host = termprobe_host::ModuleHost::start({listen->address, listen->port});
  if (!host) {
    fmt::print(stderr, "termprobe: error: {}\n", host.error());
    return kExitUsage;
  }
  const std::string prefix = options.prefix.empty() ? "/termprobe/" : options.prefix;
  fmt::print("termprobe serve: listening on {}{} (Ctrl-C stops)\n", (*host)->base_url(), prefix);
  std::fflush(stdout);
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  host->reset();
  fmt::print("termprobe serve: stopped\n");
  return kExitSuccess;
}

}  // namespace termprobe
