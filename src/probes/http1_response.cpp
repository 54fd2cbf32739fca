#include "probes/http1_response.h"
#include "common/ascii_case.h"

#include <algorithm>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cctype>
#include <limits>

namespace termprobe {
namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;

// Whether a comma-separated header value lists token (Connection: keep-alive, close).
bool lists_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (equals_ignoring_case(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Whether start can begin an HTTP/1.x status line. Checked byte by byte, so
// bytes that cannot be one are refused however the reads split them (Beast
// itself may only notice once a whole header block has arrived).
constexpr std::string_view kStatusLineStart = "HTTP/1.# ";
bool could_be_status_line(std::string_view start) {
  for (std::size_t i = 0; i < start.size() && i < kStatusLineStart.size(); ++i) {
    const bool digit = start[i] >= '0' && start[i] <= '9';
    if (kStatusLineStart[i] == '#' ? !digit : start[i] != kStatusLineStart[i]) return false;
  }
  return true;
}

}  // namespace

// Beast's parser with callbacks that count instead of storing: a response
// body of any size costs nothing but counters.
class Http1Response::Parser : public http::basic_parser<false> {
 public:
  explicit Parser(ResponseFacts& facts) : facts_(facts) {}
  int status() const { return status_; }
  int version() const { return version_; }
  bool close_token() const { return close_token_; }
  bool keep_alive_token() const { return keep_alive_token_; }

 private:
  void on_request_impl(http::verb, boost::beast::string_view, boost::beast::string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int version, error_code&) override {
    status_ = code;
    version_ = version;
  }
  void on_field_impl(http::field name, boost::beast::string_view name_string, boost::beast::string_view value,
                     error_code&) override {
    const std::string_view text(value.data(), value.size());
    noted_.note(std::string_view(name_string.data(), name_string.size()), text);
    if (name == http::field::connection) {
      close_token_ = close_token_ || lists_token(text, "close");
      keep_alive_token_ = keep_alive_token_ || lists_token(text, "keep-alive");
    } else if (equals_ignoring_case(std::string_view(name_string.data(), name_string.size()),
                                    "x-termprobe-module")) {
      module_ = text;
    }
  }
  void on_header_impl(error_code&) override {
    if (status_ >= 200 || status_ < 100) {
      facts_.module = std::move(module_);
      facts_.headers = std::move(noted_);
    }
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(boost::beast::string_view body, error_code&) override {
    facts_.body_bytes += static_cast<std::int64_t>(body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code&) override {
    facts_.body_bytes += static_cast<std::int64_t>(body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  ResponseFacts& facts_;
  int status_ = 0;
  int version_ = 0;
  bool close_token_ = false;
  bool keep_alive_token_ = false;
  std::string module_;
  NotedHeaders noted_;
};

Http1Response::Http1Response(bool head_request, bool keep_head)
    : head_request_(head_request), keep_head_(keep_head) {
  start_next_block();
}
Http1Response::~Http1Response() = default;

void Http1Response::start_next_block() {
  block_start_checked_ = false;
  block_bytes_.clear();
  block_header_bytes_ = 0;
  parser_ = std::make_unique<Parser>(facts_);
  parser_->header_limit(kHeaderLimit);
  // Bodies are counted, never stored. (Not boost::none: Boost 1.74 compares
  // a Content-Length against an empty limit as exceeding it.)
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  parser_->skip(head_request_);
  parser_->eager(false);  // stop after the header, so its size is known
}

void Http1Response::note_first_bytes(std::string_view bytes) {
  const auto have = facts_.first_bytes_hex.size() / 2;
  if (have >= kFirstBytes) return;
  facts_.first_bytes_hex += to_hex(bytes.substr(0, kFirstBytes - have));
}

// Until the final head is whole every byte may be head; once it is, the
// bytes past its end are trimmed off (the head is the response's first
// header_bytes bytes).
void Http1Response::keep_head_bytes(std::string_view bytes) {
  if (!keep_head_ || facts_.status != 0 || !facts_.parse_error.empty()) return;
  const std::size_t room = kResponseHeadKept - std::min(kResponseHeadKept, facts_.head.size());
  if (bytes.size() > room) facts_.head_cut = true;
  facts_.head.append(bytes.substr(0, room));
}

void Http1Response::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  note_first_bytes(bytes);
  keep_head_bytes(bytes);
  facts_.bytes += static_cast<std::int64_t>(bytes.size());
  facts_.final_bytes += static_cast<std::int64_t>(bytes.size());
  if (facts_.complete || !facts_.parse_error.empty()) {
    if (facts_.complete) facts_.bytes_after_complete += static_cast<std::int64_t>(bytes.size());
    return;
  }
  if (!parser_->is_header_done()) block_bytes_.append(bytes);
  if (pending_.empty()) return feed_parser(bytes);
  pending_.append(bytes);
  const std::string input = std::move(pending_);
  pending_.clear();
  feed_parser(input);
}

// Runs the parser over bytes; whatever it cannot take yet (an incomplete
// header block or chunk header) waits in pending_ for the next read.
void Http1Response::feed_parser(std::string_view bytes) {
  while (!bytes.empty()) {
    // Nothing of a block is consumed before its start line is whole, so
    // while unchecked, bytes begins where the block begins.
    if (!block_start_checked_) {
      if (!could_be_status_line(bytes)) {
        facts_.parse_error = "not an HTTP/1.x status line";
        return;
      }
      block_start_checked_ = bytes.size() >= kStatusLineStart.size();
    }
    error_code error;
    const bool header_was_done = parser_->is_header_done();
    const std::size_t used = parser_->put(boost::asio::const_buffer(bytes.data(), bytes.size()), error);
    bytes.remove_prefix(used);
    // Beast may take the start line and the fields in separate calls; only
    // a header block that completed counts (how much of a broken one Beast
    // took depends on how the reads split it).
    if (!header_was_done) block_header_bytes_ += static_cast<std::int64_t>(used);
    if (!header_was_done && parser_->is_header_done()) {
      facts_.header_bytes += block_header_bytes_;
      parser_->eager(true);
    }
    if (error == http::error::need_more) break;
    if (error) {
      facts_.parse_error = error.message();
      return;
    }
    if (parser_->is_header_done() && parser_->status() >= 100 && parser_->status() < 200) {
      // An interim response (100 Continue, 103 Early Hints): the final one follows.
      ++facts_.interim_responses;
      facts_.final_bytes = static_cast<std::int64_t>(bytes.size());
      start_next_block();
      block_bytes_.assign(bytes.data(), bytes.size());
      continue;
    }
    if (parser_->is_header_done()) {
      block_bytes_.clear();
      facts_.status = parser_->status();
      if (keep_head_) {
        const auto head_size = static_cast<std::size_t>(facts_.header_bytes);
        facts_.head_cut = head_size > kResponseHeadKept;
        if (facts_.head.size() > head_size) facts_.head.resize(head_size);
      }
      facts_.version = parser_->version();
      facts_.chunked = parser_->chunked();
      if (const auto length = parser_->content_length())
        facts_.declared_length = static_cast<std::int64_t>(std::min<std::uint64_t>(*length, INT64_MAX));
      facts_.close_delimited = parser_->need_eof() && !parser_->is_done();
      facts_.connection_close =
          parser_->close_token() || (parser_->version() < 11 && !parser_->keep_alive_token());
    }
    if (parser_->is_done()) {
      facts_.complete = true;
      facts_.bytes_after_complete += static_cast<std::int64_t>(bytes.size());
      return;
    }
    if (used == 0) break;
  }
  pending_.assign(bytes.data(), bytes.size());
}

ResponseFacts Http1Response::settled_facts() const {
  if (facts_.complete || !facts_.parse_error.empty() || parser_->is_header_done() || block_bytes_.empty())
    return facts_;
  ResponseFacts scratch;
  Parser whole(scratch);
  whole.header_limit(kHeaderLimit);
  whole.skip(head_request_);
  whole.eager(false);
  std::string_view rest = block_bytes_;
  error_code error;
  while (!rest.empty() && !error) {
    const std::size_t used = whole.put(boost::asio::const_buffer(rest.data(), rest.size()), error);
    if (used == 0) break;
    rest.remove_prefix(used);
  }
  ResponseFacts settled = facts_;
  if (error && error != http::error::need_more) settled.parse_error = error.message();
  return settled;
}

void Http1Response::end_of_input() {
  if (facts_.complete || !facts_.parse_error.empty() || !parser_->is_header_done()) return;
  error_code error;
  parser_->put_eof(error);
  if (!error && parser_->is_done()) facts_.complete = true;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace termprobe
