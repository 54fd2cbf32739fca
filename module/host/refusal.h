// What a connection past the host's cap gets: "503 Service Unavailable" with
// "Connection: close", then a FIN; an HTTP/2 client (ALPN h2, or an h2c
// preface as its first bytes) gets the server's SETTINGS and a GOAWAY
// instead: last stream 0 (none processed, safe to retry), REFUSED_STREAM,
// "connection limit reached". The host reads and drops what the client
// sends for at most a second first: closing with unread bytes would turn
// the FIN into a reset that can destroy the 503 before the client reads it.
// Over TLS the 503 follows the handshake and close_notify precedes the FIN;
// a client still handshaking after the second is closed on.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace termprobe_host {

// tls: the host's TLS context, or null for plain HTTP.
void refuse(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);

}  // namespace termprobe_host
