#include "host_response.h"

#include <algorithm>
#include <cctype>

namespace termprobe_host {
namespace {

std::string header_name(HTTP_HEADER_ID id) {
  switch (id) {
    case HttpHeaderCacheControl: return "Cache-Control";
    case HttpHeaderConnection: return "Connection";
    case HttpHeaderContentLength: return "Content-Length";
    case HttpHeaderContentType: return "Content-Type";
    case HttpHeaderServer: return "Server";
  }
  return "X-Unknown-Header";
}

bool same_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::size_t total_size(const std::vector<std::string_view>& pieces) {
  std::size_t total = 0;
  for (const auto piece : pieces) total += piece.size();
  return total;
}

std::string chunk_size_line(std::size_t size) {
  char line[20];
  std::snprintf(line, sizeof(line), "%zx\r\n", size);
  return line;
}

}  // namespace

// The IIS reference says Clear "clears the response entity": the body goes,
// status and headers stay.
VOID HostResponse::Clear(VOID) { body_.clear(); }

HRESULT HostResponse::SetStatus(USHORT statusCode, PCSTR pszReason, USHORT, HRESULT, IAppHostConfigException*,
                                BOOL) {
  if (statusCode < 100 || statusCode > 999) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  status_ = statusCode;
  reason_ = pszReason != NULL ? pszReason : "";
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
    for (auto& [existing, old] : headers_) {
      if (same_name(existing, name)) {
        old = std::move(value);
        return S_OK;
      }
    }
  }
  headers_.emplace_back(name, std::move(value));
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

bool HostResponse::finish(bool close_after) {
  if (finished_) return true;
  const bool sent = send_buffered(true, close_after);
  finished_ = true;
  return sent;
}

bool HostResponse::send_buffered(bool final, bool close_after) {
  if (before_send_) before_send_();
  if (io_.is_reset()) return false;
  const std::size_t body_size = total_size(body_);
  WireBytes wire;
  if (!headers_sent_) {
    // A response flushed before it is complete needs chunked framing unless
    // the module declared Content-Length itself.
    chunked_ = !final && find_header("Content-Length") == nullptr;
    std::string text = head(chunked_, close_after);
    headers_sent_ = true;
    if (!chunked_ && final && find_header("Content-Length") == nullptr)
      text.insert(text.size() - 2, "Content-Length: " + std::to_string(body_size) + "\r\n");
    wire.add_text(std::move(text));
  }
  if (chunked_ && body_size > 0) wire.add_text(chunk_size_line(body_size));
  for (const auto piece : body_) wire.add_borrowed(piece);
  if (chunked_ && body_size > 0) wire.add_text("\r\n");
  if (chunked_ && final) wire.add_text("0\r\n\r\n");
  body_.clear();
  return io_.send(std::move(wire));
}

std::string HostResponse::head(bool chunked, bool close_after) const {
  std::string text = "HTTP/1.1 " + std::to_string(status_) + " " + reason_ + "\r\n";
  text += "Server: termprobe-module-host\r\n";
  for (const auto& [name, value] : headers_) {
    if (same_name(name, "Connection") || same_name(name, "Transfer-Encoding")) continue;
    text += name + ": " + value + "\r\n";
  }
  if (chunked) text += "Transfer-Encoding: chunked\r\n";
  if (close_after) text += "Connection: close\r\n";
  return text + "\r\n";
}

const std::string* HostResponse::find_header(const std::string& name) const {
  for (const auto& [existing, value] : headers_) {
    if (same_name(existing, name)) return &value;
  }
  return nullptr;
}

}  // namespace termprobe_host
