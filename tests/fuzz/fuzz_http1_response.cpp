// The engine's response accounting on raw bytes, as a server can send
// anything: no crash, no unbounded buffering, and the same bytes give the
// same facts however the reads split them (one behaviour, one label).
// Input: the first byte picks a split point, the rest is what the server sent.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/http1_response.h"

namespace {

termprobe::ResponseFacts account(std::string_view bytes, std::size_t split, bool head, bool fin) {
  termprobe::Http1Response response(head);
  response.feed(bytes.substr(0, split));
  response.feed(bytes.substr(split));
  if (fin) response.end_of_input();
  return response.settled_facts();
}

bool same(const termprobe::ResponseFacts& a, const termprobe::ResponseFacts& b) {
  return a.status == b.status && a.interim_responses == b.interim_responses && a.bytes == b.bytes &&
         a.final_bytes == b.final_bytes && a.header_bytes == b.header_bytes && a.body_bytes == b.body_bytes &&
         a.declared_length == b.declared_length && a.chunked == b.chunked && a.complete == b.complete &&
         a.connection_close == b.connection_close && a.parse_error.empty() == b.parse_error.empty() &&
         a.first_bytes_hex == b.first_bytes_hex && a.bytes_after_complete == b.bytes_after_complete;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool head = (data[0] & 0x80) != 0;
  const bool fin = (data[0] & 0x40) != 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t split = bytes.empty() ? 0 : (data[0] & 0x3f) % (bytes.size() + 1);
  const auto whole = account(bytes, bytes.size(), head, fin);
  const auto split_up = account(bytes, split, head, fin);
  if (!same(whole, split_up)) __builtin_trap();
  if (whole.first_bytes_hex.size() > 2 * termprobe::kFirstBytes) __builtin_trap();
  return 0;
}
