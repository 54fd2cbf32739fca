// The host's pipeline and IHttpResponse with a recording connection: what
// reaches the wire, when, and when the socket is reset.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "http1_framing.h"
#include "pipeline.h"
#include "registration.h"
#include "termprobe_module.h"

namespace termprobe_host {
namespace {

class RecordingConnection : public ConnectionIo {
 public:
  bool send_part(ResponsePart part) override {
    if (reset_) return false;
    const WireBytes bytes = framer_.frame(part);
    events.push_back("send " + std::to_string(bytes.size()));
    wire += bytes.flatten();
    return true;
  }
  void reset() override {
    reset_ = true;
    events.push_back("reset");
  }
  bool is_reset() const override { return reset_; }
  ReadResult read_body(void*, DWORD, bool) override {
    return {HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), 0, false};
  }
  DWORD remaining_body_bytes() const override { return 0; }
  bool cancel_pending_io() override { return false; }
  void post_completion(DWORD bytes) override { events.push_back("completion " + std::to_string(bytes)); }

  std::vector<std::string> events;
  std::string wire;

 private:
  Http1Framer framer_;
  bool reset_ = false;
};

class HostPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("TERMPROBE_TOKEN");
    unsetenv("TERMPROBE_PREFIX");
    ASSERT_EQ(RegisterModule(0, &registration, nullptr), S_OK);
  }
  void TearDown() override { registration.module.factory->Terminate(); }

  void run(const std::string& target, bool close_after = false) {
    HostContext context(RequestHead{"GET", target, {}}, connection);
    RequestRun request(registration.module, context, [&] { return close_after; });
    EXPECT_TRUE(request.start()) << "nothing in these requests waits";
  }

  Registration registration;
  RecordingConnection connection;
};

TEST_F(HostPipelineTest, OkIsOneCompleteResponse) {
  run("/termprobe/ok");
  EXPECT_EQ(connection.events, (std::vector<std::string>{"send " + std::to_string(connection.wire.size())}));
  EXPECT_EQ(connection.wire.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(connection.wire.find("Content-Length: 13\r\n"), std::string::npos);
  EXPECT_NE(connection.wire.find("X-Termprobe-Module: termprobe-module/1\r\n"), std::string::npos);
  EXPECT_EQ(connection.wire.find("Connection: close"), std::string::npos);
  EXPECT_EQ(connection.wire.substr(connection.wire.size() - 13), "termprobe ok\n");
}

TEST_F(HostPipelineTest, Http2EndpointsSay501OnHttp11AndTouchNoConnection) {
  for (const std::string path : {"/termprobe/reset-stream?code=8", "/termprobe/goaway"}) {
    connection.wire.clear();
    run(path);
    EXPECT_EQ(connection.wire.rfind("HTTP/1.1 501 Not Implemented\r\n", 0), 0u) << connection.wire;
  }
  EXPECT_EQ(std::count(connection.events.begin(), connection.events.end(), "reset"), 0);
}

TEST_F(HostPipelineTest, ResetSendsNothingAtAll) {
  run("/termprobe/reset");
  EXPECT_EQ(connection.events, (std::vector<std::string>{"reset"}));
  EXPECT_TRUE(connection.wire.empty()) << "the client receives neither string (ResetConnection page)";
}

TEST_F(HostPipelineTest, ResetContinueAlsoSendsNothing) {
  run("/termprobe/reset-continue");
  EXPECT_EQ(connection.events, (std::vector<std::string>{"reset"}));
}

TEST_F(HostPipelineTest, ResetAfterFlushSendsHeadersAndHalfTheBodyFirst) {
  run("/termprobe/reset-after-flush?bytes=2000");
  ASSERT_EQ(connection.events.size(), 2u);
  EXPECT_EQ(connection.events[1], "reset");
  EXPECT_NE(connection.wire.find("Content-Length: 2000\r\n"), std::string::npos);
  EXPECT_EQ(connection.wire.find("chunked"), std::string::npos);
  EXPECT_EQ(connection.wire.size() - (connection.wire.find("\r\n\r\n") + 4), 1000u);
}

TEST_F(HostPipelineTest, NeedDisconnectAnnouncesTheClose) {
  run("/termprobe/need-disconnect", true);
  EXPECT_NE(connection.wire.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(connection.wire.find("termprobe need-disconnect\n"), std::string::npos);
}

TEST_F(HostPipelineTest, UnhandledPathsGetTheHostsNotFound) {
  run("/elsewhere");
  EXPECT_EQ(connection.wire.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  EXPECT_EQ(connection.wire.find("X-Termprobe-Module"), std::string::npos);
}

TEST(HostResponse, FlushWithoutContentLengthUsesChunkedFraming) {
  RecordingConnection connection;
  HostResponse response(connection);
  HTTP_DATA_CHUNK chunk{};
  chunk.DataChunkType = HttpDataChunkFromMemory;
  chunk.FromMemory.pBuffer = const_cast<char*>("abc");
  chunk.FromMemory.BufferLength = 3;
  DWORD sent = 0;
  response.WriteEntityChunks(&chunk, 1, FALSE, TRUE, &sent);
  EXPECT_EQ(response.Flush(FALSE, TRUE, &sent), S_OK);
  response.WriteEntityChunks(&chunk, 1, FALSE, FALSE, &sent);
  response.finish(false);
  EXPECT_NE(connection.wire.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(connection.wire.substr(connection.wire.find("\r\n\r\n") + 4),
            "3\r\nabc\r\n3\r\nabc\r\n0\r\n\r\n");
}

TEST(HostResponse, WritesAfterAResetSucceedAndGoNowhere) {
  RecordingConnection connection;
  HostResponse response(connection);
  response.ResetConnection();
  HTTP_DATA_CHUNK chunk{};
  chunk.DataChunkType = HttpDataChunkFromMemory;
  chunk.FromMemory.pBuffer = const_cast<char*>("late");
  chunk.FromMemory.BufferLength = 4;
  DWORD sent = 0;
  EXPECT_EQ(response.WriteEntityChunks(&chunk, 1, FALSE, FALSE, &sent), S_OK);
  EXPECT_EQ(response.Flush(FALSE, FALSE, &sent), S_OK);
  EXPECT_TRUE(connection.wire.empty());
}

}  // namespace
}  // namespace termprobe_host
