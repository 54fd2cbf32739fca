// The HTTP/2 session on whatever a server sends (h2c prior knowledge, as
// behind TLS the same session reads the decrypted bytes): no crash, no
// sanitizer report, every stream's facts recordable and classifiable, and
// the client's output drained as the kernel would take it between reads.
// Input: byte 0: bits 0-1 streams - 1, bit 2 a POST with a body, bit 3 a FIN
// after the bytes, bit 4 a second round once the first is done; byte 1: how
// many bytes each read gives (1 + its value); the rest: the server's bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/target_url.h"
#include "probes/classifier.h"
#include "probes/http2_session.h"

namespace {

using termprobe::Http2Session;

// The client's bytes leave as the kernel would take them; bounded, as a
// session that always has output would be a hang of its own.
void drain(Http2Session& session, std::int64_t now_us) {
  for (int turn = 0; turn < 256; ++turn) {
    const std::string_view out = session.output(now_us);
    if (out.empty()) return;
    session.output_sent(out.size(), now_us);
  }
}

void feed(Http2Session& session, std::string_view bytes, std::size_t step, std::int64_t& now_us) {
  while (!bytes.empty()) {
    const std::string_view piece = bytes.substr(0, step);
    bytes.remove_prefix(piece.size());
    session.input(piece, ++now_us);
    drain(session, now_us);
  }
}

void record_every_stream(const Http2Session& session, std::int64_t received) {
  for (std::size_t stream = 0; stream < session.exchange_count(); ++stream) {
    termprobe::Observation o;
    o.connected = true;
    o.end = termprobe::StreamEnd::fin;
    session.record(o, stream);
    session.record_wire(o, termprobe::TcpCounts{received, 0, 0, 0});
    if (o.body_bytes < 0 || o.response_bytes < 0) __builtin_trap();
    (void)termprobe::classify(o);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  termprobe::ProbeSpec spec;
  spec.url = "http://127.0.0.1/x";
  spec.http = termprobe::HttpMode::http2_prior_knowledge;
  spec.streams = 1 + (data[0] & 3);
  if ((data[0] & 4) != 0) {
    spec.method = "POST";
    spec.body_bytes = 70000;  // more than the initial window: WINDOW_UPDATE matters
  }
  const auto url = termprobe::parse_target_url(spec.url);
  if (!url) __builtin_trap();
  const auto fields = std::make_shared<const std::vector<termprobe::HeaderField>>(
      termprobe::http2_request_fields(spec, *url));
  Http2Session session(spec, fields);
  std::int64_t now_us = 0;
  drain(session, now_us);
  const std::size_t step = 1 + data[1];
  std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);
  if ((data[0] & 16) != 0) {
    // Half the bytes for the first round; a second round on the same session when it was done.
    const std::string_view first = bytes.substr(0, bytes.size() / 2);
    feed(session, first, step, now_us);
    bytes.remove_prefix(first.size());
    if (session.response_done() && session.accepts_next_request()) {
      record_every_stream(session, static_cast<std::int64_t>(first.size()));
      session.begin_next_request(++now_us);
      drain(session, now_us);
    }
  }
  feed(session, bytes, step, now_us);
  if ((data[0] & 8) != 0) session.input_ended(++now_us);
  (void)session.response_done();
  record_every_stream(session, static_cast<std::int64_t>(size - 2));
  return 0;
}
