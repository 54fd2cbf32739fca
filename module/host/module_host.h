// The Linux host: an HTTP/1.1 server that loads the termprobe module through
// its RegisterModule and runs every request through it as IIS would.
#pragma once

#include <memory>
#include <string>

#include <tl/expected.hpp>

namespace termprobe_host {

struct HostOptions {
  std::string address = "127.0.0.1";  // listen address (numeric IPv4 or IPv6)
  unsigned short port = 0;            // 0 = an ephemeral port
};

class ModuleHost {
 public:
  // Binds, registers the module and starts accepting. The error is one line.
  static tl::expected<std::unique_ptr<ModuleHost>, std::string> start(const HostOptions& options);
  ~ModuleHost();  // stops accepting, shuts every connection down, joins
  ModuleHost(const ModuleHost&) = delete;
  ModuleHost& operator=(const ModuleHost&) = delete;

  unsigned short port() const;
  // "http://127.0.0.1:PORT" (IPv6 addresses in brackets).
  std::string base_url() const;

 private:
  struct Impl;
  explicit ModuleHost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace termprobe_host
