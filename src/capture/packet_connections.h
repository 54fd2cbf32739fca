// A capture file read back: each TCP connection it holds and how each side
// ended it, by the packets alone (no label, no classifier).
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "capture/tcp_segment.h"
#include "common/error.h"

namespace termprobe {

// The first FIN and the first RST one side sent, µs after the connection's SYN.
struct SideEnding {
  std::optional<std::int64_t> fin_us;
  std::optional<std::int64_t> rst_us;
  // The earlier of the two: when this side first ended the connection.
  std::optional<std::int64_t> first_us() const;
};

struct PacketConnection {
  Endpoint client;                // the side that sent the SYN
  Endpoint server;                // the side it was sent to
  std::int64_t syn_unix_us = 0;   // the client's first SYN, µs since the Unix epoch
  bool established = false;       // the server answered the SYN with SYN-ACK
  SideEnding client_end;          // what the client (the probe) sent
  SideEnding server_end;          // what the server sent
  std::int64_t server_bytes = 0;  // server payload bytes before its first FIN or RST (by sequence number,
                                  // so a retransmission counts once)
  std::uint32_t server_isn = 0;   // the server's initial sequence number, from its SYN-ACK
};

class PacketConnections {
 public:
  // Segments in capture order.
  void add(const TcpSegment& segment);
  // The connection local → remote whose SYN is the latest at or before
  // `anchor_unix_us` (the entry's connect time), else the earliest after it:
  // a port reused later is another connection. nullptr when none.
  const PacketConnection* find(const Endpoint& local, const Endpoint& remote,
                               std::int64_t anchor_unix_us) const;
  std::size_t size() const { return connections_.size(); }

 private:
  PacketConnection* latest(const TcpSegment& segment, bool& from_client);
  std::vector<PacketConnection> connections_;
  std::map<std::string, std::vector<std::size_t>> by_tuple_;  // client→server key: indexes, in SYN order
};

// Reads a pcap or pcapng file (libpcap's pcap_fopen_offline, which takes the
// FILE and closes it); ErrorKind::io with libpcap's reason when it cannot.
Result<PacketConnections> read_packet_connections(std::FILE* file);
Result<PacketConnections> read_packet_connections(const std::string& path);

}  // namespace termprobe
