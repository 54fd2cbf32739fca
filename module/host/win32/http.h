// Linux stand-in for the part of the HTTP Server API (<http.h>) that the IIS
// module API and the termprobe module use. Names and enumerator values follow
// Microsoft's documentation; the layout is the host's own (no binary is ever
// shared with Windows).
#pragma once

#include <windows.h>

enum HTTP_DATA_CHUNK_TYPE {
  HttpDataChunkFromMemory = 0,
  HttpDataChunkFromFileHandle,
  HttpDataChunkFromFragmentCache,
  HttpDataChunkFromFragmentCacheEx,
  HttpDataChunkMaximum
};

struct HTTP_DATA_CHUNK {
  HTTP_DATA_CHUNK_TYPE DataChunkType;
  struct {
    PVOID pBuffer;
    ULONG BufferLength;
  } FromMemory;
};

enum HTTP_HEADER_ID {
  HttpHeaderCacheControl = 0,
  HttpHeaderConnection = 1,
  HttpHeaderContentLength = 11,
  HttpHeaderContentType = 12,
  HttpHeaderServer = 26,
  HttpHeaderResponseMaximum = 30,  // the response headers' ids end here
  HttpHeaderRequestMaximum = 41,   // the request headers' ids end here
};

struct HTTP_VERSION {
  USHORT MajorVersion;
  USHORT MinorVersion;
};

// IHttpResponse::GetRawHttpResponse returns one; the host hands out none.
struct HTTP_RESPONSE;

struct HTTP_REQUEST {
  HTTP_VERSION Version;  // 1.1, or 2.0 for a request on an HTTP/2 stream
  USHORT RawUrlLength;   // bytes in pRawUrl, without a terminator
  PCSTR pRawUrl;         // the request target as sent ("/termprobe/ok?bytes=10")
};
