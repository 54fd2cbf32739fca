#include "host_response.h"

namespace termprobe_host {
namespace {

std::string header_name(HTTP_HEADER_ID id) {
  switch (id) {
    case HttpHeaderCacheControl: return "Cache-Control";
    case HttpHeaderConnection: return "Connection";
    case HttpHeaderContentLength: return "Content-Length";
    case HttpHeaderContentType: return "Content-Type";
    case HttpHeaderServer: return "Server";
    default: break;
  }
  return "X-Unknown-Header";
}

std::size_t total_size(const std::vector<std::string_view>& pieces) {
  std::size_t total = 0;
  for (const auto piece : pieces) total += piece.size();
  return total;
}

}  // namespace

// The IIS reference says Clear "clears the response entity": the body goes,
// status and headers stay.
VOID HostResponse::Clear(VOID) { body_.clear(); }

HRESULT HostResponse::SetStatus(USHORT statusCode, PCSTR pszReason, USHORT, HRESULT, IAppHostConfigException*,
                                BOOL) {
  if (statusCode < 100 || statusCode > 999) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  head_.status = statusCode;
  head_.reason = pszReason != NULL ? pszReason : "";
  touched_ = true;
  return S_OK;
}

HRESULT HostResponse::SetHeader(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                                BOOL fReplace) {
  if (pszHeaderName == NULL || pszHeaderValue == NULL) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  const std::string name = pszHeaderName;
  std::string value(pszHeaderValue, cchHeaderValue);
  touched_ = true;
  if (fReplace) {
    for (auto& [existing, old] : head_.headers) {
      if (same_header_name(existing, name)) {
        old = std::move(value);
        return S_OK;
      }
    }
  }
  head_.headers.emplace_back(name, std::move(value));
  return S_OK;
}

HRESULT HostResponse::SetHeader(HTTP_HEADER_ID ulHeaderIndex, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                                BOOL fReplace) {
  return SetHeader(header_name(ulHeaderIndex).c_str(), pszHeaderValue, cchHeaderValue, fReplace);
}

// Buffered, as IIS buffers responses by default; the host keeps a reference
// to the bytes, so both the synchronous and the asynchronous form complete
// at once (*pfCompletionExpected = FALSE).
HRESULT HostResponse::WriteEntityChunks(HTTP_DATA_CHUNK* pDataChunks, DWORD nChunks, BOOL, BOOL,
                                        DWORD* pcbSent, BOOL* pfCompletionExpected) {
  DWORD written = 0;
  for (DWORD i = 0; i < nChunks; ++i) {
    if (pDataChunks[i].DataChunkType != HttpDataChunkFromMemory)
      return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
    body_.emplace_back(static_cast<const char*>(pDataChunks[i].FromMemory.pBuffer),
                       pDataChunks[i].FromMemory.BufferLength);
    written += pDataChunks[i].FromMemory.BufferLength;
  }
  touched_ = true;
  if (pcbSent != NULL) *pcbSent = written;
  if (pfCompletionExpected != NULL) *pfCompletionExpected = FALSE;
  return S_OK;
}

// Sends the headers (first time) and the buffered body now: they are queued
// on the connection in order, ahead of anything later (a reset included).
// Both forms complete at once, and CancelIo never cancels a send (unverified
// how IIS times this).
HRESULT HostResponse::Flush(BOOL, BOOL, DWORD* pcbSent, BOOL* pfCompletionExpected) {
  const auto before = total_size(body_);
  const bool sent = send_buffered(false, need_disconnect_);
  if (pcbSent != NULL) *pcbSent = static_cast<DWORD>(before);
  if (pfCompletionExpected != NULL) *pfCompletionExpected = FALSE;
  // After a reset, IIS methods keep succeeding (the ResetConnection page).
  return sent || io_.is_reset() ? S_OK : HRESULT_FROM_WIN32(ERROR_CONNECTION_INVALID);
}

// The ResetConnection page: "an immediate reset of the socket connection".
// Whatever is buffered is dropped; later writes succeed and go nowhere.
VOID HostResponse::ResetConnection(VOID) {
  body_.clear();
  io_.reset();
}

// The SetNeedDisconnect page: disconnect "after the server finishes
// processing the current request". The host completes the response,
// announces "Connection: close" and closes gracefully (FIN). Whether IIS
// announces it or closes with FIN or RST is unverified.
VOID HostResponse::SetNeedDisconnect(VOID) { need_disconnect_ = true; }

// RST_STREAM(errorCode) once what was flushed has gone out; what is still
// buffered is dropped, and later writes succeed and go nowhere, as after
// ResetConnection. On HTTP/1.1 there is no stream to reset: nothing happens
// (the module calls it on HTTP/2 requests only).
VOID HostResponse::ResetStream(ULONG errorCode) {
  body_.clear();
  io_.reset_stream(errorCode);
}

bool HostResponse::finish(bool close_after) {
  if (finished_) return true;
  const bool sent = send_buffered(true, close_after);
  finished_ = true;
  return sent;
}

bool HostResponse::send_buffered(bool final, bool close_after) {
  if (before_send_) before_send_();
  if (io_.is_reset()) return false;
  ResponsePart part;
  if (!headers_sent_) {
    part.head = &head_;
    part.goaway_first = need_goaway_;
    headers_sent_ = true;
  }
  part.body = std::move(body_);
  part.final = final;
  part.close_after = close_after;
  body_.clear();
  return io_.send_part(std::move(part));
}

}  // namespace termprobe_host
