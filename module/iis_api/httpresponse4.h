// IHttpResponse4: the HTTP/2 part of IIS's response interface (trailers,
// RST_STREAM, GOAWAY). The module calls ResetStream and SetNeedGoAway on it
// through a cast of IHttpContext::GetResponse(), so each must sit in the
// vtable slot IIS's implementation has for it: slot 33 and 34, after
// IHttpResponse's 28 methods, IHttpResponse2's 2 and IHttpResponse3's 1.
//
// Which declaration is used (docs/module-contract.md has the SDK table):
//   - the Windows SDK's own, from 10.0.20348 on: its httpserv.h declares
//     IHttpResponse4 : IHttpResponse3 (KNSoft/WinSDK-Diff, commit 68d8a845,
//     "SDK-10.0.20348.1", Include/um/httpserv.h);
//   - the one below, for Windows 10 SDKs before that (they declare
//     IHttpResponse2 and IHttpResponse3 but not IHttpResponse4), and with
//     termprobe's own httpserv.h (Linux host, mingw check), which declares
//     the chain up to IHttpResponse3 as those SDKs do.
// The one below is the SDK's 10.0.20348 declaration, which is also what
// ASP.NET Core's IIS module (ANCM) declares for itself (dotnet/aspnetcore,
// src/Servers/IIS/AspNetCoreModuleV2/InProcessRequestHandler/managedexports.cpp,
// commit 962135137fbf44093aede4ebedae74b9571cbd25): same base, methods,
// order and signatures. Its IID, as both give it:
// 1a2acc57-cae2-4f28-b4ab-00c8f96b12ec.
//
// tests/module/iis_response_slots.h holds the SDK's slot order; the host's
// unit test and scripts/check-module-mingw compare this declaration's slots
// with it.
#pragma once

#include <httpserv.h>

#if defined(TERMPROBE_IIS_API)
#define TERMPROBE_DECLARE_IHTTPRESPONSE4 1
#elif !defined(NTDDI_WIN10)
#error \
    "the termprobe module needs a Windows 10 SDK (10.0.10240 or later): older httpserv.h lack IHttpResponse3, which IHttpResponse4 extends"
#elif defined(NTDDI_WIN10_FE) && defined(WDK_NTDDI_VERSION) && WDK_NTDDI_VERSION >= NTDDI_WIN10_FE
// SDK 10.0.20348 (NTDDI_WIN10_FE) or later: its httpserv.h declares IHttpResponse4.
#else
#define TERMPROBE_DECLARE_IHTTPRESPONSE4 1
#endif

#if defined(TERMPROBE_DECLARE_IHTTPRESPONSE4)
class IHttpResponse4 : public IHttpResponse3 {
 public:
  virtual HRESULT DeleteTrailer(IN PCSTR pszHeaderName) = 0;
  virtual PCSTR GetTrailer(IN PCSTR pszHeaderName, OUT USHORT* pcchHeaderValue = NULL) const = 0;
  // RST_STREAM with errorCode on the request's stream (HTTP/2 only).
  virtual VOID ResetStream(IN ULONG errorCode) = 0;
  // GOAWAY on the request's connection (HTTP/2 only).
  virtual VOID SetNeedGoAway(VOID) = 0;
  virtual HRESULT SetTrailer(IN PCSTR pszHeaderName, IN PCSTR pszHeaderValue, IN USHORT cchHeaderValue,
                             IN BOOL fReplace) = 0;
};
#undef TERMPROBE_DECLARE_IHTTPRESPONSE4
#endif
