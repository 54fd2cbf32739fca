#include "capture/packet_connections.h"

#include <pcap/pcap.h>

#include <algorithm>

namespace termprobe {
namespace {

std::string tuple_key(const Endpoint& client, const Endpoint& server) {
  return client.address + "|" + std::to_string(client.port) + "|" + server.address + "|" +
         std::to_string(server.port);
}

void note_first(std::optional<std::int64_t>& slot, std::int64_t at_us) {
  if (!slot) slot = at_us;
}

// Payload up to the segment's end, counted from the byte after the SYN;
// unsigned arithmetic keeps a sequence wrap-around right. Only segments that
// carry data count: an RST's sequence number need not be the stream's.
void count_server_bytes(PacketConnection& c, const TcpSegment& s) {
  if (!c.established || c.server_end.first_us() || s.payload == 0) return;
  const std::uint32_t end = s.seq + s.payload - (c.server_isn + 1);
  c.server_bytes = std::max<std::int64_t>(c.server_bytes, end);
}

void note_ending(SideEnding& side, const TcpSegment& s, std::int64_t at_us) {
  if (s.flags & kTcpFin) note_first(side.fin_us, at_us);
  if (s.flags & kTcpRst) note_first(side.rst_us, at_us);
}

}  // namespace

std::optional<std::int64_t> SideEnding::first_us() const {
  if (fin_us && rst_us) return std::min(*fin_us, *rst_us);
  return fin_us ? fin_us : rst_us;
}

PacketConnection* PacketConnections::latest(const TcpSegment& s, bool& from_client) {
  for (const bool forward : {true, false}) {
    const auto found =
        by_tuple_.find(forward ? tuple_key(s.source, s.destination) : tuple_key(s.destination, s.source));
    if (found == by_tuple_.end()) continue;
    from_client = forward;
    return &connections_[found->second.back()];
  }
  return nullptr;
}

void PacketConnections::add(const TcpSegment& s) {
  bool from_client = false;
  PacketConnection* c = latest(s, from_client);
  const bool syn_only = (s.flags & (kTcpSyn | kTcpAck)) == kTcpSyn;
  // A retransmitted SYN belongs to the attempt it repeats.
  const bool repeated_syn = c && from_client && !c->established && !c->server_end.first_us();
  if (syn_only && !repeated_syn) {
    by_tuple_[tuple_key(s.source, s.destination)].push_back(connections_.size());
    PacketConnection& opened = connections_.emplace_back();
    opened.client = s.source;
    opened.server = s.destination;
    opened.syn_unix_us = s.unix_us;
    return;
  }
  if (!c) return;  // begun before the capture: not one of the probe's
  const std::int64_t at_us = s.unix_us - c->syn_unix_us;
  if (from_client) return note_ending(c->client_end, s, at_us);
  if ((s.flags & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck) && !c->established) {
    c->established = true;
    c->server_isn = s.seq;
    return;
  }
  count_server_bytes(*c, s);
  note_ending(c->server_end, s, at_us);
}

const PacketConnection* PacketConnections::find(const Endpoint& local, const Endpoint& remote,
                                                std::int64_t anchor_unix_us) const {
  const auto found = by_tuple_.find(tuple_key(local, remote));
  if (found == by_tuple_.end()) return nullptr;
  const PacketConnection* chosen = nullptr;
  for (const std::size_t index : found->second) {
    const PacketConnection& c = connections_[index];
    if (c.syn_unix_us <= anchor_unix_us || !chosen) chosen = &c;
  }
  return chosen;
}

Result<PacketConnections> read_packet_connections(std::FILE* file) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO, error);
  if (!pcap) {
    std::fclose(file);
    return fail(ErrorKind::io, std::string("cannot read the capture: ") + error);
  }
  const int link_type = pcap_datalink(pcap);
  PacketConnections connections;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int read = 0;
  while ((read = pcap_next_ex(pcap, &header, &data)) == 1) {
    const std::int64_t unix_us = std::int64_t{header->ts.tv_sec} * 1'000'000 + header->ts.tv_usec;
    if (auto segment = parse_tcp_segment(link_type, {data, header->caplen}, unix_us))
      connections.add(*segment);
  }
  std::string problem = read == PCAP_ERROR ? pcap_geterr(pcap) : "";
  pcap_close(pcap);
  if (!problem.empty()) return fail(ErrorKind::io, "cannot read the capture: " + problem);
  return connections;
}

Result<PacketConnections> read_packet_connections(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return fail(ErrorKind::io, "cannot open the capture '" + path + "'");
  return read_packet_connections(file);
}

}  // namespace termprobe
