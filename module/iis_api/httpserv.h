// termprobe's declaration of the part of the IIS native-module API that the
// termprobe module uses, written from Microsoft's public reference pages
// (the ResetConnection, SetNeedDisconnect and CancelIo pages and the
// IHttpResponse / IHttpRequest / IHttpContext / CHttpModule pages), not
// copied from the Windows SDK.
//
// Who includes it:
//   - the Linux host (module/host), which implements these interfaces;
//   - the mingw-w64 compile check of the Windows build (syntax, the
//     RegisterModule export, and the response interfaces' vtable slots).
// A real IIS build uses MSVC and the Windows SDK's own <httpserv.h>.
//
// Two kinds of declaration live here:
//   - IHttpResponse, IHttpResponse2 and IHttpResponse3 are declared whole:
//     every virtual method, in the SDK's order, with the SDK's signatures.
//     The module casts IIS's response to IHttpResponse4
//     (iis_api/httpresponse4.h), which extends them, and a method's vtable
//     slot counts every method declared before it in the chain, those the
//     module never calls included. tests/module/iis_response_slots.h holds
//     the SDK's order, and the checks that compare slots with it.
//   - Every other interface is the subset the module calls, so only the
//     method names and signatures there match the SDK, never the vtable
//     layout. That is safe only because a Windows build takes those
//     interfaces from the SDK whole, never from here.
// TERMPROBE_IIS_API says this header, not the SDK's, is in use.
#pragma once

#include <http.h>
#include <sal.h>
#include <windows.h>

#define TERMPROBE_IIS_API 1

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

class IHttpCachePolicy;
class IHttpContext3;
class IHttpCompletionInfo2;

// The completion routine of IHttpResponse2's asynchronous writes and flushes.
typedef REQUEST_NOTIFICATION_STATUS(WINAPI* PFN_ASYNC_COMPLETION)(IHttpContext3* pHttpContext,
                                                                  IHttpCompletionInfo2* pCompletionInfo,
                                                                  VOID* pvCompletionContext);

// IHttpResponse, IHttpResponse2 and IHttpResponse3 as the Windows 10 SDKs
// declare them, unchanged from 10.0.10240 to 10.0.26100 (the 8.1 kit has
// the same IHttpResponse and IHttpResponse2, and no IHttpResponse3): the
// methods, their order and their signatures follow the SDK's httpserv.h as
// published in KNSoft/WinSDK-Diff (Include/um/httpserv.h, one commit per
// SDK from 10.0.14393 to 10.0.26100) and tpn/winsdk-10
// (Include/10.0.10240.0/um/httpserv.h); SAL annotations become IN/OUT.
// docs/module-contract.md lists which SDK declares which interface.
class IHttpResponse {
 public:
  virtual HTTP_RESPONSE* GetRawHttpResponse(VOID) = 0;
  virtual const HTTP_RESPONSE* GetRawHttpResponse(VOID) const = 0;
  virtual IHttpCachePolicy* GetCachePolicy(VOID) = 0;
  virtual HRESULT SetStatus(IN USHORT statusCode, IN PCSTR pszReason, IN USHORT uSubStatus = 0,
                            IN HRESULT hrErrorToReport = S_OK, IN IAppHostConfigException* pException = NULL,
                            IN BOOL fTrySkipCustomErrors = FALSE) = 0;
  virtual HRESULT SetHeader(IN PCSTR pszHeaderName, IN PCSTR pszHeaderValue, IN USHORT cchHeaderValue,
                            IN BOOL fReplace) = 0;
  virtual HRESULT SetHeader(IN HTTP_HEADER_ID ulHeaderIndex, IN PCSTR pszHeaderValue,
                            IN USHORT cchHeaderValue, IN BOOL fReplace) = 0;
  virtual HRESULT DeleteHeader(IN PCSTR pszHeaderName) = 0;
  virtual HRESULT DeleteHeader(IN HTTP_HEADER_ID ulHeaderIndex) = 0;
  virtual PCSTR GetHeader(IN PCSTR pszHeaderName, OUT USHORT* pcchHeaderValue = NULL) const = 0;
  virtual PCSTR GetHeader(IN HTTP_HEADER_ID ulHeaderIndex, OUT USHORT* pcchHeaderValue = NULL) const = 0;
  virtual VOID Clear(VOID) = 0;
  virtual VOID ClearHeaders(VOID) = 0;
  virtual VOID SetNeedDisconnect(VOID) = 0;
  virtual VOID ResetConnection(VOID) = 0;
  virtual VOID DisableKernelCache(ULONG reason = 9) = 0;
  virtual BOOL GetKernelCacheEnabled(VOID) const = 0;
  virtual VOID SuppressHeaders(VOID) = 0;
  virtual BOOL GetHeadersSuppressed(VOID) const = 0;
  virtual HRESULT Flush(IN BOOL fAsync, IN BOOL fMoreData, OUT DWORD* pcbSent,
                        OUT BOOL* pfCompletionExpected = NULL) = 0;
  virtual HRESULT Redirect(IN PCSTR pszUrl, IN BOOL fResetStatusCode = TRUE,
                           IN BOOL fIncludeParameters = FALSE) = 0;
  virtual HRESULT WriteEntityChunkByReference(IN HTTP_DATA_CHUNK* pDataChunk,
                                              IN LONG lInsertPosition = -1) = 0;
  virtual HRESULT WriteEntityChunks(IN HTTP_DATA_CHUNK* pDataChunks, IN DWORD nChunks, IN BOOL fAsync,
                                    IN BOOL fMoreData, OUT DWORD* pcbSent,
                                    OUT BOOL* pfCompletionExpected = NULL) = 0;
  virtual VOID DisableBuffering(VOID) = 0;
  virtual VOID GetStatus(OUT USHORT* pStatusCode, OUT USHORT* pSubStatus = NULL, OUT PCSTR* ppszReason = NULL,
                         OUT USHORT* pcchReason = NULL, OUT HRESULT* phrErrorToReport = NULL,
                         OUT PCWSTR* ppszModule = NULL, OUT DWORD* pdwNotification = NULL,
                         OUT IAppHostConfigException** ppException = NULL,
                         OUT BOOL* pfTrySkipCustomErrors = NULL) = 0;
  virtual HRESULT SetErrorDescription(IN PCWSTR pszDescription, IN DWORD cchDescription,
                                      IN BOOL fHtmlEncode = TRUE) = 0;
  virtual PCWSTR GetErrorDescription(OUT DWORD* pcchDescription = NULL) = 0;
  virtual HRESULT GetHeaderChanges(IN DWORD dwOldChangeNumber, OUT DWORD* pdwNewChangeNumber,
                                   IN OUT PCSTR knownHeaderSnapshot[HttpHeaderResponseMaximum],
                                   IN OUT DWORD* pdwUnknownHeaderSnapshot,
                                   IN OUT PCSTR** ppUnknownHeaderNameSnapshot,
                                   IN OUT PCSTR** ppUnknownHeaderValueSnapshot,
                                   OUT DWORD diffedKnownHeaderIndices[HttpHeaderResponseMaximum + 1],
                                   OUT DWORD* pdwDiffedUnknownHeaders,
                                   OUT DWORD** ppDiffedUnknownHeaderIndices) = 0;
  virtual VOID CloseConnection(VOID) = 0;
};

// Asynchronous writes and flushes with a completion routine. These
// overloads hide IHttpResponse's WriteEntityChunks and Flush when called
// through an IHttpResponse2 (or 3, or 4): the module calls those through
// IHttpResponse. The SDK declares them so; compilers that warn about the
// hiding (clang, g++ 13's -Wall) are told it is meant.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverloaded-virtual"
#endif
class IHttpResponse2 : public IHttpResponse {
 public:
  virtual HRESULT WriteEntityChunks(IN HTTP_DATA_CHUNK* pDataChunks, IN DWORD nChunks, IN BOOL fAsync,
                                    IN BOOL fMoreData, IN PFN_ASYNC_COMPLETION pfnCompletionCallback,
                                    IN VOID* pvCompletionContext, OUT DWORD* pcbSent,
                                    OUT BOOL* pfCompletionExpected = NULL) = 0;
  virtual HRESULT Flush(IN BOOL fAsync, IN BOOL fMoreData, IN PFN_ASYNC_COMPLETION pfnCompletionCallback,
                        IN VOID* pvCompletionContext, OUT DWORD* pcbSent,
                        OUT BOOL* pfCompletionExpected = NULL) = 0;
};
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

// The SDK's comment: "Add the SPDY/3 & HTTP/2.0 Push-Promise support".
class IHttpResponse3 : public IHttpResponse2 {
 public:
  virtual HRESULT PushPromise(IN PCSTR pszVerb, IN PCWSTR pwszPath, IN PCWSTR pwszQuery, IN DWORD cHeaders,
                              IN PCSTR* rgHeaderNames, IN PCSTR* rgHeaderValues) = 0;
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
