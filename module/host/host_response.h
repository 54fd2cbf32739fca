// IHttpResponse (and IHttpResponse4) on the Linux host: buffers like IIS
// does, sends on Flush or at the end of the request, and follows Microsoft's
// reference pages for the two termination methods (docs/module-contract.md).
// The methods the module never calls come from UnusedResponseMethods.
// One implementation for HTTP/1.1 and HTTP/2: it hands ResponseParts to its
// connection, which frames them. Written memory is referenced, not copied: IIS too
// sends from the module's buffers, which stay valid until the request ends.
#pragma once

#include <httpserv.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connection_io.h"
#include "response_part.h"
#include "unused_response_methods.h"

namespace termprobe_host {

class HostResponse : public UnusedResponseMethods {
 public:
  explicit HostResponse(ConnectionIo& io) : io_(io) {}

  VOID Clear(VOID) override;
  HRESULT SetStatus(USHORT statusCode, PCSTR pszReason, USHORT uSubStatus = 0, HRESULT hrErrorToReport = S_OK,
                    IAppHostConfigException* pException = NULL, BOOL fTrySkipCustomErrors = FALSE) override;
  HRESULT SetHeader(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue, BOOL fReplace) override;
  HRESULT SetHeader(HTTP_HEADER_ID ulHeaderIndex, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                    BOOL fReplace) override;
  // IHttpResponse's WriteEntityChunks and Flush; IHttpResponse2's overloads
  // (UnusedResponseMethods) stay visible beside them.
  using UnusedResponseMethods::Flush;
  using UnusedResponseMethods::WriteEntityChunks;
  HRESULT WriteEntityChunks(HTTP_DATA_CHUNK* pDataChunks, DWORD nChunks, BOOL fAsync, BOOL fMoreData,
                            DWORD* pcbSent, BOOL* pfCompletionExpected = NULL) override;
  HRESULT Flush(BOOL fAsync, BOOL fMoreData, DWORD* pcbSent, BOOL* pfCompletionExpected = NULL) override;
  VOID ResetConnection(VOID) override;
  VOID SetNeedDisconnect(VOID) override;
  // IHttpResponse4's HTTP/2 endings. The host sends no trailers.
  VOID ResetStream(ULONG errorCode) override;
  VOID SetNeedGoAway(VOID) override { need_goaway_ = true; }

  // The host's side.
  bool touched() const { return touched_; }
  bool need_disconnect() const { return need_disconnect_; }
  bool headers_sent() const { return headers_sent_; }
  int status() const { return head_.status; }
  // Sends what is left and ends the response; close_after says whether the
  // host will close the connection (announced with "Connection: close").
  bool finish(bool close_after);
  // Set by the host before a send: the OnSendResponse hook runs first.
  void set_before_send(std::function<void()> hook) { before_send_ = std::move(hook); }

 private:
  bool send_buffered(bool final, bool close_after);

  ConnectionIo& io_;
  ResponseHead head_;
  std::vector<std::string_view> body_;  // written but not yet sent (module memory)
  bool touched_ = false;                // the module set a status, header or body
  bool need_disconnect_ = false;
  bool need_goaway_ = false;
  bool headers_sent_ = false;
  bool finished_ = false;
  std::function<void()> before_send_;
};

}  // namespace termprobe_host
