// termprobe's declaration of the part of the IIS native-module API that the
// termprobe module uses, written from Microsoft's public reference pages
// (the ResetConnection, SetNeedDisconnect and CancelIo pages and the
// IHttpResponse / IHttpRequest / IHttpContext / CHttpModule pages), not
// copied from the Windows SDK.
//
// Who includes it:
//   - the Linux host (module/host), which implements these interfaces;
//   - the mingw-w64 compile check of the Windows build (syntax and the
//     RegisterModule export only).
// A real IIS build uses MSVC and the Windows SDK's own <httpserv.h>; the
// interfaces there have many more methods, so only the method names and
// signatures here are meant to match, never the vtable layout.
#pragma once

#include <http.h>
#include <sal.h>
#include <windows.h>

// Request notifications (the RQ_* flags of SetRequestNotifications).
#define RQ_BEGIN_REQUEST 0x00000001
#define RQ_EXECUTE_REQUEST_HANDLER 0x00000080
#define RQ_SEND_RESPONSE 0x20000000

enum REQUEST_NOTIFICATION_STATUS {
  RQ_NOTIFICATION_CONTINUE,
  RQ_NOTIFICATION_PENDING,
  RQ_NOTIFICATION_FINISH_REQUEST
};

class IAppHostConfigException;

class IHttpCompletionInfo {
 public:
  virtual DWORD GetCompletionBytes(VOID) const = 0;
  virtual HRESULT GetCompletionStatus(VOID) const = 0;
};

class IHttpEventProvider {
 public:
  virtual VOID SetErrorStatus(IN HRESULT hrError) = 0;
};

class ISendResponseProvider : public IHttpEventProvider {
 public:
  virtual BOOL GetHeadersBeingSent(VOID) const = 0;
};

class IHttpRequest {
 public:
  virtual HTTP_REQUEST* GetRawHttpRequest(VOID) = 0;
  virtual PCSTR GetHttpMethod(VOID) const = 0;
  virtual PCSTR GetHeader(IN PCSTR pszHeaderName, OUT USHORT* pcchHeaderValue = NULL) const = 0;
  virtual HRESULT ReadEntityBody(OUT VOID* pvBuffer, IN DWORD cbBuffer, IN BOOL fAsync,
                                 OUT DWORD* pcbBytesReceived, OUT BOOL* pfCompletionPending = NULL) = 0;
  virtual DWORD GetRemainingEntityBytes(VOID) = 0;
};

class IHttpResponse {
 public:
  virtual VOID Clear(VOID) = 0;
  virtual HRESULT SetStatus(IN USHORT statusCode, IN PCSTR pszReason, IN USHORT uSubStatus = 0,
                            IN HRESULT hrErrorToReport = S_OK, IN IAppHostConfigException* pException = NULL,
                            IN BOOL fTrySkipCustomErrors = FALSE) = 0;
  virtual HRESULT SetHeader(IN PCSTR pszHeaderName, IN PCSTR pszHeaderValue, IN USHORT cchHeaderValue,
                            IN BOOL fReplace) = 0;
  virtual HRESULT SetHeader(IN HTTP_HEADER_ID ulHeaderIndex, IN PCSTR pszHeaderValue,
                            IN USHORT cchHeaderValue, IN BOOL fReplace) = 0;
  virtual HRESULT WriteEntityChunks(IN HTTP_DATA_CHUNK* pDataChunks, IN DWORD nChunks, IN BOOL fAsync,
                                    IN BOOL fMoreData, OUT DWORD* pcbSent,
                                    OUT BOOL* pfCompletionExpected = NULL) = 0;
  virtual HRESULT Flush(IN BOOL fAsync, IN BOOL fMoreData, OUT DWORD* pcbSent,
                        OUT BOOL* pfCompletionExpected = NULL) = 0;
  virtual VOID ResetConnection(VOID) = 0;
  virtual VOID SetNeedDisconnect(VOID) = 0;
};

class IHttpContext {
 public:
  virtual IHttpRequest* GetRequest(VOID) = 0;
  virtual IHttpResponse* GetResponse(VOID) = 0;
  virtual HRESULT CancelIo(VOID) = 0;
  // The PostCompletion page: completes the notification the module left
  // PENDING; IIS then calls OnAsyncCompletion with cbBytes. Safe from any thread.
  virtual HRESULT PostCompletion(IN DWORD cbBytes) = 0;
};

// The base class of every module: IIS calls the On* methods the module
// subscribed to; the defaults let the request continue.
class CHttpModule {
 public:
  virtual REQUEST_NOTIFICATION_STATUS OnBeginRequest(IN IHttpContext* pHttpContext,
                                                     IN IHttpEventProvider* pProvider) {
    UNREFERENCED_PARAMETER(pHttpContext);
    UNREFERENCED_PARAMETER(pProvider);
    return RQ_NOTIFICATION_CONTINUE;
  }
  virtual REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IN IHttpContext* pHttpContext,
                                                              IN IHttpEventProvider* pProvider) {
    UNREFERENCED_PARAMETER(pHttpContext);
    UNREFERENCED_PARAMETER(pProvider);
    return RQ_NOTIFICATION_CONTINUE;
  }
  virtual REQUEST_NOTIFICATION_STATUS OnSendResponse(IN IHttpContext* pHttpContext,
                                                     IN ISendResponseProvider* pProvider) {
    UNREFERENCED_PARAMETER(pHttpContext);
    UNREFERENCED_PARAMETER(pProvider);
    return RQ_NOTIFICATION_CONTINUE;
  }
  virtual REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(IN IHttpContext* pHttpContext,
                                                        IN DWORD dwNotification, IN BOOL fPostNotification,
                                                        IN IHttpEventProvider* pProvider,
                                                        IN IHttpCompletionInfo* pCompletionInfo) {
    UNREFERENCED_PARAMETER(pHttpContext);
    UNREFERENCED_PARAMETER(dwNotification);
    UNREFERENCED_PARAMETER(fPostNotification);
    UNREFERENCED_PARAMETER(pProvider);
    UNREFERENCED_PARAMETER(pCompletionInfo);
    return RQ_NOTIFICATION_CONTINUE;
  }
  virtual VOID Dispose(VOID) { delete this; }

 protected:
  CHttpModule() {}
  virtual ~CHttpModule() {}
};

class IModuleAllocator {
 public:
  virtual VOID* AllocateMemory(IN DWORD cbAllocation) = 0;
};

class IHttpModuleFactory {
 public:
  virtual HRESULT GetHttpModule(OUT CHttpModule** ppModule, IN IModuleAllocator* pAllocator) = 0;
  virtual VOID Terminate(VOID) = 0;
};

class IHttpModuleRegistrationInfo {
 public:
  virtual HRESULT SetRequestNotifications(IN IHttpModuleFactory* pModuleFactory,
                                          IN DWORD dwRequestNotifications,
                                          IN DWORD dwPostRequestNotifications) = 0;
};

class IHttpServer;

typedef HRESULT(WINAPI* PFN_REGISTERMODULE)(DWORD dwServerVersion, IHttpModuleRegistrationInfo* pModuleInfo,
                                            IHttpServer* pGlobalInfo);
