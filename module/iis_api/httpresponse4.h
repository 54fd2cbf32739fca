// IHttpResponse4: the HTTP/2 part of IIS's response interface (trailers,
// RST_STREAM, GOAWAY). Older Windows SDKs' <httpserv.h> do not declare it;
// ASP.NET Core's IIS module (ANCM) declares it in its own source, and this
// declaration follows that one: same methods, same order, same signatures,
// and its IID in a comment:
// https://github.com/dotnet/aspnetcore/blob/main/src/Servers/IIS/AspNetCoreModuleV2/InProcessRequestHandler/managedexports.cpp
//
// ANCM declares it as deriving from IHttpResponse3 (IHttpResponse2 and 3 add
// methods termprobe never calls); here it derives from termprobe's
// IHttpResponse directly. As for httpserv.h, only the names and signatures
// are meant to match, never the vtable layout.
#pragma once

#include <httpserv.h>

// IID, as ANCM's __declspec(uuid(...)) gives it: 1a2acc57-cae2-4f28-b4ab-00c8f96b12ec.
class IHttpResponse4 : public IHttpResponse {
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
