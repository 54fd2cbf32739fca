#include "pipeline.h"

#include <cstring>

namespace termprobe_host {
namespace {

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

}  // namespace

RequestRun::RequestRun(const ModuleRegistration& module, HostContext& context,
                       std::function<bool()> close_after)
    : registration_(module), context_(context), close_after_(std::move(close_after)) {}

RequestRun::~RequestRun() {
  context_.response().set_before_send(nullptr);
  if (module_ != nullptr) module_->Dispose();
}

bool RequestRun::start() {
  HostResponse& response = context_.response();
  Allocator allocator;
  if (registration_.factory == nullptr ||
      FAILED(registration_.factory->GetHttpModule(&module_, &allocator)) || module_ == nullptr) {
    module_ = nullptr;
    send_plain(response, 500, "Internal Server Error", "the module could not be created\n");
    response.finish(true);
    return true;
  }
  response.set_before_send([this] {
    if (registration_.notifications & RQ_SEND_RESPONSE) {
      events_.headers_being_sent_ = !context_.response().headers_sent();
      module_->OnSendResponse(&context_, &events_);
    }
  });
  notification_ = RQ_BEGIN_REQUEST;
  if (!(registration_.notifications & RQ_BEGIN_REQUEST)) return advance(RQ_NOTIFICATION_CONTINUE);
  return advance(module_->OnBeginRequest(&context_, &events_));
}

bool RequestRun::resume(const ReadResult& completion) {
  if (!pending_) return false;
  pending_ = false;
  CompletionInfo info(completion);
  return advance(module_->OnAsyncCompletion(&context_, notification_, FALSE, &events_, &info));
}

bool RequestRun::advance(REQUEST_NOTIFICATION_STATUS status) {
  if (status == RQ_NOTIFICATION_PENDING) {
    pending_ = true;
    return false;
  }
  if (notification_ == RQ_BEGIN_REQUEST && status == RQ_NOTIFICATION_CONTINUE &&
      (registration_.notifications & RQ_EXECUTE_REQUEST_HANDLER)) {
    notification_ = RQ_EXECUTE_REQUEST_HANDLER;
    return advance(module_->OnExecuteRequestHandler(&context_, &events_));
  }
  return finish(status);
}

bool RequestRun::finish(REQUEST_NOTIFICATION_STATUS status) {
  HostResponse& response = context_.response();
  // No module handled it: the host's stand-in for IIS's static file handler.
  if (status == RQ_NOTIFICATION_CONTINUE && !response.touched())
    send_plain(response, 404, "Not Found", "Not Found\n");
  response.finish(close_after_());
  response.set_before_send(nullptr);
  return true;
}

}  // namespace termprobe_host
