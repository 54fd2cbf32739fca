// One request through the module, in IIS's order: OnBeginRequest,
// OnExecuteRequestHandler, OnSendResponse before each send, then the
// response goes out. A notification the module leaves PENDING holds no
// thread: the run resumes in OnAsyncCompletion when the connection reports
// the completion (a body read, or the module's PostCompletion).
#pragma once

#include <httpserv.h>

#include <functional>

#include "connection_io.h"
#include "host_request.h"

namespace termprobe_host {

struct ModuleRegistration {
  IHttpModuleFactory* factory = nullptr;  // from the module's RegisterModule
  DWORD notifications = 0;                // RQ_* flags it subscribed to
};

class SendEvents : public ISendResponseProvider {
 public:
  VOID SetErrorStatus(HRESULT) override {}
  BOOL GetHeadersBeingSent(VOID) const override { return headers_being_sent_; }
  bool headers_being_sent_ = false;
};

class RequestRun {
 public:
  // close_after is asked when the last bytes go out: whether the host will
  // close the connection afterwards.
  RequestRun(const ModuleRegistration& module, HostContext& context, std::function<bool()> close_after);
  ~RequestRun();  // disposes the module: call once what it wrote has gone out
  RequestRun(const RequestRun&) = delete;
  RequestRun& operator=(const RequestRun&) = delete;

  // Each runs notifications until one is left pending (false) or the
  // response is finished (true).
  bool start();
  bool resume(const ReadResult& completion);
  bool pending() const { return pending_; }

 private:
  bool advance(REQUEST_NOTIFICATION_STATUS status);
  bool finish(REQUEST_NOTIFICATION_STATUS status);

  const ModuleRegistration& registration_;
  HostContext& context_;
  std::function<bool()> close_after_;
  CHttpModule* module_ = nullptr;
  SendEvents events_;
  DWORD notification_ = RQ_BEGIN_REQUEST;  // the one in progress
  bool pending_ = false;
};

}  // namespace termprobe_host
