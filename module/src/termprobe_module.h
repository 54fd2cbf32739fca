// The termprobe IIS native module: one CHttpModule that, under a path prefix,
// ends connections with the IIS API method the path names. Built for IIS
// with MSVC and the Windows SDK, and run on Linux inside module/host.
//
// What each method does is what Microsoft's reference pages say, and no more
// (docs/module-contract.md):
// https://learn.microsoft.com/en-us/iis/web-development-reference/native-code-api-reference/ihttpresponse-resetconnection-method
// https://learn.microsoft.com/en-us/iis/web-development-reference/native-code-api-reference/ihttpresponse-setneeddisconnect-method
// https://learn.microsoft.com/en-us/iis/web-development-reference/native-code-api-reference/ihttpcontext-cancelio-method
#pragma once

#define _WINSOCKAPI_
#include <httpserv.h>
#include <sal.h>
#include <windows.h>

#include <cstdint>
#include <string>
#include <vector>

#include "endpoint.h"

namespace termprobe_module {

inline constexpr const char* kModuleHeader = "X-Termprobe-Module";
inline constexpr const char* kModuleVersion = "termprobe-module/1";
inline constexpr const char* kTokenHeader = "X-Termprobe-Token";

// Read once in RegisterModule: TERMPROBE_PREFIX (default /termprobe/) and
// TERMPROBE_TOKEN (empty = no token required). On IIS, set them as the
// application pool's environment variables.
struct ModuleConfig {
  std::string prefix = std::string(kDefaultPrefix);
  std::string token;
};

ModuleConfig read_module_config();

// The notifications the module subscribes to.
inline constexpr DWORD kRequestNotifications =
    RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE;

class TermprobeModule final : public CHttpModule {
 public:
  explicit TermprobeModule(const ModuleConfig& config);
  ~TermprobeModule() override;
  TermprobeModule(const TermprobeModule&) = delete;
  TermprobeModule& operator=(const TermprobeModule&) = delete;

  REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext* pHttpContext,
                                             IHttpEventProvider* pProvider) override;
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* pHttpContext,
                                                      IHttpEventProvider* pProvider) override;
  REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext* pHttpContext,
                                             ISendResponseProvider* pProvider) override;
  REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(IHttpContext* pHttpContext, DWORD dwNotification,
                                                BOOL fPostNotification, IHttpEventProvider* pProvider,
                                                IHttpCompletionInfo* pCompletionInfo) override;

 private:
  static VOID CALLBACK delay_elapsed(PTP_CALLBACK_INSTANCE instance, PVOID context, PTP_TIMER timer);

  REQUEST_NOTIFICATION_STATUS start_delay(IHttpContext* context);
  REQUEST_NOTIFICATION_STATUS act(IHttpContext* context);
  IHttpResponse* start_response(IHttpContext* context, USHORT status, PCSTR reason);
  REQUEST_NOTIFICATION_STATUS send_text(IHttpContext* context, USHORT status, PCSTR reason, std::string text);
  REQUEST_NOTIFICATION_STATUS send_ok(IHttpContext* context);
  REQUEST_NOTIFICATION_STATUS reset_after_flush(IHttpContext* context);
  REQUEST_NOTIFICATION_STATUS reset_stream(IHttpContext* context);
  REQUEST_NOTIFICATION_STATUS goaway(IHttpContext* context);
  REQUEST_NOTIFICATION_STATUS needs_http2(IHttpContext* context);
  IHttpResponse* flush_part(IHttpContext* context, std::uint32_t total, std::uint32_t flushed);
  REQUEST_NOTIFICATION_STATUS start_pending_read(IHttpContext* context);
  REQUEST_NOTIFICATION_STATUS documented_reset(IHttpContext* context,
                                               REQUEST_NOTIFICATION_STATUS after_reset);

  const ModuleConfig& config_;
  Endpoint endpoint_;
  std::string body_;               // response bytes: IIS may send from this memory after the call returns
  std::vector<char> read_buffer_;  // target of the pending ReadEntityBody
  DWORD body_bytes_read_ = 0;      // request body bytes read before the read went pending
  HRESULT cancel_result_ = S_OK;   // what CancelIo returned
  bool reset_done_ = false;        // OnSendResponse may run once per flush: reset only once
  PTP_TIMER delay_timer_ = NULL;   // delay_ms: completes the PENDING notification when it fires
  bool delaying_ = false;          // the next OnAsyncCompletion is the delay's, not a read's
};

class TermprobeModuleFactory final : public IHttpModuleFactory {
 public:
  explicit TermprobeModuleFactory(ModuleConfig config) : config_(std::move(config)) {}
  HRESULT GetHttpModule(CHttpModule** ppModule, IModuleAllocator* pAllocator) override;
  VOID Terminate(VOID) override { delete this; }

 private:
  ModuleConfig config_;
};

}  // namespace termprobe_module

extern "C" HRESULT __stdcall RegisterModule(DWORD dwServerVersion, IHttpModuleRegistrationInfo* pModuleInfo,
                                            IHttpServer* pGlobalInfo);
