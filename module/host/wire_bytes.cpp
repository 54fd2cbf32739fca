#include "wire_bytes.h"

#include <algorithm>

namespace termprobe_host {

void WireBytes::add_text(std::string text) {
  if (text.empty()) return;
  owned_.push_back(std::move(text));
  pieces_.emplace_back(owned_.back());
}

void WireBytes::add_borrowed(std::string_view bytes) {
  if (!bytes.empty()) pieces_.push_back(bytes);
}

std::size_t WireBytes::size() const {
  std::size_t total = 0;
  for (const auto piece : pieces_) total += piece.size();
  return total;
}

std::string WireBytes::flatten() const {
  std::string all;
  all.reserve(size());
  for (const auto piece : pieces_) all += piece;
  return all;
}

void WireQueue::clear() {
  queue_.clear();
  piece_ = 0;
  offset_ = 0;
}

std::vector<boost::asio::const_buffer> WireQueue::next_buffers() const {
  std::vector<boost::asio::const_buffer> buffers;
  std::size_t piece = piece_;
  std::size_t offset = offset_;
  for (const auto& bytes : queue_) {
    for (; piece < bytes.pieces().size() && buffers.size() < kMaxBuffers; ++piece) {
      const auto text = bytes.pieces()[piece].substr(offset);
      buffers.emplace_back(text.data(), text.size());
      offset = 0;
    }
    if (buffers.size() == kMaxBuffers) break;
    piece = 0;
  }
  return buffers;
}

void WireQueue::consume(std::size_t bytes) {
  while (bytes > 0 && !queue_.empty()) {
    const auto left = queue_.front().pieces()[piece_].size() - offset_;
    const auto taken = std::min(left, bytes);
    bytes -= taken;
    offset_ += taken;
    if (offset_ == queue_.front().pieces()[piece_].size()) {
      ++piece_;
      offset_ = 0;
    }
    skip_empty();
  }
}

void WireQueue::skip_empty() {
  while (!queue_.empty() && piece_ == queue_.front().pieces().size()) {
    queue_.pop_front();
    piece_ = 0;
  }
}

}  // namespace termprobe_host
