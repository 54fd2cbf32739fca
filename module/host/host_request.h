// IHttpRequest and IHttpContext on the Linux host.
#pragma once

#include <httpserv.h>

#include <string>
#include <utility>
#include <vector>

#include "connection_io.h"
#include "host_response.h"

namespace termprobe_host {

struct RequestHead {
  std::string method;
  std::string target;  // as sent: "/termprobe/ok?bytes=1"
  std::vector<std::pair<std::string, std::string>> headers;
  USHORT major_version = 1;  // 2: the request came on an HTTP/2 stream
};

class HostRequest : public IHttpRequest {
 public:
  HostRequest(RequestHead head, ConnectionIo& io);

  HTTP_REQUEST* GetRawHttpRequest(VOID) override { return &raw_; }
  PCSTR GetHttpMethod(VOID) const override { return head_.method.c_str(); }
  PCSTR GetHeader(PCSTR pszHeaderName, USHORT* pcchHeaderValue = NULL) const override;
  HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync, DWORD* pcbBytesReceived,
                         BOOL* pfCompletionPending = NULL) override;
  DWORD GetRemainingEntityBytes(VOID) override { return io_.remaining_body_bytes(); }

 private:
  RequestHead head_;
  ConnectionIo& io_;
  HTTP_REQUEST raw_{};
};

class HostContext : public IHttpContext {
 public:
  HostContext(RequestHead head, ConnectionIo& io) : io_(io), request_(std::move(head), io), response_(io) {}

  IHttpRequest* GetRequest(VOID) override { return &request_; }
  IHttpResponse* GetResponse(VOID) override { return &response_; }
  // The CancelIo page: cancels pending sends and receives; S_OK. What IIS
  // returns when nothing is pending is unverified; the host returns S_OK.
  HRESULT CancelIo(VOID) override {
    io_.cancel_pending_io();
    return S_OK;
  }
  HRESULT PostCompletion(DWORD cbBytes) override {
    io_.post_completion(cbBytes);
    return S_OK;
  }

  HostResponse& response() { return response_; }

 private:
  ConnectionIo& io_;
  HostRequest request_;
  HostResponse response_;
};

}  // namespace termprobe_host
