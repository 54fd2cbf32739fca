// The host as a server, in process, driven over 127.0.0.1: many clients at
// once, delay_ms waits that hold no thread, stopping with requests still
// waiting, the connection cap and streamed bodies. Also the suite that runs
// under ThreadSanitizer (scripts/test).
#include <dirent.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "loopback_client.h"
#include "module_host.h"

namespace termprobe_host {
namespace {

using namespace std::chrono_literals;
using termprobe_test::Ending;
using termprobe_test::get;
using termprobe_test::LoopbackClient;

std::unique_ptr<ModuleHost> start_host(std::size_t max_connections = 4096,
                                       std::chrono::milliseconds head_timeout = kDefaultRequestHeadTimeout) {
  unsetenv("TERMPROBE_TOKEN");
  unsetenv("TERMPROBE_PREFIX");
  HostOptions options{"127.0.0.1", 0, max_connections};
  options.request_head_timeout = head_timeout;
  auto host = ModuleHost::start(options);
  EXPECT_TRUE(host) << host.error();
  return host ? std::move(*host) : nullptr;
}

std::size_t open_files() {
  std::size_t count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
  }
  return count;
}

std::string body_of(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }

TEST(ModuleHost, AnswersManyClientsAtOnce) {
  auto host = start_host();
  std::vector<std::thread> clients;
  std::vector<int> answered(8, 0);
  for (std::size_t c = 0; c < answered.size(); ++c) {
    clients.emplace_back([&, c] {
      LoopbackClient client(host->port());
      for (int i = 0; i < 10; ++i) {
        client.received.clear();
        client.send(get("/termprobe/ok?bytes=100000"));
        client.read(10s, 100000);
        const auto head = client.received.find("\r\n\r\n");
        if (head == std::string::npos) return;
        client.read(10s, head + 4 + 100000);
        if (body_of(client.received) == std::string(100000, 'x')) ++answered[c];
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(answered, std::vector<int>(8, 10));
}

TEST(ModuleHost, DelayedRequestIsAnsweredAfterItsDelay) {
  auto host = start_host();
  LoopbackClient client(host->port());
  const auto sent = std::chrono::steady_clock::now();
  client.send(get("/termprobe/ok?delay_ms=300", "close"));
  EXPECT_EQ(client.read(10s), Ending::fin);
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 300ms);
  EXPECT_EQ(body_of(client.received), "termprobe ok\n");
}

TEST(ModuleHost, DelayedResetStillResetsBeforeAnyByte) {
  auto host = start_host();
  LoopbackClient client(host->port());
  client.send(get("/termprobe/reset?delay_ms=100"));
  EXPECT_EQ(client.read(10s), Ending::reset);
  EXPECT_EQ(client.received, "");
}

TEST(ModuleHost, WaitingRequestsHoldNoThread) {
  auto host = start_host();
  std::vector<std::unique_ptr<LoopbackClient>> waiting;
  for (unsigned i = 0; i < ModuleHost::kThreads + 4; ++i) {
    waiting.push_back(std::make_unique<LoopbackClient>(host->port()));
    waiting.back()->send(get("/termprobe/ok?delay_ms=30000"));
  }
  LoopbackClient quick(host->port());
  quick.send(get("/termprobe/ok", "close"));
  EXPECT_EQ(quick.read(5s), Ending::fin);
  EXPECT_EQ(body_of(quick.received), "termprobe ok\n");
}

TEST(ModuleHost, StopsAtOnceWithARequestWaitingInDelay) {
  auto host = start_host();
  LoopbackClient client(host->port());
  client.send(get("/termprobe/ok?delay_ms=30000"));
  std::this_thread::sleep_for(100ms);
  const auto stopping = std::chrono::steady_clock::now();
  host.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 500ms);
  EXPECT_EQ(client.read(2s), Ending::fin);
}

TEST(ModuleHost, AClientThatLeavesEndsItsWaitingRequest) {
  auto host = start_host();
  const auto before = open_files();
  {
    LoopbackClient client(host->port());
    client.send(get("/termprobe/ok?delay_ms=30000"));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(open_files(), before + 2) << "the client's socket and the host's";
  }
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (open_files() != before && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(open_files(), before) << "the host still holds the connection of a client that left";
}

// A slow head and a silent client are closed at the timeout, unanswered;
// a head that completes in time is answered, and so is a request that then
// waits in the module far longer than the timeout.
TEST(ModuleHost, ARequestHeadNotCompleteInTimeIsClosedUnanswered) {
  auto host = start_host(4096, 200ms);
  LoopbackClient slow(host->port());
  slow.send("GET /termprobe/ok HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  LoopbackClient silent(host->port());
  LoopbackClient waiting(host->port());
  waiting.send(get("/termprobe/ok?delay_ms=600", "close"));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(slow.read(5s), Ending::fin);
  EXPECT_EQ(silent.read(5s), Ending::fin);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(slow.received, "");
  EXPECT_EQ(silent.received, "");
  EXPECT_EQ(waiting.read(5s), Ending::fin);
  EXPECT_EQ(waiting.received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << waiting.received;
}

TEST(ModuleHost, RefusesConnectionsPastTheCapWith503) {
  auto host = start_host(2);
  std::vector<std::unique_ptr<LoopbackClient>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<LoopbackClient>(host->port()));
    held.back()->send(get("/termprobe/ok"));
    held.back()->read(5s, 1);  // answered: the host counts it
  }
  LoopbackClient refused(host->port());
  refused.send(get("/termprobe/ok"));
  EXPECT_EQ(refused.read(5s), Ending::fin);
  EXPECT_EQ(refused.received.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << refused.received;
  held.clear();
  std::this_thread::sleep_for(200ms);
  LoopbackClient later(host->port());
  later.send(get("/termprobe/ok", "close"));
  EXPECT_EQ(later.read(5s), Ending::fin);
  EXPECT_EQ(later.received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << "room again once clients left";
}

TEST(ModuleHost, StreamsALargeBodyWhole) {
  auto host = start_host();
  constexpr std::size_t kBytes = 16u << 20;
  LoopbackClient client(host->port());
  client.send(get("/termprobe/ok?bytes=16777216", "close"));
  EXPECT_EQ(client.read(30s), Ending::fin);
  const auto body = body_of(client.received);
  EXPECT_EQ(body.size(), kBytes);
  EXPECT_EQ(body.find_first_not_of('x'), std::string::npos);
}

}  // namespace
}  // namespace termprobe_host
