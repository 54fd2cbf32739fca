// The host's send queue: owned and borrowed pieces go out in order, a few
// buffers at a time, and partial writes resume where they stopped.
#include <gtest/gtest.h>

#include <string>

#include "wire_bytes.h"

namespace termprobe_host {
namespace {

std::string next_bytes(const WireQueue& queue) {
  std::string bytes;
  for (const auto& buffer : queue.next_buffers())
    bytes.append(static_cast<const char*>(buffer.data()), buffer.size());
  return bytes;
}

TEST(WireQueue, SendsEveryPieceInOrderAcrossPartialWrites) {
  static const std::string borrowed = "body";
  WireQueue queue;
  WireBytes first;
  first.add_text("head:");
  first.add_borrowed(borrowed);
  queue.push(std::move(first));
  WireBytes second;
  second.add_text("|tail");
  queue.push(std::move(second));

  EXPECT_EQ(next_bytes(queue), "head:body|tail");
  queue.consume(3);
  EXPECT_EQ(next_bytes(queue), "d:body|tail");
  queue.consume(6);
  EXPECT_EQ(next_bytes(queue), "|tail");
  queue.consume(5);
  EXPECT_TRUE(queue.empty());
}

TEST(WireQueue, HandsOutAtMostOneWritevOfBuffers) {
  static const std::string block(1024, 'x');
  WireBytes many;
  for (int i = 0; i < 200; ++i) many.add_borrowed(block);
  EXPECT_EQ(many.size(), 200u * 1024u);
  WireQueue queue;
  queue.push(std::move(many));
  EXPECT_EQ(queue.next_buffers().size(), WireQueue::kMaxBuffers);
  queue.consume(WireQueue::kMaxBuffers * 1024);
  EXPECT_EQ(queue.next_buffers().size(), WireQueue::kMaxBuffers);
}

TEST(WireQueue, IgnoresEmptySends) {
  WireQueue queue;
  queue.push(WireBytes{});
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace termprobe_host
