#include "termprobe_module.h"

// The SDK's own from 10.0.20348 on; before, termprobe's copy of its declaration.
#include "../iis_api/httpresponse4.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

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

// bytes= bodies are one repeated character, written as chunks that all point
// at one static block: IIS (and the host) send from the module's memory, so
// a 64 MiB body costs one block, not 64 MiB per request.
constexpr std::uint32_t kFillBlock = 64 * 1024;

HRESULT write_filled(IHttpResponse* response, char fill, std::uint32_t total, BOOL more_data) {
  static const std::string x_block(kFillBlock, 'x');
  static const std::string f_block(kFillBlock, 'f');
  const std::string& block = fill == 'x' ? x_block : f_block;
  std::vector<HTTP_DATA_CHUNK> chunks;
  for (std::uint32_t offset = 0; offset < total; offset += kFillBlock) {
    HTTP_DATA_CHUNK chunk{};
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = const_cast<char*>(block.data());
    chunk.FromMemory.BufferLength = std::min(kFillBlock, total - offset);
    chunks.push_back(chunk);
  }
  if (chunks.empty()) return S_OK;
  DWORD sent = 0;
  return response->WriteEntityChunks(chunks.data(), static_cast<DWORD>(chunks.size()), FALSE, more_data,
                                     &sent);
}

// The module reaches ResetStream and SetNeedGoAway through a cast, so
// IHttpResponse4 must extend the SDK's chain: IHttpResponse3, which extends
// IHttpResponse2, which extends IHttpResponse. Derived from IHttpResponse
// directly, its methods would take IHttpResponse2's and IHttpResponse3's
// slots, and IIS would run PushPromise for ResetStream.
static_assert(std::is_base_of_v<IHttpResponse, IHttpResponse2> &&
                  std::is_base_of_v<IHttpResponse2, IHttpResponse3> &&
                  std::is_base_of_v<IHttpResponse3, IHttpResponse4>,
              "IHttpResponse4 must extend IHttpResponse3 and IHttpResponse2, as the Windows SDK declares it");

// IHttpResponse4 the way ASP.NET Core's module gets it
// (src/Servers/IIS/AspNetCoreModuleV2/InProcessRequestHandler/managedexports.cpp:
// "(IHttpResponse4*)pInProcessHandler->QueryHttpContext()->GetResponse()"),
// and only for a request that came over HTTP/2, as ASP.NET Core offers
// resets only on HTTP/2. Null on HTTP/1.x.
IHttpResponse4* http2_response(IHttpContext* context) {
  const HTTP_REQUEST* raw = context->GetRequest()->GetRawHttpRequest();
  if (raw == NULL || raw->Version.MajorVersion < 2) return NULL;
  return static_cast<IHttpResponse4*>(context->GetResponse());
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

// A request that ends while its delay runs (the client left, the server
// stops) must not be called back after the module is gone.
TermprobeModule::~TermprobeModule() {
  if (delay_timer_ == NULL) return;
  SetThreadpoolTimer(delay_timer_, NULL, 0, 0);
  WaitForThreadpoolTimerCallbacks(delay_timer_, TRUE);
  CloseThreadpoolTimer(delay_timer_);
}

REQUEST_NOTIFICATION_STATUS TermprobeModule::OnBeginRequest(IHttpContext* pHttpContext,
                                                            IHttpEventProvider* pProvider) {
  UNREFERENCED_PARAMETER(pProvider);
  endpoint_ = parse_endpoint(raw_target(pHttpContext), config_.prefix);
  if (endpoint_.kind == EndpointKind::outside) return RQ_NOTIFICATION_CONTINUE;
  if (endpoint_.kind == EndpointKind::unknown)
    return send_text(pHttpContext, 404, "Not Found",
                     "no such termprobe endpoint; try ok, need-disconnect, reset, reset-continue, "
                     "reset-after-flush, cancel-io-read, cancel-io-send, reset-stream, goaway\n");
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
  if (endpoint_.delay_ms > 0) return start_delay(pHttpContext);
  return act(pHttpContext);
}

// delay_ms waits on a thread pool timer, not on the request's thread: the
// notification goes PENDING and the timer's PostCompletion brings the
// request back in OnAsyncCompletion, where the endpoint acts.
REQUEST_NOTIFICATION_STATUS TermprobeModule::start_delay(IHttpContext* context) {
  delay_timer_ = CreateThreadpoolTimer(&TermprobeModule::delay_elapsed, context, NULL);
  if (delay_timer_ == NULL)
    return send_text(context, 500, "Internal Server Error", "delay_ms: no thread pool timer\n");
  delaying_ = true;
  const ULONGLONG due =
      static_cast<ULONGLONG>(-static_cast<LONGLONG>(endpoint_.delay_ms) * 10000);  // relative
  FILETIME due_time;
  due_time.dwLowDateTime = static_cast<DWORD>(due & 0xFFFFFFFFu);
  due_time.dwHighDateTime = static_cast<DWORD>(due >> 32);
  SetThreadpoolTimer(delay_timer_, &due_time, 0, 0);
  return RQ_NOTIFICATION_PENDING;
}

VOID CALLBACK TermprobeModule::delay_elapsed(PTP_CALLBACK_INSTANCE instance, PVOID context, PTP_TIMER timer) {
  UNREFERENCED_PARAMETER(instance);
  UNREFERENCED_PARAMETER(timer);
  static_cast<IHttpContext*>(context)->PostCompletion(0);
}

REQUEST_NOTIFICATION_STATUS TermprobeModule::act(IHttpContext* context) {
  switch (endpoint_.kind) {
    case EndpointKind::reset_after_flush: return reset_after_flush(context);
    case EndpointKind::cancel_io_read: return start_pending_read(context);
    case EndpointKind::reset_stream: return reset_stream(context);
    case EndpointKind::goaway: return goaway(context);
    default: return send_ok(context);
  }
}

// reset and reset-continue act here, as the ResetConnection page's example
// does; cancel-io-send is the CancelIo page's example as it stands.
REQUEST_NOTIFICATION_STATUS TermprobeModule::OnSendResponse(IHttpContext* pHttpContext,
                                                            ISendResponseProvider* pProvider) {
  UNREFERENCED_PARAMETER(pProvider);
  switch (endpoint_.kind) {
    case EndpointKind::reset: return documented_reset(pHttpContext, RQ_NOTIFICATION_FINISH_REQUEST);
    case EndpointKind::reset_continue: return documented_reset(pHttpContext, RQ_NOTIFICATION_CONTINUE);
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
  if (delaying_) {
    delaying_ = false;
    return act(pHttpContext);
  }
  if (endpoint_.kind != EndpointKind::cancel_io_read) return RQ_NOTIFICATION_CONTINUE;
  const HRESULT status = pCompletionInfo->GetCompletionStatus();
  const DWORD bytes = pCompletionInfo->GetCompletionBytes();
  return send_text(pHttpContext, 200, "OK",
                   "cancel-io-read: read " + std::to_string(body_bytes_read_) +
                       " body bytes, then CancelIo returned " + hex(cancel_result_) +
                       "; the pending read completed with " + hex(status) + " and " + std::to_string(bytes) +
                       " bytes\n");
}

IHttpResponse* TermprobeModule::start_response(IHttpContext* context, USHORT status, PCSTR reason) {
  IHttpResponse* response = context->GetResponse();
  response->Clear();
  response->SetStatus(status, reason);
  response->SetHeader(HttpHeaderContentType, "text/plain", static_cast<USHORT>(std::strlen("text/plain")),
                      TRUE);
  response->SetHeader(kModuleHeader, kModuleVersion, static_cast<USHORT>(std::strlen(kModuleVersion)), TRUE);
  return response;
}

REQUEST_NOTIFICATION_STATUS TermprobeModule::send_text(IHttpContext* context, USHORT status, PCSTR reason,
                                                       std::string text) {
  IHttpResponse* response = start_response(context, status, reason);
  body_ = std::move(text);
  write_memory(response, body_, FALSE);
  return RQ_NOTIFICATION_FINISH_REQUEST;
}

// 200 with the endpoint's name, or with bytes= bytes of 'x'.
REQUEST_NOTIFICATION_STATUS TermprobeModule::send_ok(IHttpContext* context) {
  if (endpoint_.body_bytes == 0)
    return send_text(context, 200, "OK", "termprobe " + std::string(endpoint_name(endpoint_.kind)) + "\n");
  write_filled(start_response(context, 200, "OK"), 'x', endpoint_.body_bytes, FALSE);
  return RQ_NOTIFICATION_FINISH_REQUEST;
}

// A 200 declaring total body bytes, of which the first flushed go out now
// with a synchronous Flush (the headers alone when flushed is 0).
IHttpResponse* TermprobeModule::flush_part(IHttpContext* context, std::uint32_t total,
                                           std::uint32_t flushed) {
  IHttpResponse* response = start_response(context, 200, "OK");
  const std::string length = std::to_string(total);
  response->SetHeader(HttpHeaderContentLength, length.c_str(), static_cast<USHORT>(length.size()), TRUE);
  write_filled(response, 'f', flushed, TRUE);
  DWORD sent = 0;
  response->Flush(FALSE, TRUE, &sent);
  return response;
}

// Headers and half the declared body go out; the reset then cuts the
// response mid-body.
REQUEST_NOTIFICATION_STATUS TermprobeModule::reset_after_flush(IHttpContext* context) {
  const std::uint32_t total = endpoint_.body_bytes > 1 ? endpoint_.body_bytes : 2000;
  flush_part(context, total, total / 2)->ResetConnection();
  return RQ_NOTIFICATION_FINISH_REQUEST;
}

// IHttpResponse4::ResetStream(code=) before any response, after the
// headers, or after the headers and half the body (after=).
REQUEST_NOTIFICATION_STATUS TermprobeModule::reset_stream(IHttpContext* context) {
  IHttpResponse4* response = http2_response(context);
  if (response == NULL) return needs_http2(context);
  const std::uint32_t total = endpoint_.body_bytes > 1 ? endpoint_.body_bytes : 2000;
  if (endpoint_.reset_after == ResetPoint::headers) flush_part(context, total, 0);
  if (endpoint_.reset_after == ResetPoint::data) flush_part(context, total, total / 2);
  response->ResetStream(endpoint_.reset_code);
  return RQ_NOTIFICATION_FINISH_REQUEST;
}

// SetNeedGoAway, then the ordinary complete 200.
REQUEST_NOTIFICATION_STATUS TermprobeModule::goaway(IHttpContext* context) {
  IHttpResponse4* response = http2_response(context);
  if (response == NULL) return needs_http2(context);
  response->SetNeedGoAway();
  return send_ok(context);
}

// On HTTP/1.x there is no stream to reset and no GOAWAY to send: the module
// says so with 501 rather than end the connection some other way.
REQUEST_NOTIFICATION_STATUS TermprobeModule::needs_http2(IHttpContext* context) {
  return send_text(context, 501, "Not Implemented",
                   std::string(endpoint_name(endpoint_.kind)) +
                       " needs HTTP/2 (IHttpResponse4); this request came over HTTP/1.x\n");
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
REQUEST_NOTIFICATION_STATUS TermprobeModule::documented_reset(IHttpContext* context,
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
