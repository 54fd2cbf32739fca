// libFuzzer target: arbitrary bytes as one client's request stream to the
// module host, over 127.0.0.1, through the host's whole path (Beast's parser,
// the connection, the module's notifications, the writes). The client then
// half-closes and reads; the host must answer or close within seconds.
// Inputs that start with 0xFF are sent as HTTP/2 frames after the h2c
// preface instead, through nghttp2's server session and the host's streams.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "loopback_client.h"
#include "module_host.h"

namespace {

using namespace std::chrono_literals;

termprobe_host::ModuleHost& host() {
  // One host for the whole run, never destroyed: it outlives every input.
  static termprobe_host::ModuleHost* const running = [] {
    unsetenv("TERMPROBE_TOKEN");
    unsetenv("TERMPROBE_PREFIX");
    auto started = termprobe_host::ModuleHost::start({"127.0.0.1", 0, 256});
    if (!started) {
      std::fprintf(stderr, "fuzz_module_host: %s\n", started.error().c_str());
      std::abort();
    }
    return started->release();
  }();
  return *running;
}

// Hundreds of thousands of connections: a source address of its own for
// every few hundred of them, so TIME_WAIT never runs out of ports.
std::uint8_t next_source() {
  static unsigned count = 0;
  return static_cast<std::uint8_t>(1 + (count++ / 256) % 250);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  termprobe_test::LoopbackClient client(host().port(), next_source());
  if (!client.connected()) {
    std::perror("fuzz_module_host: connect to the host");
    std::abort();
  }
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && static_cast<unsigned char>(input.front()) == 0xFF) {
    client.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    input.remove_prefix(1);
  }
  client.send(input);  // may fail: the host may reset
  client.finish_sending();
  // Enough to see any answer; a longer body (bytes=) is cut off by the close.
  constexpr std::size_t kEnough = 1 << 20;
  const auto ending = client.read(5s, kEnough);
  if (ending == termprobe_test::Ending::open && client.received.size() < kEnough) {
    std::fprintf(stderr, "fuzz_module_host: no answer and no close 5 s after the request stream ended\n");
    std::abort();
  }
  return 0;
}
