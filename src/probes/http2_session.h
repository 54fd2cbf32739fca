// The HTTP/2 driver: nghttp2's client session on the engine's socket, fed
// and drained through memory (mem_recv/mem_send), so the engine decides
// when bytes move. N streams of the spec's request on one connection, each
// reported as its own exchange. Frame-level facts (RST_STREAM and GOAWAY
// codes, SETTINGS) come from nghttp2's frame callbacks: a stream's close
// alone cannot tell RST_STREAM(NO_ERROR) from a clean end.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probes/connection_driver.h"
#include "probes/http2_frames.h"
#include "probes/request_fields.h"

using nghttp2_session = struct nghttp2_session;

namespace termprobe {

// The request as HTTP/2 header fields (:method, :scheme, :authority, :path,
// then the spec's fields in lower case, minus those HTTP/2 forbids).
std::vector<HeaderField> http2_request_fields(const ProbeSpec& spec, const TargetUrl& url);

class Http2Session final : public ConnectionDriver {
 public:
  // fields: the spec's prepared request, shared with the report; keep_head:
  // record each response's header fields as received.
  Http2Session(const ProbeSpec& spec, std::shared_ptr<const std::vector<HeaderField>> fields,
               bool keep_head = false);
  ~Http2Session() override;
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  std::string_view output(std::int64_t now_us) override;
  std::optional<std::int64_t> output_resumes_us() const override;
  void output_sent(std::size_t bytes, std::int64_t now_us) override;
  void input(std::string_view bytes, std::int64_t now_us) override;
  void input_ended(std::int64_t now_us) override;
  bool response_done() const override;
  bool close_announced() const override { return false; }  // GOAWAY is recorded, the watch decides
  std::size_t exchange_count() const override { return round_.size(); }
  void record(Observation& o, std::size_t exchange) const override;
  // Each stream counts its own bytes received; only the acknowledgement is the connection's.
  void record_wire(Observation& o, const TcpCounts& tcp) const override;
  bool accepts_next_request() const override {
    return goaways_total_ == 0 && local_error_.empty() && violation_.empty();
  }
  // A reused connection: the spec's streams again, on this session.
  void begin_next_request(std::int64_t now_us) override;

  struct Stream;  // one request and its response (http2_session.cpp)
  struct Callbacks;

 private:
  void submit_streams();
  void check_server_preface(std::string_view bytes);
  void serialize(std::size_t limit);
  void credit_taken(std::int64_t from, std::int64_t now_us);
  void feed_frame(std::string_view bytes);
  void note_nghttp2_ended();
  void credit_refused_block(const Http2Frame& frame);
  void follow_header_block(const Http2Frame& frame, bool record);
  void read_frame(const Http2Frame& frame);
  Stream* still_answering(std::int32_t id) const;
  enum class LengthProblem { shorter, longer };
  std::optional<LengthProblem> declared_length_problem(const Stream& s) const;
  Stream* find(std::int32_t id) const;
  bool frame_too_long(std::string_view header);
  std::string violation_text(const std::string& code, const char* frame) const;
  void stop_on_violation(std::string text);
  std::vector<Http2Goaway> kept_goaways() const;

  const ProbeSpec& spec_;
  bool keep_head_ = false;
  std::shared_ptr<const std::vector<HeaderField>> fields_;
  nghttp2_session* session_ = nullptr;
  std::vector<std::unique_ptr<Stream>> streams_;  // every stream opened, in order
  std::vector<Stream*> round_;                    // the current round's streams
  // The first GOAWAYs and the latest, with a count: a server may send
  // millions, and the report keeps what each says in bounded memory.
  std::vector<Http2Goaway> goaways_;        // the first kHttp2GoawaysKept
  std::optional<Http2Goaway> last_goaway_;  // the latest, once more than those came
  std::int64_t goaways_total_ = 0;
  std::vector<std::pair<std::string, std::uint32_t>> settings_;
  std::string local_error_;
  std::string parse_error_;
  // The server broke HTTP/2 (a connection error, RFC 9113 §5.4.1): what it
  // did. The probe stops there: it waits for no more of the response, and
  // sends no GOAWAY of its own.
  std::string violation_;
  std::string nghttp2_reason_;  // nghttp2's words for the error behind the frame it queues next
  std::string frame_fed_;       // the frame nghttp2 read last, in words: what a violation without reason was
  bool framing_lost_ = false;   // a frame longer than the probe allows: no frame after it can be found
  std::string first_bytes_;     // the server's first bytes, until its preface is known to be SETTINGS
  bool preface_checked_ = false;
  bool not_http2_ = false;   // the server's first frame is not SETTINGS: its first bytes are the report's
  std::int64_t now_us_ = 0;  // the current call's time, for the callbacks
  std::string pending_;
  std::size_t pending_offset_ = 0;
  // One of the request's frames in the output: what it does for its stream
  // once the kernel takes it (offsets count every byte nghttp2 serialized).
  struct OutFrame {
    Stream* stream = nullptr;
    std::int64_t end = 0;   // just past its last byte
    bool head = false;      // HEADERS (with its CONTINUATION frames): the request's head
    std::int64_t data = 0;  // DATA: its payload, the frame's last bytes
    bool end_stream = false;
  };
  std::deque<OutFrame> out_frames_;    // serialized and not yet wholly taken, in order
  std::int64_t serialized_ = 0;        // bytes nghttp2 serialized, the client magic included
  std::int64_t taken_ = 0;             // of those, what the kernel took
  std::int64_t frame_start_ = 0;       // where the frame being serialized began
  bool frame_ended_ = false;           // the current mem_send gave a frame's last bytes
  std::string unframed_;               // the server's bytes not yet a whole frame
  std::int64_t block_wire_bytes_ = 0;  // the header block being read: its frames, frame headers included
  std::int32_t block_stream_ = 0;      // the stream of the header block being read (0: a push's)
  bool block_end_stream_ = false;      // its HEADERS frame ended the stream
  HpackReader hpack_;                  // every header block, so the probe can decode them when nghttp2 stops
  bool nghttp2_ended_ = false;         // nghttp2 ended the connection (a protocol error): it reads no more
};

}  // namespace termprobe
