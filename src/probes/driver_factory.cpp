#include "probes/driver_factory.h"

#include "probes/http1_exchange.h"
#include "probes/http2_session.h"
#include "probes/tls_layer.h"

namespace termprobe {
namespace {

std::unique_ptr<ConnectionDriver> make_http_driver(const PreparedSpec& prepared, bool http2) {
  if (http2)
    return std::make_unique<Http2Session>(*prepared.spec, prepared.http2_fields, prepared.keep_response_head);
  return std::make_unique<Http1Exchange>(*prepared.spec, prepared.request_head, prepared.http1_fields,
                                         prepared.keep_response_head);
}

}  // namespace

std::unique_ptr<ConnectionDriver> make_connection_driver(const PreparedSpec& prepared) {
  if (!prepared.tls)
    return make_http_driver(prepared, prepared.spec->http == HttpMode::http2_prior_knowledge);
  // The protocol inside follows from what the server chose by ALPN; a server
  // that chose none speaks HTTP/1.1 (RFC 7301 §3.2).
  return std::make_unique<TlsLayer>(
      prepared.tls_context, prepared.server_name,
      [&prepared](std::string_view alpn) { return make_http_driver(prepared, alpn == "h2"); });
}

}  // namespace termprobe
