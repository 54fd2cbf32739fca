// The module against recording fakes of the IIS API: which method it calls
// in which notification, and what it returns. This pins the module to the
// sequences of Microsoft's reference pages (docs/module-contract.md) independently of any host.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>

#include "recording_iis.h"
#include "termprobe_module.h"
#include "threadpool_timer.h"

namespace termprobe_test {
namespace {

using Calls = std::vector<std::string>;

class CapturingRegistration : public IHttpModuleRegistrationInfo {
 public:
  HRESULT SetRequestNotifications(IHttpModuleFactory* module_factory, DWORD request_notifications,
                                  DWORD post_notifications) override {
    factory = module_factory;
    notifications = request_notifications;
    post = post_notifications;
    return S_OK;
  }
  IHttpModuleFactory* factory = nullptr;
  DWORD notifications = 0;
  DWORD post = 0;
};

class ModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("TERMPROBE_TOKEN");
    unsetenv("TERMPROBE_PREFIX");
    ASSERT_EQ(RegisterModule(0, &registration, nullptr), S_OK);
    ASSERT_NE(registration.factory, nullptr);
  }
  void TearDown() override { registration.factory->Terminate(); }

  CHttpModule* new_module() {
    CHttpModule* module = nullptr;
    EXPECT_EQ(registration.factory->GetHttpModule(&module, nullptr), S_OK);
    return module;
  }

  CapturingRegistration registration;
  NullProvider provider;
};

TEST_F(ModuleTest, RegistersForBeginExecuteAndSendResponse) {
  EXPECT_EQ(registration.notifications,
            static_cast<DWORD>(RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE));
  EXPECT_EQ(registration.post, 0u);
}

TEST_F(ModuleTest, DelayGoesPendingAndActsWhenItsTimerPostsTheCompletion) {
  boost::asio::io_context io;
  termprobe_host::TimerThreadBinding timers(io);
  RecordingContext context("/termprobe/ok?delay_ms=50");
  CHttpModule* module = new_module();
  EXPECT_EQ(module->OnBeginRequest(&context, &provider), RQ_NOTIFICATION_CONTINUE);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(module->OnExecuteRequestHandler(&context, &provider), RQ_NOTIFICATION_PENDING);
  EXPECT_TRUE(context.log.calls.empty()) << "nothing is written before the delay";
  io.run_for(std::chrono::seconds(5));
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(50));
  EXPECT_EQ(context.log.calls, (Calls{"PostCompletion 0"}));
  FixedCompletion completion(S_OK, 0);
  EXPECT_EQ(module->OnAsyncCompletion(&context, RQ_EXECUTE_REQUEST_HANDLER, FALSE, &provider, &completion),
            RQ_NOTIFICATION_FINISH_REQUEST);
  EXPECT_EQ(context.response.written, "termprobe ok\n");
  module->Dispose();
}

TEST_F(ModuleTest, DisposingAWaitingModuleCancelsItsTimer) {
  boost::asio::io_context io;
  termprobe_host::TimerThreadBinding timers(io);
  RecordingContext context("/termprobe/ok?delay_ms=50");
  CHttpModule* module = new_module();
  module->OnBeginRequest(&context, &provider);
  EXPECT_EQ(module->OnExecuteRequestHandler(&context, &provider), RQ_NOTIFICATION_PENDING);
  module->Dispose();
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(context.log.calls.empty()) << "no completion after the module is gone";
}

TEST_F(ModuleTest, BodiesOfBytesAreOneBlockRepeated) {
  RecordingContext context("/termprobe/ok?bytes=200000");
  CHttpModule* module = new_module();
  module->OnBeginRequest(&context, &provider);
  EXPECT_EQ(module->OnExecuteRequestHandler(&context, &provider), RQ_NOTIFICATION_FINISH_REQUEST);
  EXPECT_EQ(context.response.written, std::string(200000, 'x'));
  module->Dispose();
}

TEST_F(ModuleTest, ResetFollowsThePageExampleInOnSendResponse) {
  RecordingContext context("/termprobe/reset");
  CHttpModule* module = new_module();
  EXPECT_EQ(module->OnBeginRequest(&context, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_EQ(module->OnExecuteRequestHandler(&context, &provider), RQ_NOTIFICATION_FINISH_REQUEST);
  context.log.calls.clear();
  EXPECT_EQ(module->OnSendResponse(&context, &provider), RQ_NOTIFICATION_FINISH_REQUEST);
  EXPECT_EQ(context.log.calls, (Calls{"Clear", "SetHeader #12: text/plain", "Write Status: Before Reset\n",
                                      "ResetConnection", "Write Status: After Reset\n"}));
  context.log.calls.clear();
  EXPECT_EQ(module->OnSendResponse(&context, &provider), RQ_NOTIFICATION_FINISH_REQUEST);
  EXPECT_TRUE(context.log.calls.empty()) << "resets once, even if OnSendResponse comes again";
  module->Dispose();
}

TEST_F(ModuleTest, ResetContinueReturnsContinueAfterTheReset) {
  RecordingContext context("/termprobe/reset-continue");
  CHttpModule* module = new_module();
  module->OnBeginRequest(&context, &provider);
  module->OnExecuteRequestHandler(&context, &provider);
  context.log.calls.clear();
  EXPECT_EQ(module->OnSendResponse(&context, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_EQ(context.log.calls[3], "ResetConnection");
  module->Dispose();
}

TEST_F(ModuleTest, NeedDisconnectIsCalledInOnBeginRequest) {
  RecordingContext context("/termprobe/need-disconnect");
  CHttpModule* module = new_module();
  EXPECT_EQ(module->OnBeginRequest(&context, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_EQ(context.log.calls, (Calls{"SetNeedDisconnect"}));
  context.log.calls.clear();
  EXPECT_EQ(module->OnExecuteRequestHandler(&context, &provider), RQ_NOTIFICATION_FINISH_REQUEST);
  EXPECT_EQ(context.log.calls[1], "SetStatus 200 OK");
  EXPECT_EQ(std::count(context.log.calls.begin(), context.log.calls.end(), "SetNeedDisconnect"), 0);
  module->Dispose();
}

TEST_F(ModuleTest, ResetAfterFlushFlushesHalfTheDeclaredBodyThenResets) {
  RecordingContext context("/termprobe/reset-after-flush?bytes=2000");
  CHttpModule* module = new_module();
  module->OnBeginRequest(&context, &provider);
  context.log.calls.clear();
  EXPECT_EQ(module->OnExecuteRequestHandler(&context, &provider), RQ_NOTIFICATION_FINISH_REQUEST);
  EXPECT_EQ(context.log.calls,
            (Calls{"Clear", "SetStatus 200 OK", "SetHeader #12: text/plain",
                   "SetHeader X-Termprobe-Module: termprobe-module/1", "SetHeader #11: 2000",
                   "Write 1000 bytes", "Flush", "ResetConnection"}));
  module->Dispose();
}

TEST_F(ModuleTest, CancelIoReadCancelsThePendingReadAndAnswersOnCompletion) {
  RecordingContext context("/termprobe/cancel-io-read");
  context.request.reads = {{false, 16384, S_OK}, {false, 100, S_OK}, {true, 0, S_OK}};
  CHttpModule* module = new_module();
  module->OnBeginRequest(&context, &provider);
  context.log.calls.clear();
  EXPECT_EQ(module->OnExecuteRequestHandler(&context, &provider), RQ_NOTIFICATION_PENDING);
  EXPECT_EQ(context.log.calls,
            (Calls{"ReadEntityBody async", "ReadEntityBody async", "ReadEntityBody async", "CancelIo"}));
  context.log.calls.clear();
  FixedCompletion aborted(HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED), 0);
  EXPECT_EQ(module->OnAsyncCompletion(&context, RQ_EXECUTE_REQUEST_HANDLER, FALSE, &provider, &aborted),
            RQ_NOTIFICATION_FINISH_REQUEST);
  ASSERT_GE(context.log.calls.size(), 5u);
  EXPECT_EQ(context.log.calls[1], "SetStatus 200 OK");
  EXPECT_EQ(context.response.written,
            "cancel-io-read: read 16484 body bytes, then CancelIo returned 0x00000000; the pending read "
            "completed with 0x800703E3 and 0 bytes\n");
  module->Dispose();
}

TEST_F(ModuleTest, CancelIoReadWithoutABodyIsABadRequest) {
  RecordingContext context("/termprobe/cancel-io-read");
  CHttpModule* module = new_module();
  module->OnBeginRequest(&context, &provider);
  context.log.calls.clear();
  EXPECT_EQ(module->OnExecuteRequestHandler(&context, &provider), RQ_NOTIFICATION_FINISH_REQUEST);
  EXPECT_EQ(context.log.calls[2], "SetStatus 400 Bad Request");
  module->Dispose();
}

TEST_F(ModuleTest, CancelIoSendIsThePageExample) {
  RecordingContext context("/termprobe/cancel-io-send");
  CHttpModule* module = new_module();
  module->OnBeginRequest(&context, &provider);
  module->OnExecuteRequestHandler(&context, &provider);
  context.log.calls.clear();
  EXPECT_EQ(module->OnSendResponse(&context, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_EQ(context.log.calls, (Calls{"CancelIo"}));
  module->Dispose();
}

TEST_F(ModuleTest, RequestsOutsideThePrefixAreUntouched) {
  RecordingContext context("/index.html");
  CHttpModule* module = new_module();
  EXPECT_EQ(module->OnBeginRequest(&context, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_EQ(module->OnExecuteRequestHandler(&context, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_EQ(module->OnSendResponse(&context, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_TRUE(context.log.calls.empty());
  module->Dispose();
}

class ModuleWithTokenTest : public ModuleTest {
 protected:
  void SetUp() override {
    setenv("TERMPROBE_TOKEN", "s3cret", 1);
    ASSERT_EQ(RegisterModule(0, &registration, nullptr), S_OK);
  }
  void TearDown() override {
    unsetenv("TERMPROBE_TOKEN");
    ModuleTest::TearDown();
  }
};

TEST_F(ModuleWithTokenTest, DestructiveEndpointsNeedTheToken) {
  RecordingContext without("/termprobe/reset");
  CHttpModule* module = new_module();
  EXPECT_EQ(module->OnBeginRequest(&without, &provider), RQ_NOTIFICATION_FINISH_REQUEST);
  EXPECT_EQ(without.log.calls[1], "SetStatus 403 Forbidden");
  without.log.calls.clear();
  EXPECT_EQ(module->OnSendResponse(&without, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_TRUE(without.log.calls.empty()) << "a refused request must not reset in OnSendResponse";
  module->Dispose();

  RecordingContext with("/termprobe/reset");
  with.request.token = "s3cret";
  module = new_module();
  EXPECT_EQ(module->OnBeginRequest(&with, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_TRUE(with.log.calls.empty());
  module->Dispose();

  RecordingContext harmless("/termprobe/ok");
  module = new_module();
  EXPECT_EQ(module->OnBeginRequest(&harmless, &provider), RQ_NOTIFICATION_CONTINUE);
  module->Dispose();
}

}  // namespace
}  // namespace termprobe_test
