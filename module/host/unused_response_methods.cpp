#include "unused_response_methods.h"

namespace termprobe_host {
namespace {

PCSTR no_value(USHORT* length) {
  if (length != NULL) *length = 0;
  return NULL;
}

template <class T>
void zero(T* out) {
  if (out != NULL) *out = T();
}

}  // namespace

PCSTR UnusedResponseMethods::GetHeader(PCSTR, USHORT* pcchHeaderValue) const {
  return no_value(pcchHeaderValue);
}

PCSTR UnusedResponseMethods::GetHeader(HTTP_HEADER_ID, USHORT* pcchHeaderValue) const {
  return no_value(pcchHeaderValue);
}

VOID UnusedResponseMethods::GetStatus(USHORT* pStatusCode, USHORT* pSubStatus, PCSTR* ppszReason,
                                      USHORT* pcchReason, HRESULT* phrErrorToReport, PCWSTR* ppszModule,
                                      DWORD* pdwNotification, IAppHostConfigException** ppException,
                                      BOOL* pfTrySkipCustomErrors) {
  zero(pStatusCode);
  zero(pSubStatus);
  zero(ppszReason);
  zero(pcchReason);
  zero(phrErrorToReport);
  zero(ppszModule);
  zero(pdwNotification);
  zero(ppException);
  zero(pfTrySkipCustomErrors);
}

PCWSTR UnusedResponseMethods::GetErrorDescription(DWORD* pcchDescription) {
  zero(pcchDescription);
  return NULL;
}

PCSTR UnusedResponseMethods::GetTrailer(PCSTR, USHORT* pcchHeaderValue) const {
  return no_value(pcchHeaderValue);
}

}  // namespace termprobe_host
