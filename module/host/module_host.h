// The Linux host: an HTTP/1.1 and HTTP/2 server that loads the termprobe
// module through its RegisterModule and runs every request (every HTTP/2
// stream) through it as IIS would. A plain port serves HTTP/1.1 and h2c
// with prior knowledge, told apart by the client's first bytes.
//
// Its limits: a fixed pool of threads (kThreads) serves every connection
// with asynchronous I/O, so idle connections, clients that do not read and
// requests waiting in delay_ms hold no thread; at most max_connections are
// open at once, and one more gets "503 Service Unavailable" and a close;
// response bodies go out from the module's memory, never copied whole;
// a connection whose request head (HTTP/1.1, or the h2c preface) is not
// complete within request_head_timeout of the host starting to wait for it
// is closed, so a client that never finishes its head does not hold a slot.
//
// With HostOptions::tls it serves HTTPS instead: the same connections over
// TLS 1.2 or 1.3, ALPN h2 (preferred) or http/1.1.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "tls_identity.h"

namespace termprobe_host {

inline constexpr std::chrono::milliseconds kDefaultRequestHeadTimeout{20'000};

struct HostOptions {
  std::string address = "127.0.0.1";   // listen address (numeric IPv4 or IPv6)
  unsigned short port = 0;             // 0 = an ephemeral port
  std::size_t max_connections = 4096;  // lowered to fit the open-file limit
  std::optional<TlsIdentity> tls{};    // serve HTTPS with this certificate; none = plain HTTP
  // From the connection's start (its TLS handshake included) or the end of
  // the previous response to the end of the next request head: longer, and
  // the host closes the connection without an answer (HTTP.sys's HeaderWait
  // and IdleConnection timers play this part; their 120 s are unverified here).
  std::chrono::milliseconds request_head_timeout = kDefaultRequestHeadTimeout;
};

class ModuleHost {
 public:
  static constexpr unsigned kThreads = 2;

  // Binds, registers the module and starts accepting. The error is one line.
  static tl::expected<std::unique_ptr<ModuleHost>, std::string> start(const HostOptions& options);
  // Stops at once: the threads end, every connection closes, requests still
  // running (a delay_ms wait included) are dropped.
  ~ModuleHost();
  ModuleHost(const ModuleHost&) = delete;
  ModuleHost& operator=(const ModuleHost&) = delete;

  unsigned short port() const;
  // "http://127.0.0.1:PORT" or "https://..." (IPv6 addresses in brackets).
  std::string base_url() const;
  // The cap in force: HostOptions::max_connections or less (open-file limit).
  std::size_t max_connections() const;

 private:
  struct Impl;
  explicit ModuleHost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace termprobe_host
