// The host's one TLS server context: its certificate and key, TLS 1.2 and
// up, and ALPN chosen from the protocols the host speaks.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "tls_identity.h"

namespace termprobe_host {

// ALPN protocols the host speaks, most preferred first. A client that offers
// ALPN but none of these gets the fatal alert no_application_protocol
// (RFC 7301, section 3.2); one that offers no ALPN speaks HTTP/1.1.
const std::vector<std::string_view>& alpn_protocols();

// The context every TLS connection of a host is made from. The error is one
// line that names the part of the identity at fault.
tl::expected<std::shared_ptr<boost::asio::ssl::context>, std::string> make_server_context(
    const TlsIdentity& identity);

}  // namespace termprobe_host
