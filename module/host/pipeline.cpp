#include "pipeline.h"

#include <cstring>

namespace termprobe_host {
namespace {

class EventProvider : public ISendResponseProvider {
 public:
  VOID SetErrorStatus(HRESULT) override {}
  BOOL GetHeadersBeingSent(VOID) const override { return headers_being_sent_; }
  bool headers_being_sent_ = false;
};

class CompletionInfo : public IHttpCompletionInfo {
 public:
  explicit CompletionInfo(const ReadResult& result) : result_(result) {}
  DWORD GetCompletionBytes(VOID) const override { return result_.bytes; }
  HRESULT GetCompletionStatus(VOID) const override { return result_.status; }

 private:
  ReadResult result_;
};

class Allocator : public IModuleAllocator {
 public:
  VOID* AllocateMemory(DWORD) override { return NULL; }  // the termprobe module allocates nothing here
};

void send_plain(HostResponse& response, USHORT status, PCSTR reason, const char* text) {
  response.Clear();
  response.SetStatus(status, reason);
  response.SetHeader(HttpHeaderContentType, "text/plain", 10, TRUE);
  HTTP_DATA_CHUNK chunk{};
  chunk.DataChunkType = HttpDataChunkFromMemory;
  chunk.FromMemory.pBuffer = const_cast<char*>(text);
  chunk.FromMemory.BufferLength = static_cast<ULONG>(std::strlen(text));
  DWORD sent = 0;
  response.WriteEntityChunks(&chunk, 1, FALSE, FALSE, &sent);
}

// Keeps calling OnAsyncCompletion while the module says PENDING.
REQUEST_NOTIFICATION_STATUS settle(CHttpModule& module, HostContext& context, DWORD notification,
                                   REQUEST_NOTIFICATION_STATUS status, EventProvider& provider,
                                   const WaitForCompletion& wait) {
  while (status == RQ_NOTIFICATION_PENDING) {
    const std::optional<ReadResult> completed = wait();
    if (!completed) {
      send_plain(context.response(), 500, "Internal Server Error",
                 "module returned PENDING with no I/O pending\n");
      return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    CompletionInfo info(*completed);
    status = module.OnAsyncCompletion(&context, notification, FALSE, &provider, &info);
  }
  return status;
}

}  // namespace

void run_request(const ModuleRegistration& registration, HostContext& context, const WaitForCompletion& wait,
                 const std::function<bool()>& close_after) {
  HostResponse& response = context.response();
  CHttpModule* module = nullptr;
  Allocator allocator;
  if (registration.factory == nullptr || FAILED(registration.factory->GetHttpModule(&module, &allocator)) ||
      module == nullptr) {
    send_plain(response, 500, "Internal Server Error", "the module could not be created\n");
    response.finish(true);
    return;
  }
  EventProvider provider;
  const DWORD subscribed = registration.notifications;
  response.set_before_send([&] {
    if (subscribed & RQ_SEND_RESPONSE) {
      provider.headers_being_sent_ = !response.headers_sent();
      module->OnSendResponse(&context, &provider);
    }
  });
  REQUEST_NOTIFICATION_STATUS status = RQ_NOTIFICATION_CONTINUE;
  if (subscribed & RQ_BEGIN_REQUEST) {
    status = module->OnBeginRequest(&context, &provider);
    status = settle(*module, context, RQ_BEGIN_REQUEST, status, provider, wait);
  }
  if (status == RQ_NOTIFICATION_CONTINUE && (subscribed & RQ_EXECUTE_REQUEST_HANDLER)) {
    status = module->OnExecuteRequestHandler(&context, &provider);
    status = settle(*module, context, RQ_EXECUTE_REQUEST_HANDLER, status, provider, wait);
  }
  // No module handled it: the host's stand-in for IIS's static file handler.
  if (status == RQ_NOTIFICATION_CONTINUE && !response.touched())
    send_plain(response, 404, "Not Found", "Not Found\n");
  response.finish(close_after());
  response.set_before_send(nullptr);
  module->Dispose();
}

}  // namespace termprobe_host
