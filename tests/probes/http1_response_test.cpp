// Response accounting on raw bytes: exact facts for each framing, for bytes
// split at every position, and for what is not HTTP/1.x at all.
#include "probes/http1_response.h"

#include <gtest/gtest.h>

namespace termprobe {
namespace {

ResponseFacts feed_split(std::string_view bytes, std::size_t at, bool head = false, bool eof = false) {
  Http1Response response(head);
  response.feed(bytes.substr(0, at));
  response.feed(bytes.substr(at));
  if (eof) response.end_of_input();
  return response.settled_facts();
}

TEST(Http1Response, ContentLengthCompleteAtEverySplit) {
  const std::string_view bytes =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Termprobe-Module: ok\r\n\r\nhello";
  for (std::size_t at = 0; at <= bytes.size(); ++at) {
    const ResponseFacts f = feed_split(bytes, at);
    EXPECT_TRUE(f.complete) << at;
    EXPECT_EQ(f.status, 200);
    EXPECT_EQ(f.body_bytes, 5);
    EXPECT_EQ(f.header_bytes, static_cast<std::int64_t>(bytes.size() - 5));
    EXPECT_EQ(f.declared_length, 5);
    EXPECT_EQ(f.module, "ok");
    EXPECT_FALSE(f.connection_close);
    EXPECT_TRUE(f.parse_error.empty());
  }
}

TEST(Http1Response, ChunkedNeedsItsLastChunk) {
  const std::string_view start = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
  Http1Response response(false);
  response.feed(start);
  EXPECT_FALSE(response.facts().complete);
  EXPECT_TRUE(response.facts().chunked);
  EXPECT_EQ(response.facts().body_bytes, 5);
  response.end_of_input();
  EXPECT_FALSE(response.facts().complete);
  for (std::size_t at = 0; at <= start.size() + 5; ++at) {
    const std::string whole = std::string(start) + "0\r\n\r\n";
    EXPECT_TRUE(feed_split(whole, at).complete) << at;
  }
}

TEST(Http1Response, CloseDelimitedBodyEndsAtFin) {
  const ResponseFacts open = feed_split("HTTP/1.1 200 OK\r\n\r\nuntil fin", 3);
  EXPECT_FALSE(open.complete);
  EXPECT_TRUE(open.close_delimited);
  const ResponseFacts closed = feed_split("HTTP/1.1 200 OK\r\n\r\nuntil fin", 3, false, true);
  EXPECT_TRUE(closed.complete);
  EXPECT_EQ(closed.body_bytes, 9);
}

TEST(Http1Response, InterimResponsesAreNotTheResponse) {
  Http1Response response(false);
  response.feed("HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(response.facts().status, 0);
  EXPECT_EQ(response.facts().interim_responses, 1);
  EXPECT_EQ(response.facts().final_bytes, 0);
  response.feed("HTTP/1.1 2");
  EXPECT_EQ(response.facts().final_bytes, 10);
  response.feed("04 No Content\r\n\r\n");
  EXPECT_TRUE(response.facts().complete);
  EXPECT_EQ(response.facts().status, 204);
}

TEST(Http1Response, KeptHeadIsEveryHeaderBlockAtEverySplit) {
  const std::string_view head = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
  const std::string bytes = std::string(head) + "hi";
  for (std::size_t at = 0; at <= bytes.size(); ++at) {
    Http1Response response(false, true);
    response.feed(std::string_view(bytes).substr(0, at));
    response.feed(std::string_view(bytes).substr(at));
    EXPECT_EQ(response.facts().head, head) << at;
    EXPECT_FALSE(response.facts().head_cut);
  }
  EXPECT_EQ(http1_head_lines(head, false).lines,
            (std::vector<std::string>{"HTTP/1.1 100 Continue", "", "HTTP/1.1 200 OK", "Content-Length: 2"}));
  EXPECT_TRUE(feed_split(bytes, 3).head.empty());  // not asked: nothing kept
}

TEST(Http1Response, KeptHeadIsCutAtItsLimit) {
  const std::string big(kResponseHeadKept, 'a');
  const std::string bytes = "HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\nContent-Length: 0\r\n\r\n";
  Http1Response response(false, true);
  response.feed(bytes);
  EXPECT_TRUE(response.facts().complete);
  EXPECT_EQ(response.facts().head, bytes.substr(0, kResponseHeadKept));
  EXPECT_TRUE(response.facts().head_cut);
  const ResponseHead lines = http1_head_lines(response.facts().head, true);
  EXPECT_TRUE(lines.cut);
  ASSERT_EQ(lines.lines.size(), 2u);
  EXPECT_EQ(lines.lines[0], "HTTP/1.1 200 OK");
  EXPECT_EQ(lines.lines[1].size() + 2 + 17, kResponseHeadKept);  // the status line and its CRLF came first
}

TEST(Http1Response, HeadResponseHasNoBody) {
  const ResponseFacts f = feed_split("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 10, true);
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.body_bytes, 0);
}

TEST(Http1Response, ConnectionCloseAndHttp10) {
  EXPECT_TRUE(feed_split("HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", 5)
                  .connection_close);
  EXPECT_TRUE(feed_split("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 5).connection_close);
  EXPECT_FALSE(feed_split("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", 5)
                   .connection_close);
}

TEST(Http1Response, NotHttpIsABadResponseWithItsFirstBytesAtEverySplit) {
  // An h2c server's SETTINGS frame.
  const std::string settings("\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64", 15);
  for (std::size_t at = 0; at <= settings.size(); ++at) {
    const ResponseFacts f = feed_split(settings, at);
    EXPECT_EQ(f.parse_error, "not an HTTP/1.x status line") << at;
    EXPECT_EQ(f.first_bytes_hex, "000006040000000000000300000064");
    EXPECT_EQ(f.bytes, 15);
    EXPECT_FALSE(f.complete);
  }
  for (std::string_view other : {"<html>hello</html>\n", "HTTP/2 200\r\n\r\n", "HTTP/1.x 200 OK\r\n\r\n"}) {
    for (std::size_t at = 0; at <= other.size(); ++at)
      EXPECT_FALSE(feed_split(other, at).parse_error.empty()) << other;
  }
}

// Found by fuzz_http1_response: Beast checks a start line early only on a
// fresh parser's first call, so a split read used to end as truncated.
TEST(Http1Response, AnIncompleteHeaderBlockIsJudgedTheSameAtEverySplit) {
  const std::string bytes("HTTP/1.0 200 O\xff\xff\xff\xff\nuntil fin");
  for (std::size_t at = 0; at <= bytes.size(); ++at) {
    const ResponseFacts f = feed_split(bytes, at, false, true);
    EXPECT_FALSE(f.parse_error.empty()) << at;
    EXPECT_EQ(f.header_bytes, 0) << at;
  }
}

TEST(Http1Response, BadChunkSizeIsABadResponse) {
  const ResponseFacts f = feed_split("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 7);
  EXPECT_EQ(f.status, 200);
  EXPECT_FALSE(f.parse_error.empty());
}

TEST(Http1Response, HeaderBlockOverTheLimitIsABadResponse) {
  Http1Response response(false);
  response.feed("HTTP/1.1 200 OK\r\nX-Big: ");
  const std::string big(kHeaderLimit, 'a');
  response.feed(big);
  response.feed("\r\n\r\n");
  EXPECT_FALSE(response.facts().parse_error.empty());
  EXPECT_EQ(response.facts().first_bytes_hex.size(), 2 * kFirstBytes);
}

TEST(Http1Response, BytesAfterCompleteAreCounted) {
  const ResponseFacts f = feed_split("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", 40);
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.bytes_after_complete, 5);
}

TEST(Http1Response, ServerConnectionAndKeepAliveOfTheFinalResponseAreNoted) {
  const std::string_view bytes =
      "HTTP/1.1 100 Continue\r\nServer: interim\r\nConnection: upgrade\r\n\r\n"
      "HTTP/1.1 200 OK\r\nserver: nginx/1.22.1\r\nCONNECTION: keep-alive\r\nKeep-Alive: timeout=5\r\n"
      "Connection: x-extra\r\nContent-Length: 0\r\n\r\n";
  for (std::size_t at = 0; at <= bytes.size(); ++at) {
    const ResponseFacts f = feed_split(bytes, at);
    EXPECT_EQ(f.headers.server, "nginx/1.22.1") << at;
    EXPECT_EQ(f.headers.connection, "keep-alive, x-extra") << at;  // a repeated field, joined
    EXPECT_EQ(f.headers.keep_alive, "timeout=5") << at;
  }
  const ResponseFacts none = feed_split("HTTP/1.1 204 No Content\r\n\r\n", 4);
  EXPECT_FALSE(none.headers.server.has_value());
  EXPECT_FALSE(none.headers.connection.has_value());
  EXPECT_FALSE(none.headers.keep_alive.has_value());
}

TEST(Http1Response, AHugeServerFieldIsKeptToItsLimit) {
  const std::string bytes = "HTTP/1.1 200 OK\r\nServer: " + std::string(100'000, 's') + "\r\n" +
                            "Server: more\r\nContent-Length: 0\r\n\r\n";
  const ResponseFacts f = feed_split(bytes, 10);
  ASSERT_TRUE(f.headers.server.has_value());
  EXPECT_EQ(*f.headers.server, std::string(kNotedValueLimit, 's'));
  EXPECT_TRUE(f.complete);
}

}  // namespace
}  // namespace termprobe
