#include "termprobe_module.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

namespace termprobe_module {
namespace {

std::string raw_target(IHttpContext* context) {
  const HTTP_REQUEST* raw = context->GetRequest()->GetRawHttpRequest();
  if (raw == NULL || raw->pRawUrl == NULL) return std::string();
  return std::string(raw->pRawUrl, raw->RawUrlLength);
}

bool token_matches(IHttpContext* context, const std::string& token) {
  if (token.empty()) return true;
  USHORT length = 0;
  PCSTR sent = context->GetRequest()->GetHeader(kTokenHeader, &length);
  return sent != NULL && std::string(sent, length) == token;
}

HRESULT write_memory(IHttpResponse* response, const std::string& bytes, BOOL more_data) {
  if (bytes.empty()) return S_OK;
  HTTP_DATA_CHUNK chunk;
  chunk.DataChunkType = HttpDataChunkFromMemory;
  chunk.FromMemory.pBuffer = const_cast<char*>(bytes.data());
  chunk.FromMemory.BufferLength = static_cast<ULONG>(bytes.size());
  DWORD sent = 0;
  return response->WriteEntityChunks(&chunk, 1, FALSE, more_data, &sent);
}

std::string hex(HRESULT value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08X", static_cast<unsigned>(value));
  return text;
}

}  // namespace

ModuleConfig read_module_config() {
  ModuleConfig config;
  if (const char* prefix = std::getenv("TERMPROBE_PREFIX"); prefix != NULL && prefix[0] == '/') {
    config.prefix = prefix;
    if (config.prefix.back() != '/') config.prefix += '/';
  }
  if (const char* token = std::getenv("TERMPROBE_TOKEN"); token != NULL) config.token = token;
  return config;
}

TermprobeModule::TermprobeModule(const ModuleConfig& config) : config_(config) {}

REQUEST_NOTIFICATION_STATUS TermprobeModule::OnBeginRequest(IHttpContext* pHttpContext,
                                                            IHttpEventProvider* pProvider) {
  UNREFERENCED_PARAMETER(pProvider);
  endpoint_ = parse_endpoint(raw_target(pHttpContext), config_.prefix);
  if (endpoint_.kind == EndpointKind::outside) return RQ_NOTIFICATION_CONTINUE;
  if (endpoint_.kind == EndpointKind::unknown)
    return send_text(pHttpContext, 404, "Not Found",
                     "no such termprobe endpoint; try ok, need-disconnect, reset, reset-continue, "
                     "reset-after-flush, cancel-io-read, cancel-io-send\n");
  if (is_destructive(endpoint_.kind) && !token_matches(pHttpContext, config_.token)) {
    // Refused: no later notification may act on this endpoint.
    endpoint_.kind = EndpointKind::unknown;
    return send_text(pHttpContext, 403, "Forbidden",
                     std::string("this endpoint needs the ") + kTokenHeader + " header\n");
  }
  // SetNeedDisconnect page's example: called in OnBeginRequest, then CONTINUE.
  if (endpoint_.kind == EndpointKind::need_disconnect) pHttpContext->GetResponse()->SetNeedDisconnect();
  return RQ_NOTIFICATION_CONTINUE;
}

REQUEST_NOTIFICATION_STATUS TermprobeModule::OnExecuteRequestHandler(IHttpContext* pHttpContext,
                                                                     IHttpEventProvider* pProvider) {
  UNREFERENCED_PARAMETER(pProvider);
  if (endpoint_.kind == EndpointKind::outside) return RQ_NOTIFICATION_CONTINUE;
  if (endpoint_.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(endpoint_.delay_ms));
  switch (endpoint_.kind) {
    case EndpointKind::reset_after_flush: return reset_after_flush(pHttpContext);
    case EndpointKind::cancel_io_read: return start_pending_read(pHttpContext);
    default: return send_text(pHttpContext, 200, "OK", default_body());
  }
}

// reset and reset-continue act here, as the ResetConnection page's example
// does; cancel-io-send is the CancelIo page's example as it stands.
REQUEST_NOTIFICATION_STATUS TermprobeModule::OnSendResponse(IHttpContext* pHttpContext,
                                                            ISendResponseProvider* pProvider) {
  UNREFERENCED_PARAMETER(pProvider);
  switch (endpoint_.kind) {
    case EndpointKind::reset: return seed_reset(pHttpContext, RQ_NOTIFICATION_FINISH_REQUEST);
    case EndpointKind::reset_continue: return seed_reset(pHttpContext, RQ_NOTIFICATION_CONTINUE);
    case EndpointKind::cancel_io_send: pHttpContext->CancelIo(); return RQ_NOTIFICATION_CONTINUE;
    default: return RQ_NOTIFICATION_CONTINUE;
  }
}

// The pending read of cancel-io-read completes here, aborted by CancelIo
// (the CancelIo page: "calling the CancelIo method will cancel any pending
// read operations"). The answer states what the completion carried.
REQUEST_NOTIFICATION_STATUS TermprobeModule::OnAsyncCompletion(IHttpContext* pHttpContext,
                                                               DWORD dwNotification, BOOL fPostNotification,
                                                               IHttpEventProvider* pProvider,
                                                               IHttpCompletionInfo* pCompletionInfo) {
  UNREFERENCED_PARAMETER(dwNotification);
  UNREFERENCED_PARAMETER(fPostNotification);
  UNREFERENCED_PARAMETER(pProvider);
  if (endpoint_.kind != EndpointKind::cancel_io_read) return RQ_NOTIFICATION_CONTINUE;
  const HRESULT status = pCompletionInfo->GetCompletionStatus();
  const DWORD bytes = pCompletionInfo->GetCompletionBytes();
  return send_text(pHttpContext, 200, "OK",
                   "cancel-io-read: read " + std::to_string(body_bytes_read_) +
                       " body bytes, then CancelIo returned " + hex(cancel_result_) +
                       "; the pending read completed with " + hex(status) + " and " + std::to_string(bytes) +
                       " bytes\n");
}

REQUEST_NOTIFICATION_STATUS TermprobeModule::send_text(IHttpContext* context, USHORT status, PCSTR reason,
                                                       std::string text) {
  IHttpResponse* response = context->GetResponse();
  body_ = std::move(text);
  response->Clear();
  response->SetStatus(status, reason);
  response->SetHeader(HttpHeaderContentType, "text/plain", static_cast<USHORT>(std::strlen("text/plain")),
                      TRUE);
  response->SetHeader(kModuleHeader, kModuleVersion, static_cast<USHORT>(std::strlen(kModuleVersion)), TRUE);
  write_memory(response, body_, FALSE);
  return RQ_NOTIFICATION_FINISH_REQUEST;
}

// Headers and half the declared body go out with a synchronous Flush; the
// reset then cuts the response mid-body.
REQUEST_NOTIFICATION_STATUS TermprobeModule::reset_after_flush(IHttpContext* context) {
  IHttpResponse* response = context->GetResponse();
  const std::uint32_t total = endpoint_.body_bytes > 1 ? endpoint_.body_bytes : 2000;
  const std::string length = std::to_string(total);
  body_.assign(total / 2, 'f');
  response->Clear();
  response->SetStatus(200, "OK");
  response->SetHeader(HttpHeaderContentType, "text/plain", static_cast<USHORT>(std::strlen("text/plain")),
                      TRUE);
  response->SetHeader(HttpHeaderContentLength, length.c_str(), static_cast<USHORT>(length.size()), TRUE);
  response->SetHeader(kModuleHeader, kModuleVersion, static_cast<USHORT>(std::strlen(kModuleVersion)), TRUE);
  write_memory(response, body_, TRUE);
  DWORD sent = 0;
  response->Flush(FALSE, TRUE, &sent);
  response->ResetConnection();
  return RQ_NOTIFICATION_FINISH_REQUEST;
}

// Reads the request body asynchronously until a read goes pending (the
// client is still sending), then cancels it with IHttpContext::CancelIo.
REQUEST_NOTIFICATION_STATUS TermprobeModule::start_pending_read(IHttpContext* context) {
  IHttpRequest* request = context->GetRequest();
  read_buffer_.resize(16384);
  for (;;) {
    DWORD received = 0;
    BOOL pending = FALSE;
    const HRESULT hr = request->ReadEntityBody(read_buffer_.data(), static_cast<DWORD>(read_buffer_.size()),
                                               TRUE, &received, &pending);
    if (FAILED(hr))
      return send_text(context, 400, "Bad Request",
                       "cancel-io-read needs a request body still arriving: send a large, slow upload (read "
                       "returned " +
                           hex(hr) + ")\n");
    if (pending) {
      cancel_result_ = context->CancelIo();
      return RQ_NOTIFICATION_PENDING;
    }
    body_bytes_read_ += received;
  }
}

// The ResetConnection page's example: clear, set the type, write "Before
// Reset", reset, write "After Reset" (which succeeds, but the page says the
// client receives neither string).
REQUEST_NOTIFICATION_STATUS TermprobeModule::seed_reset(IHttpContext* context,
                                                        REQUEST_NOTIFICATION_STATUS after_reset) {
  if (reset_done_) return after_reset;
  reset_done_ = true;
  IHttpResponse* response = context->GetResponse();
  response->Clear();
  response->SetHeader(HttpHeaderContentType, "text/plain", static_cast<USHORT>(std::strlen("text/plain")),
                      TRUE);
  static const std::string before = "Status: Before Reset\n";
  static const std::string after = "Status: After Reset\n";
  write_memory(response, before, TRUE);
  response->ResetConnection();
  write_memory(response, after, TRUE);
  return after_reset;
}

std::string TermprobeModule::default_body() const {
  if (endpoint_.body_bytes > 0) return std::string(endpoint_.body_bytes, 'x');
  return std::string("termprobe ") + std::string(endpoint_name(endpoint_.kind)) + "\n";
}

HRESULT TermprobeModuleFactory::GetHttpModule(CHttpModule** ppModule, IModuleAllocator* pAllocator) {
  UNREFERENCED_PARAMETER(pAllocator);
  TermprobeModule* module = new (std::nothrow) TermprobeModule(config_);
  if (module == NULL) return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
  *ppModule = module;
  return S_OK;
}

}  // namespace termprobe_module

extern "C" HRESULT __stdcall RegisterModule(DWORD dwServerVersion, IHttpModuleRegistrationInfo* pModuleInfo,
                                            IHttpServer* pGlobalInfo) {
  UNREFERENCED_PARAMETER(dwServerVersion);
  UNREFERENCED_PARAMETER(pGlobalInfo);
  using namespace termprobe_module;
  TermprobeModuleFactory* factory = new (std::nothrow) TermprobeModuleFactory(read_module_config());
  if (factory == NULL) return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
  return pModuleInfo->SetRequestNotifications(factory, kRequestNotifications, 0);
}
