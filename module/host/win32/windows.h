// Linux stand-in for the few Win32 base types and macros the IIS module API
// and the termprobe module use. Values are the documented Win32 ones.
// Only for the Linux host: a Windows build uses the real <windows.h>.
#pragma once

#include <cstdint>

#define VOID void
#define IN
#define OUT
#define CONST const
#define __stdcall
#define WINAPI
#define CALLBACK
#define UNREFERENCED_PARAMETER(parameter) ((void)(parameter))

using BOOL = int;
using BYTE = std::uint8_t;
using USHORT = std::uint16_t;
using WORD = std::uint16_t;
using DWORD = std::uint32_t;
using ULONG = std::uint32_t;
using LONG = std::int32_t;
using ULONGLONG = std::uint64_t;
using HRESULT = std::int32_t;
using PVOID = void*;
using PCSTR = const char*;
using PSTR = char*;
using WCHAR = wchar_t;  // 16-bit on Windows, 32-bit here: no wide string crosses the host
using PCWSTR = const WCHAR*;
using PWSTR = WCHAR*;
using HANDLE = void*;
using LONGLONG = std::int64_t;

struct FILETIME {
  DWORD dwLowDateTime;
  DWORD dwHighDateTime;
};
using PFILETIME = FILETIME*;

#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#ifndef NULL
#define NULL nullptr
#endif

#define S_OK static_cast<HRESULT>(0)
#define E_FAIL static_cast<HRESULT>(0x80004005u)
#define E_INVALIDARG static_cast<HRESULT>(0x80070057u)
#define E_NOTIMPL static_cast<HRESULT>(0x80004001u)
#define SUCCEEDED(hr) (static_cast<HRESULT>(hr) >= 0)
#define FAILED(hr) (static_cast<HRESULT>(hr) < 0)
#define FACILITY_WIN32 7
#define HRESULT_FROM_WIN32(x)                                                                    \
  (static_cast<HRESULT>(x) <= 0 ? static_cast<HRESULT>(x)                                        \
                                : static_cast<HRESULT>(((static_cast<DWORD>(x)) & 0x0000FFFFu) | \
                                                       (FACILITY_WIN32 << 16) | 0x80000000u))

#define ERROR_INVALID_HANDLE 6L
#define ERROR_NOT_ENOUGH_MEMORY 8L
#define ERROR_HANDLE_EOF 38L
#define ERROR_INVALID_PARAMETER 87L
#define ERROR_CONNECTION_INVALID 1229L
#define ERROR_OPERATION_ABORTED 995L

// The thread pool timer API (threadpoolapiset.h). On the Linux host the
// timers run on the host's Asio threads (module/host/threadpool_timer.cpp);
// they can only be created from a host thread (a notification), elsewhere
// CreateThreadpoolTimer returns NULL.
struct TP_TIMER;
using PTP_TIMER = TP_TIMER*;
struct TP_CALLBACK_INSTANCE;
using PTP_CALLBACK_INSTANCE = TP_CALLBACK_INSTANCE*;
struct TP_CALLBACK_ENVIRON;
using PTP_CALLBACK_ENVIRON = TP_CALLBACK_ENVIRON*;
using PTP_TIMER_CALLBACK = VOID (*)(PTP_CALLBACK_INSTANCE Instance, PVOID Context, PTP_TIMER Timer);

PTP_TIMER CreateThreadpoolTimer(PTP_TIMER_CALLBACK pfnti, PVOID pv, PTP_CALLBACK_ENVIRON pcbe);
// pftDueTime: negative = relative, in 100 ns units; NULL disarms. Periods are not supported.
VOID SetThreadpoolTimer(PTP_TIMER pti, PFILETIME pftDueTime, DWORD msPeriod, DWORD msWindowLength);
VOID WaitForThreadpoolTimerCallbacks(PTP_TIMER pti, BOOL fCancelPendingCallbacks);
VOID CloseThreadpoolTimer(PTP_TIMER pti);
