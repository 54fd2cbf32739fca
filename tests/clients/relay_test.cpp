// The relay in front of a scripted server, watched from both sides: each
// ending the server makes reaches the client as the same ending (FIN as
// FIN, RST as RST), each the client makes reaches the server the same, the
// relay ends nothing on its own, and its count and labels are the wire's.
#include "clients/relay.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>

#include "fixtures/loopback_server.h"
#include "fixtures/socket_io.h"

namespace termprobe {
namespace {

using fixtures::LoopbackServer;

constexpr std::string_view kRequest = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";
constexpr std::string_view kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

SocketAddress loopback(int port) {
  SocketAddress address{};
  auto* in = reinterpret_cast<sockaddr_in*>(&address);
  in->sin_family = AF_INET;
  in->sin_port = htons(static_cast<std::uint16_t>(port));
  in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Reads until the peer's FIN ("fin"), an RST ("rst") or 2 s of silence ("open").
std::string read_to_end(int fd, std::string& bytes) {
  char buffer[4096];
  while (true) {
    pollfd wait{fd, POLLIN, 0};
    if (poll(&wait, 1, 2000) <= 0) return "open";
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n > 0) bytes.append(buffer, static_cast<std::size_t>(n));
    if (n == 0) return "fin";
    if (n < 0) return errno == ECONNRESET ? "rst" : "error";
  }
}

// A server that reads one request head, answers with `answer`, then ends as told.
LoopbackServer::Script answer_then(std::string answer, std::string ending) {
  return [answer, ending](int fd, int stop_fd) {
    std::string head;
    char buffer[1024];
    while (head.find("\r\n\r\n") == std::string::npos && fixtures::wait_readable(fd, stop_fd, 2000)) {
      const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      head.append(buffer, static_cast<std::size_t>(n));
    }
    fixtures::send_all(fd, answer);
    if (ending == "rst") return fixtures::reset(fd);
    if (ending == "fin") return fixtures::fin_and_hold(fd, stop_fd);
    fixtures::hold_until_client_leaves(fd, stop_fd);
  };
}

struct RelayedRun {
  std::string client_saw;  // fin, rst or open
  std::string bytes;
  std::vector<ClientWire> wires;
};

RelayedRun through_relay(LoopbackServer& server, std::string_view request) {
  auto relay = Relay::start(loopback(server.port()), WireReading::http1);
  EXPECT_TRUE(relay.has_value());
  const int client = fixtures::connect_to_loopback((*relay)->listening().port);
  fixtures::send_all(client, request);
  RelayedRun run;
  run.client_saw = read_to_end(client, run.bytes);
  close(client);
  run.wires = (*relay)->stop();
  return run;
}

TEST(Relay, TheServersFinReachesTheClientAsAFinAfterItsBytes) {
  LoopbackServer server(answer_then(std::string(kResponse), "fin"));
  const RelayedRun run = through_relay(server, kRequest);
  EXPECT_EQ(run.client_saw, "fin");
  EXPECT_EQ(run.bytes, kResponse);
  ASSERT_EQ(run.wires.size(), 1u);
  EXPECT_EQ(run.wires[0].label, "close_after_response");
  EXPECT_EQ(run.wires[0].ending, StreamEnd::fin);
  EXPECT_EQ(run.wires[0].requests, 1);
  EXPECT_EQ(run.wires[0].response_bytes, static_cast<std::int64_t>(kResponse.size()));
}

TEST(Relay, TheServersRstReachesTheClientAsAnRstAfterItsBytes) {
  const std::string partial = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst";
  LoopbackServer server(answer_then(partial, "rst"));
  const RelayedRun run = through_relay(server, kRequest);
  EXPECT_EQ(run.client_saw, "rst");
  EXPECT_EQ(run.bytes, partial);
  ASSERT_EQ(run.wires.size(), 1u);
  EXPECT_EQ(run.wires[0].label, "reset_mid_response");
}

TEST(Relay, AnRstBeforeAnyByteIsAnRstBeforeAnyByte) {
  LoopbackServer server(answer_then("", "rst"));
  const RelayedRun run = through_relay(server, kRequest);
  EXPECT_EQ(run.client_saw, "rst");
  EXPECT_EQ(run.bytes, "");
  EXPECT_EQ(run.wires.at(0).label, "reset_before_response");
}

TEST(Relay, ItNeverEndsAConnectionTheServerKeepsOpen) {
  LoopbackServer server(answer_then(std::string(kResponse), "open"));
  const RelayedRun run = through_relay(server, kRequest);
  EXPECT_EQ(run.client_saw, "open");  // 2 s without a FIN or RST from the relay
  ASSERT_EQ(run.wires.size(), 1u);
  EXPECT_EQ(run.wires[0].label, "keepalive");
  EXPECT_TRUE(run.wires[0].client_closed_first);
}

TEST(Relay, TheClientsFinReachesTheServerAsAFin) {
  std::atomic<int> server_saw{-2};  // what the server's read returned after the client's FIN
  LoopbackServer server([&](int fd, int stop_fd) {
    char buffer[256];
    ssize_t n = 1;
    while (n > 0 && fixtures::wait_readable(fd, stop_fd, 2000)) n = recv(fd, buffer, sizeof(buffer), 0);
    server_saw = n < 0 ? -errno : static_cast<int>(n);
    close(fd);
  });
  auto relay = Relay::start(loopback(server.port()), WireReading::http1);
  ASSERT_TRUE(relay.has_value());
  const int client = fixtures::connect_to_loopback((*relay)->listening().port);
  fixtures::send_all(client, "GET / HTTP/1.1\r\n");
  shutdown(client, SHUT_WR);
  for (int i = 0; i < 200 && server_saw == -2; ++i) fixtures::sleep_ms(10);
  EXPECT_EQ(server_saw, 0);  // a FIN, not an RST
  close(client);
  (*relay)->stop();
}

TEST(Relay, ARetryOnAFreshConnectionCountsAsTwoConnectionsAndTwoRequests) {
  LoopbackServer server(answer_then("", "fin"));
  auto relay = Relay::start(loopback(server.port()), WireReading::http1);
  ASSERT_TRUE(relay.has_value());
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int client = fixtures::connect_to_loopback((*relay)->listening().port);
    fixtures::send_all(client, kRequest);
    std::string bytes;
    EXPECT_EQ(read_to_end(client, bytes), "fin");
    close(client);
  }
  const auto wires = (*relay)->stop();
  ASSERT_EQ(wires.size(), 2u);
  for (const ClientWire& wire : wires) {
    EXPECT_EQ(wire.label, "empty_reply");
    EXPECT_EQ(wire.requests, 1);
  }
}

TEST(Relay, TlsAndH2cBytesGoThroughUnreadWithTheirTcpEnding) {
  LoopbackServer server(answer_then(std::string(kResponse), "fin"));
  auto relay = Relay::start(loopback(server.port()), WireReading::opaque);
  ASSERT_TRUE(relay.has_value());
  const int client = fixtures::connect_to_loopback((*relay)->listening().port);
  fixtures::send_all(client, kRequest);
  std::string bytes;
  EXPECT_EQ(read_to_end(client, bytes), "fin");
  close(client);
  const auto wires = (*relay)->stop();
  ASSERT_EQ(wires.size(), 1u);
  EXPECT_EQ(wires[0].label, "");
  EXPECT_FALSE(wires[0].requests.has_value());
  EXPECT_EQ(wires[0].ending, StreamEnd::fin);
}

TEST(Relay, AnUnreachableServerGivesTheClientAnRstAndSaysRefused) {
  int port = 0;
  const int listener = fixtures::listen_on_loopback(port);
  close(listener);  // nothing listens there now
  auto relay = Relay::start(loopback(port), WireReading::http1);
  ASSERT_TRUE(relay.has_value());
  const int client = fixtures::connect_to_loopback((*relay)->listening().port);
  std::string bytes;
  EXPECT_EQ(read_to_end(client, bytes), "rst");
  close(client);
  const auto wires = (*relay)->stop();
  ASSERT_EQ(wires.size(), 1u);
  EXPECT_EQ(wires[0].ending, StreamEnd::refused);
}

}  // namespace
}  // namespace termprobe
