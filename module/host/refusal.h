// What a connection past the host's cap gets: "503 Service Unavailable" with
// "Connection: close", then a FIN. The host reads and drops what the client
// sends for at most a second first: closing with unread bytes would turn
// the FIN into a reset that can destroy the 503 before the client reads it.
#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace termprobe_host {

void refuse(boost::asio::ip::tcp::socket socket);

}  // namespace termprobe_host
