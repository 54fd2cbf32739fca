#include "host_request.h"

#include <algorithm>

#include "response_part.h"

namespace termprobe_host {

HostRequest::HostRequest(RequestHead head, ConnectionIo& io) : head_(std::move(head)), io_(io) {
  raw_.Version = HTTP_VERSION{head_.major_version, static_cast<USHORT>(head_.major_version == 1 ? 1 : 0)};
  raw_.pRawUrl = head_.target.c_str();
  raw_.RawUrlLength = static_cast<USHORT>(std::min<std::size_t>(head_.target.size(), 0xffff));
}

PCSTR HostRequest::GetHeader(PCSTR pszHeaderName, USHORT* pcchHeaderValue) const {
  const std::string wanted = pszHeaderName != NULL ? pszHeaderName : "";
  for (const auto& [name, value] : head_.headers) {
    if (!same_header_name(name, wanted)) continue;
    if (pcchHeaderValue != NULL) *pcchHeaderValue = static_cast<USHORT>(value.size());
    return value.c_str();
  }
  if (pcchHeaderValue != NULL) *pcchHeaderValue = 0;
  return NULL;
}

HRESULT HostRequest::ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync, DWORD* pcbBytesReceived,
                                    BOOL* pfCompletionPending) {
  if (pvBuffer == NULL || cbBuffer == 0) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  const ReadResult result = io_.read_body(pvBuffer, cbBuffer, fAsync != FALSE);
  if (pcbBytesReceived != NULL) *pcbBytesReceived = result.bytes;
  if (pfCompletionPending != NULL) *pfCompletionPending = result.pending ? TRUE : FALSE;
  return result.status;
}

}  // namespace termprobe_host
