// The IHttpResponse4 methods the termprobe module never calls, each given a
// body, so HostResponse (and the tests' recording response) implement only
// what the module uses. They exist because the interfaces declare IIS's
// whole vtable (iis_api/httpserv.h): a method the module never calls still
// holds the slot that puts the ones it does call where IIS has them.
// Each does nothing and says so: HRESULT methods return E_NOTIMPL, getters
// return NULL or FALSE, out parameters are zeroed. Not a claim about IIS.
// Left to the subclass: the ten the module calls (Clear, SetStatus, both
// SetHeader, IHttpResponse's WriteEntityChunks and Flush, ResetConnection,
// SetNeedDisconnect, ResetStream, SetNeedGoAway).
#pragma once

#include <httpresponse4.h>
#include <httpserv.h>

namespace termprobe_host {

class UnusedResponseMethods : public IHttpResponse4 {
 public:
  // IHttpResponse
  HTTP_RESPONSE* GetRawHttpResponse(VOID) override { return NULL; }
  const HTTP_RESPONSE* GetRawHttpResponse(VOID) const override { return NULL; }
  IHttpCachePolicy* GetCachePolicy(VOID) override { return NULL; }
  HRESULT DeleteHeader(PCSTR) override { return E_NOTIMPL; }
  HRESULT DeleteHeader(HTTP_HEADER_ID) override { return E_NOTIMPL; }
  PCSTR GetHeader(PCSTR, USHORT* pcchHeaderValue = NULL) const override;
  PCSTR GetHeader(HTTP_HEADER_ID, USHORT* pcchHeaderValue = NULL) const override;
  VOID ClearHeaders(VOID) override {}
  VOID DisableKernelCache(ULONG = 9) override {}
  BOOL GetKernelCacheEnabled(VOID) const override { return FALSE; }
  VOID SuppressHeaders(VOID) override {}
  BOOL GetHeadersSuppressed(VOID) const override { return FALSE; }
  HRESULT Redirect(PCSTR, BOOL = TRUE, BOOL = FALSE) override { return E_NOTIMPL; }
  HRESULT WriteEntityChunkByReference(HTTP_DATA_CHUNK*, LONG = -1) override { return E_NOTIMPL; }
  VOID DisableBuffering(VOID) override {}
  VOID GetStatus(USHORT* pStatusCode, USHORT* pSubStatus = NULL, PCSTR* ppszReason = NULL,
                 USHORT* pcchReason = NULL, HRESULT* phrErrorToReport = NULL, PCWSTR* ppszModule = NULL,
                 DWORD* pdwNotification = NULL, IAppHostConfigException** ppException = NULL,
                 BOOL* pfTrySkipCustomErrors = NULL) override;
  HRESULT SetErrorDescription(PCWSTR, DWORD, BOOL = TRUE) override { return E_NOTIMPL; }
  PCWSTR GetErrorDescription(DWORD* pcchDescription = NULL) override;
  HRESULT GetHeaderChanges(DWORD, DWORD*, PCSTR[HttpHeaderResponseMaximum], DWORD*, PCSTR**, PCSTR**,
                           DWORD[HttpHeaderResponseMaximum + 1], DWORD*, DWORD**) override {
    return E_NOTIMPL;
  }
  VOID CloseConnection(VOID) override {}
  // IHttpResponse2: writes and flushes with a completion routine.
  HRESULT WriteEntityChunks(HTTP_DATA_CHUNK*, DWORD, BOOL, BOOL, PFN_ASYNC_COMPLETION, VOID*, DWORD*,
                            BOOL* = NULL) override {
    return E_NOTIMPL;
  }
  HRESULT Flush(BOOL, BOOL, PFN_ASYNC_COMPLETION, VOID*, DWORD*, BOOL* = NULL) override { return E_NOTIMPL; }
  // IHttpResponse3
  HRESULT PushPromise(PCSTR, PCWSTR, PCWSTR, DWORD, PCSTR*, PCSTR*) override { return E_NOTIMPL; }
  // IHttpResponse4: trailers (the host sends none).
  HRESULT DeleteTrailer(PCSTR) override { return E_NOTIMPL; }
  PCSTR GetTrailer(PCSTR, USHORT* pcchHeaderValue = NULL) const override;
  HRESULT SetTrailer(PCSTR, PCSTR, USHORT, BOOL) override { return E_NOTIMPL; }

 protected:
  UnusedResponseMethods() = default;
  ~UnusedResponseMethods() = default;
};

}  // namespace termprobe_host
