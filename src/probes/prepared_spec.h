// What a planned spec needs at every start, worked out once per spec and
// shared by all its probes (and by every loop thread, read-only).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "probes/header_field.h"
#include "probes/probe_spec.h"
#include "probes/tcp_socket.h"
#include "probes/tls_context.h"

namespace termprobe {

struct PreparedSpec {
  const ProbeSpec* spec = nullptr;
  std::vector<SocketAddress> addresses;  // empty when resolution failed
  std::string resolve_error;             // why there are no addresses
  std::string request_head;              // HTTP/1.1 request head, shared by every probe of the spec
  // Its header fields, as HTTP/1.1 and as HTTP/2 carry them (HTTP/2 only
  // when the spec may use it); each connection's observation shares the
  // ones its protocol sent.
  std::shared_ptr<const std::vector<HeaderField>> http1_fields;
  std::shared_ptr<const std::vector<HeaderField>> http2_fields;
  bool keep_response_head = false;          // keep each response's head as received (EngineOptions)
  bool tls = false;                         // https
  std::shared_ptr<TlsContext> tls_context;  // https: trust, versions, ALPN
  std::string server_name;                  // https: the URL's host without brackets (SNI, name check)
};

}  // namespace termprobe
