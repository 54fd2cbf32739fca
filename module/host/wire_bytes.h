// The bytes of one send and the queue of sends still going out. A send
// holds text the host composed (owned) and module memory sent in place
// (borrowed): as in IIS, a module keeps what it wrote valid until its
// request completes, so a 64 MiB body made of one repeated block is never
// copied, and a client that does not read costs no memory.
#pragma once

#include <boost/asio/buffer.hpp>

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace termprobe_host {

class WireBytes {
 public:
  void add_text(std::string text);
  void add_borrowed(std::string_view bytes);
  const std::vector<std::string_view>& pieces() const { return pieces_; }
  std::size_t size() const;
  std::string flatten() const;  // every byte, copied: for tests and small answers

 private:
  std::deque<std::string> owned_;  // a deque: growing it never moves the strings pieces_ points into
  std::vector<std::string_view> pieces_;
};

// Sends in order; the writer takes a few buffers at a time and reports how
// many bytes went out.
class WireQueue {
 public:
  static constexpr std::size_t kMaxBuffers = 64;  // one writev's worth

  void push(WireBytes bytes) {
    if (!bytes.pieces().empty()) queue_.push_back(std::move(bytes));
  }
  bool empty() const { return queue_.empty(); }
  void clear();
  std::vector<boost::asio::const_buffer> next_buffers() const;
  void consume(std::size_t bytes);

 private:
  void skip_empty();

  std::deque<WireBytes> queue_;
  std::size_t piece_ = 0;   // first unsent piece of queue_.front()
  std::size_t offset_ = 0;  // bytes of that piece already sent
};

}  // namespace termprobe_host
