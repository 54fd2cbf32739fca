// What one probe sends and how long it may take.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace termprobe {

// How an https probe sets up TLS; curl's options and meaning.
struct TlsSettings {
  bool insecure = false;    // -k: complete the handshake whatever the certificate says
  std::string ca_file;      // --cacert: PEM bundle to trust instead of the system's
  std::string min_version;  // --tls-min: "1.2" or "1.3"; empty = OpenSSL's default
  std::string max_version;  // --tls-max: "1.2" or "1.3"; empty = the newest
  std::string cert_file;    // --cert: PEM client certificate (chain) for servers that ask for one (mTLS)
  std::string key_file;     // --key: its PEM private key; empty = in cert_file, as curl reads it
  bool operator==(const TlsSettings&) const = default;
};

// Which addresses of a name the probe connects to: curl's -4 and -6.
enum class IpFamily { any, v4, v6 };

// curl's --local-port N[-M]: the client's own port, from this range.
struct LocalPorts {
  int low = 0;   // 0: the kernel's choice
  int high = 0;  // inclusive; equal to low for one port
  bool operator==(const LocalPorts&) const = default;
};

// Which HTTP the probe speaks; curl's --http2 and --http2-prior-knowledge.
enum class HttpMode {
  http1,  // HTTP/1.1
  http2,  // https: offer h2 by ALPN, fall back to HTTP/1.1 when the server declines; http: HTTP/1.1
  http2_prior_knowledge,  // HTTP/2 from the first byte (h2c; over https, ALPN h2 only)
};

struct ProbeSpec {
  std::string url;                   // http:// or https:// (validated by parse_target_url)
  std::string method = "GET";        // request method; HEAD asks for no body
  std::vector<std::string> headers;  // extra request headers, "Name: value"
  std::int64_t body_bytes = 0;       // synthetic request body size in bytes ('x' repeated); 0 = none
  std::string body;                  // exact request body; when set, body_bytes is ignored
  std::string body_type;             // the body's Content-Type; empty = application/octet-stream
  std::int64_t upload_rate = 0;      // request body send rate in bytes/s; 0 = unlimited
  std::chrono::milliseconds connect_timeout{5000};  // deadline for the TCP (and TLS) handshake
  std::chrono::milliseconds timeout{10000};         // deadline for the whole request/response
  std::chrono::milliseconds watch{1000};            // how long to watch after a complete response
  // After the server's FIN, how long to keep watching for an RST behind it
  // (what turns a clean close into a client's "broken pipe").
  std::chrono::milliseconds fin_watch{100};
  // Reuse probe: after the first complete response, stay idle this long, then
  // send the same request again on the same connection and observe that one.
  std::optional<std::chrono::milliseconds> reuse_after;
  // When the target is IPv4 loopback: bind the client socket to 127.0.0.N
  // (1..254; 0 = let the kernel choose). Spreading source addresses keeps
  // client-side TIME_WAIT from exhausting one address's ephemeral ports.
  int loopback_source = 0;
  TlsSettings tls;  // https only
  HttpMode http = HttpMode::http1;
  int streams = 1;  // HTTP/2: concurrent streams (requests) per connection, each its own report entry
  // Requests per connection, one round after another as each is answered
  // (HTTP/2: `streams` streams a round); every round but the last is
  // reported as the server left the connection for the next: open.
  int rounds = 1;
  // --resolve HOST:PORT:ADDRESS entries: connect there instead of resolving
  // HOST, while the Host header and the TLS server name stay HOST.
  std::vector<std::string> resolve;
  // --connect-to HOST1:PORT1:HOST2:PORT2 entries: connect to HOST2:PORT2
  // for HOST1:PORT1 (either may be empty: any), URL and names unchanged.
  std::vector<std::string> connect_to;
  IpFamily ip_family = IpFamily::any;  // -4 / -6
  LocalPorts local_ports;              // --local-port
  // -u USER:PASSWORD: Basic credentials, sent as curl sends them (the URL's
  // own user and password give way; an Authorization header of the user's
  // wins over both). A secret: outputs show the Authorization field redacted.
  std::string user;
  // Every field equal: the same request, sent the same way (what the command
  // line and a check file must agree on).
  bool operator==(const ProbeSpec&) const = default;
};

}  // namespace termprobe
