#include "probes/socket_end.h"

#include <gtest/gtest.h>

namespace termprobe {
namespace {

TEST(StatusFromHead, ReadsTheStatusOfUnreadResponseBytes) {
  EXPECT_EQ(status_from_head("HTTP/1.1 413 Payload Too Large\r\n"), 413);
  EXPECT_EQ(status_from_head("HTTP/1.0 200 OK\r\n"), 200);
  EXPECT_EQ(status_from_head("HTTP/1.1 204"), 204);
}

TEST(StatusFromHead, AnythingElseIsNoStatus) {
  EXPECT_EQ(status_from_head(""), 0);
  EXPECT_EQ(status_from_head("HTTP/1.1 41"), 0);
  EXPECT_EQ(status_from_head("HTTP/2 200 OK\r\n"), 0);
  EXPECT_EQ(status_from_head("HTTP/1.1 4x3 Oops\r\n"), 0);
  EXPECT_EQ(status_from_head("HTTP/1.1 099 Low\r\n"), 0);
  EXPECT_EQ(status_from_head("garbage garbage"), 0);
}

TEST(HeadAnnouncesClose, FindsTheConnectionHeaderInTheHeaderBlockOnly) {
  EXPECT_TRUE(head_announces_close("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"));
  EXPECT_TRUE(head_announces_close("HTTP/1.1 413 No\r\nCONNECTION: Close\r\n\r\n"));
  EXPECT_FALSE(head_announces_close("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_FALSE(head_announces_close("HTTP/1.1 200 OK\r\n\r\nConnection: close\r\n"));
  EXPECT_FALSE(head_announces_close(""));
}

}  // namespace
}  // namespace termprobe
