// The capture check against packets this test records itself: a real
// connection on loopback (IPv4 and IPv6) that the server ends with an RST or
// a FIN, captured by LiveCapture, read back from the pcap it wrote, then
// checked against an entry telling the truth and against entries planted
// with a different ending, side or byte count: the check must tell them
// apart. Needs CAP_NET_RAW (root, as CI runs); skipped, saying so, without it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>

#include "capture/capture_check.h"
#include "capture/capture_target.h"
#include "capture/live_capture.h"
#include "probes/classifier.h"

namespace termprobe {
namespace {

constexpr std::string_view kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

struct Fd {
  int fd = -1;
  explicit Fd(int value) : fd(value) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

Endpoint endpoint_of(int fd, bool peer) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length)
       : getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  char text[INET6_ADDRSTRLEN] = {};
  Endpoint endpoint;
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    endpoint.port = ntohs(v6->sin6_port);
  } else {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    endpoint.port = ntohs(v4->sin_port);
  }
  endpoint.address = text;
  return endpoint;
}

// A listening socket on the loopback address of `family`, any port.
int listener(int family) {
  const int fd = socket(family, SOCK_STREAM, 0);
  sockaddr_storage address{};
  socklen_t length = 0;
  if (family == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_addr = in6addr_loopback;
    length = sizeof(*v6);
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof(*v4);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd, 1) != 0) return -1;
  return fd;
}

struct Recorded {
  Observation observation;    // what a truthful probe would have measured
  PacketConnections packets;  // the capture, read back from its file
};

// One connection: the server answers kResponse and ends it with an RST
// (SO_LINGER 0) or a FIN; the client reads to the end and closes after.
std::optional<Recorded> record_connection(int family, bool server_resets) {
  Fd server(listener(family));
  if (server.fd < 0) return std::nullopt;
  const Endpoint listening = endpoint_of(server.fd, false);
  const CapturePlace place = capture_place({{listening.address, listening.port}});
  std::string pcap;
  auto capture = LiveCapture::start(place.interface, place.filter, [&pcap](std::string_view bytes) {
    pcap.append(bytes);
    return Result<void>{};
  });
  if (!capture) {
    if (capture.error().kind == ErrorKind::invalid_input) return std::nullopt;  // no CAP_NET_RAW
    ADD_FAILURE() << capture.error().message;
    return std::nullopt;
  }
  Recorded recorded;
  Fd client(socket(family, SOCK_STREAM, 0));
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  getsockname(server.fd, reinterpret_cast<sockaddr*>(&address), &length);
  EXPECT_EQ(connect(client.fd, reinterpret_cast<sockaddr*>(&address), length), 0);
  {
    Fd accepted(accept(server.fd, nullptr, nullptr));
    EXPECT_EQ(send(accepted.fd, kResponse.data(), kResponse.size(), 0),
              static_cast<ssize_t>(kResponse.size()));
    if (server_resets) {
      const linger abort{1, 0};
      setsockopt(accepted.fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
    }
  }
  char buffer[256];
  std::int64_t received = 0;
  ssize_t got = 0;
  while ((got = recv(client.fd, buffer, sizeof(buffer), 0)) > 0) received += got;
  Observation& o = recorded.observation;
  o.local = endpoint_of(client.fd, false);
  o.remote = listening;
  o.connected = o.head_complete = o.request_complete = true;
  o.status = 200;
  o.response_complete = true;
  o.response_bytes = o.final_response_bytes = o.wire_bytes_received = received;
  o.end = got < 0 ? StreamEnd::rst : StreamEnd::fin;
  o.started_unix_us = 0;  // the capture holds one connection: it is found whatever the anchor
  auto stats = (*capture)->stop();
  EXPECT_TRUE(stats) << stats.error().message;
  std::FILE* file = fmemopen(pcap.data(), pcap.size(), "rb");
  auto read = read_packet_connections(file);
  EXPECT_TRUE(read) << read.error().message;
  if (!read) return std::nullopt;
  recorded.packets = std::move(*read);
  return recorded;
}

class CaptureCheckTest : public ::testing::TestWithParam<int> {};

TEST_P(CaptureCheckTest, ServerResetAgreesWithRstAndRefutesAPlantedFin) {
  auto recorded = record_connection(GetParam(), true);
  if (!recorded) GTEST_SKIP() << "no permission to capture on lo (needs CAP_NET_RAW)";
  const Observation& truth = recorded->observation;
  ASSERT_EQ(truth.end, StreamEnd::rst);
  CaptureCheck check = check_against_capture(truth, classify(truth), recorded->packets);
  ASSERT_TRUE(check.found);
  EXPECT_EQ(check.packet_end, StreamEnd::rst);
  EXPECT_TRUE(check.compared);
  EXPECT_TRUE(check.bytes_compared);
  EXPECT_TRUE(check.agrees) << check.why;
  EXPECT_EQ(check.packets.server_bytes, static_cast<std::int64_t>(kResponse.size()));
  EXPECT_TRUE(check.packets.server_end.rst_us.has_value());
  EXPECT_FALSE(check.packets.client_end.first_us().has_value());

  Observation planted = truth;  // the label says a clean close
  planted.end = StreamEnd::fin;
  check = check_against_capture(planted, classify(planted), recorded->packets);
  EXPECT_EQ(classify(planted).label, Label::close_after_response);
  EXPECT_TRUE(check.compared);
  EXPECT_FALSE(check.agrees);
  EXPECT_NE(check.why.find("the entry says fin, the packets say rst"), std::string::npos) << check.why;
}

TEST_P(CaptureCheckTest, ServerFinAgreesAndRefutesAPlantedOpenAndByteCount) {
  auto recorded = record_connection(GetParam(), false);
  if (!recorded) GTEST_SKIP() << "no permission to capture on lo (needs CAP_NET_RAW)";
  const Observation& truth = recorded->observation;
  ASSERT_EQ(truth.end, StreamEnd::fin);
  CaptureCheck check = check_against_capture(truth, classify(truth), recorded->packets);
  EXPECT_EQ(check.packet_end, StreamEnd::fin);
  EXPECT_TRUE(check.agrees) << check.why;

  Observation kept_open = truth;  // keepalive: the server never ended it
  kept_open.end = StreamEnd::open;
  check = check_against_capture(kept_open, classify(kept_open), recorded->packets);
  EXPECT_EQ(classify(kept_open).label, Label::keepalive);
  EXPECT_FALSE(check.agrees);
  EXPECT_NE(check.why.find("the entry says open, the packets say fin"), std::string::npos) << check.why;

  // "Open" speaks for the time the probe watched: a FIN after the watch
  // ended does not refute it; one inside it does.
  const PacketConnection& packets = *recorded->packets.find(truth.local, truth.remote, 0);
  const std::int64_t server_fin_unix_us = packets.syn_unix_us + *packets.server_end.fin_us;
  kept_open.started_unix_us = packets.syn_unix_us;
  kept_open.timings.ended_us = server_fin_unix_us - packets.syn_unix_us - 1;
  EXPECT_TRUE(check_against_capture(kept_open, classify(kept_open), recorded->packets).agrees);
  kept_open.timings.ended_us = server_fin_unix_us - packets.syn_unix_us + 1;
  EXPECT_FALSE(check_against_capture(kept_open, classify(kept_open), recorded->packets).agrees);

  Observation short_count = truth;  // the right ending, a wrong count of the server's bytes
  short_count.wire_bytes_received = 7;
  check = check_against_capture(short_count, classify(short_count), recorded->packets);
  EXPECT_FALSE(check.agrees);
  EXPECT_NE(check.why.find("the entry counts 7 bytes from the server, the packets 43 before its fin"),
            std::string::npos)
      << check.why;
}

TEST_P(CaptureCheckTest, AnEntryOfAnotherConnectionIsNotFound) {
  auto recorded = record_connection(GetParam(), false);
  if (!recorded) GTEST_SKIP() << "no permission to capture on lo (needs CAP_NET_RAW)";
  Observation other = recorded->observation;
  other.local.port = other.local.port == 1 ? 2 : 1;
  const CaptureCheck check = check_against_capture(other, classify(other), recorded->packets);
  EXPECT_FALSE(check.found);
  EXPECT_FALSE(check.compared);
  EXPECT_EQ(check.why, "the capture holds no packet of this connection");
}

INSTANTIATE_TEST_SUITE_P(Loopback, CaptureCheckTest, ::testing::Values(AF_INET, AF_INET6),
                         [](const auto& family) { return family.param == AF_INET6 ? "IPv6" : "IPv4"; });

}  // namespace
}  // namespace termprobe
