// The vtable slots of IIS's response interfaces, in the order the Windows
// SDK's httpserv.h declares their methods: IHttpResponse's 28, then what
// IHttpResponse2, IHttpResponse3 and IHttpResponse4 add. A method's slot is
// its position here, counted from 0 (SdkResponseSlot): ResetStream is 33,
// SetNeedGoAway 34. Each row also gives the SDK's signature, so a check
// that takes the member's address through it fails to compile when the
// declaration differs.
//
// Source: Include/um/httpserv.h of SDK 10.0.26100.1 (KNSoft/WinSDK-Diff,
// commit 8415c88f), where the chain is unchanged since IHttpResponse4 was
// added in 10.0.20348.1 (commit 68d8a845); IHttpResponse to IHttpResponse3
// are the same in 10.0.10240.0 (tpn/winsdk-10) and 10.0.14393 to
// 10.0.19041. docs/module-contract.md has the SDK table.
//
// Who checks against it: iis_response_slots_test.cpp (the Linux build, in
// ctest) and iis_response_slots_probe.cpp (scripts/check-module-mingw, as
// mingw-w64 compiles the module for Windows). Both read a slot from a
// pointer to member under the Itanium C++ ABI, which g++ uses on Linux and
// on mingw-w64: a virtual member's pointer holds 1 + its byte offset in the
// vtable. MSVC is reported to place a class's overloads of one name next to
// each other in an order of its own (unverified here): every overloaded
// name below is declared in one adjacent group within one interface, so
// that could only reorder slots inside such a group, never move another
// method, and ResetStream and SetNeedGoAway have no overloads.
#pragma once

#include <httpresponse4.h>
#include <httpserv.h>

#include <type_traits>

// X(tag, interface that declares it, method, return type, parameter list and qualifiers)
#define TERMPROBE_SDK_RESPONSE_SLOTS(X)                                                                \
  /* IHttpResponse */                                                                                  \
  X(GetRawHttpResponse, IHttpResponse, GetRawHttpResponse, HTTP_RESPONSE*, (VOID))                     \
  X(GetRawHttpResponseConst, IHttpResponse, GetRawHttpResponse, const HTTP_RESPONSE*, (VOID) const)    \
  X(GetCachePolicy, IHttpResponse, GetCachePolicy, IHttpCachePolicy*, (VOID))                          \
  X(SetStatus, IHttpResponse, SetStatus, HRESULT,                                                      \
    (USHORT, PCSTR, USHORT, HRESULT, IAppHostConfigException*, BOOL))                                  \
  X(SetHeaderByName, IHttpResponse, SetHeader, HRESULT, (PCSTR, PCSTR, USHORT, BOOL))                  \
  X(SetHeaderById, IHttpResponse, SetHeader, HRESULT, (HTTP_HEADER_ID, PCSTR, USHORT, BOOL))           \
  X(DeleteHeaderByName, IHttpResponse, DeleteHeader, HRESULT, (PCSTR))                                 \
  X(DeleteHeaderById, IHttpResponse, DeleteHeader, HRESULT, (HTTP_HEADER_ID))                          \
  X(GetHeaderByName, IHttpResponse, GetHeader, PCSTR, (PCSTR, USHORT*) const)                          \
  X(GetHeaderById, IHttpResponse, GetHeader, PCSTR, (HTTP_HEADER_ID, USHORT*) const)                   \
  X(Clear, IHttpResponse, Clear, VOID, (VOID))                                                         \
  X(ClearHeaders, IHttpResponse, ClearHeaders, VOID, (VOID))                                           \
  X(SetNeedDisconnect, IHttpResponse, SetNeedDisconnect, VOID, (VOID))                                 \
  X(ResetConnection, IHttpResponse, ResetConnection, VOID, (VOID))                                     \
  X(DisableKernelCache, IHttpResponse, DisableKernelCache, VOID, (ULONG))                              \
  X(GetKernelCacheEnabled, IHttpResponse, GetKernelCacheEnabled, BOOL, (VOID) const)                   \
  X(SuppressHeaders, IHttpResponse, SuppressHeaders, VOID, (VOID))                                     \
  X(GetHeadersSuppressed, IHttpResponse, GetHeadersSuppressed, BOOL, (VOID) const)                     \
  X(Flush, IHttpResponse, Flush, HRESULT, (BOOL, BOOL, DWORD*, BOOL*))                                 \
  X(Redirect, IHttpResponse, Redirect, HRESULT, (PCSTR, BOOL, BOOL))                                   \
  X(WriteEntityChunkByReference, IHttpResponse, WriteEntityChunkByReference, HRESULT,                  \
    (HTTP_DATA_CHUNK*, LONG))                                                                          \
  X(WriteEntityChunks, IHttpResponse, WriteEntityChunks, HRESULT,                                      \
    (HTTP_DATA_CHUNK*, DWORD, BOOL, BOOL, DWORD*, BOOL*))                                              \
  X(DisableBuffering, IHttpResponse, DisableBuffering, VOID, (VOID))                                   \
  X(GetStatus, IHttpResponse, GetStatus, VOID,                                                         \
    (USHORT*, USHORT*, PCSTR*, USHORT*, HRESULT*, PCWSTR*, DWORD*, IAppHostConfigException**, BOOL*))  \
  X(SetErrorDescription, IHttpResponse, SetErrorDescription, HRESULT, (PCWSTR, DWORD, BOOL))           \
  X(GetErrorDescription, IHttpResponse, GetErrorDescription, PCWSTR, (DWORD*))                         \
  X(GetHeaderChanges, IHttpResponse, GetHeaderChanges, HRESULT,                                        \
    (DWORD, DWORD*, PCSTR*, DWORD*, PCSTR**, PCSTR**, DWORD*, DWORD*, DWORD**))                        \
  X(CloseConnection, IHttpResponse, CloseConnection, VOID, (VOID))                                     \
  /* IHttpResponse2 : IHttpResponse */                                                                 \
  X(Response2_WriteEntityChunks, IHttpResponse2, WriteEntityChunks, HRESULT,                           \
    (HTTP_DATA_CHUNK*, DWORD, BOOL, BOOL, PFN_ASYNC_COMPLETION, VOID*, DWORD*, BOOL*))                 \
  X(Response2_Flush, IHttpResponse2, Flush, HRESULT,                                                   \
    (BOOL, BOOL, PFN_ASYNC_COMPLETION, VOID*, DWORD*, BOOL*))                                          \
  /* IHttpResponse3 : IHttpResponse2 */                                                                \
  X(PushPromise, IHttpResponse3, PushPromise, HRESULT, (PCSTR, PCWSTR, PCWSTR, DWORD, PCSTR*, PCSTR*)) \
  /* IHttpResponse4 : IHttpResponse3 */                                                                \
  X(DeleteTrailer, IHttpResponse4, DeleteTrailer, HRESULT, (PCSTR))                                    \
  X(GetTrailer, IHttpResponse4, GetTrailer, PCSTR, (PCSTR, USHORT*) const)                             \
  X(ResetStream, IHttpResponse4, ResetStream, VOID, (ULONG))                                           \
  X(SetNeedGoAway, IHttpResponse4, SetNeedGoAway, VOID, (VOID))                                        \
  X(SetTrailer, IHttpResponse4, SetTrailer, HRESULT, (PCSTR, PCSTR, USHORT, BOOL))

namespace termprobe_test {

// Each method's slot in IHttpResponse4's vtable: its row's position above.
enum class SdkResponseSlot : int {
#define TERMPROBE_SDK_SLOT_ENUMERATOR(tag, owner, method, result, parameters) tag,
  TERMPROBE_SDK_RESPONSE_SLOTS(TERMPROBE_SDK_SLOT_ENUMERATOR)
#undef TERMPROBE_SDK_SLOT_ENUMERATOR
      count
};

// A pointer to a member function of an interface, rebound to IHttpResponse4.
template <class Member>
struct OnResponse4;
template <class Result, class Owner, class... Parameters>
struct OnResponse4<Result (Owner::*)(Parameters...)> {
  using type = Result (IHttpResponse4::*)(Parameters...);
};
template <class Result, class Owner, class... Parameters>
struct OnResponse4<Result (Owner::*)(Parameters...) const> {
  using type = Result (IHttpResponse4::*)(Parameters...) const;
};

// Whether the interface that declares a row's method is one IHttpResponse4
// extends, as in the SDK. When it is not, the slot read from the member
// means nothing for the module (the check says so instead).
template <class Owner>
inline constexpr bool kExtendedByResponse4 = std::is_base_of_v<Owner, IHttpResponse4>;

// The method as the module sees it: a member of IHttpResponse4, reached
// through the cast the module makes, when its interface is a base. (A
// template argument, not a function argument: g++ converts a pointer to
// member in a constant expression only when it is a constant there.)
template <class Owner, auto member>
constexpr auto module_view() {
  if constexpr (kExtendedByResponse4<Owner>)
    return static_cast<typename OnResponse4<decltype(member)>::type>(member);
  else
    return member;
}

}  // namespace termprobe_test

// The row's method, taken through the SDK's signature (a declaration that
// differs does not compile), as the module sees it.
#define TERMPROBE_SDK_SLOT_MEMBER(tag, owner, method, result, parameters) \
  termprobe_test::module_view<owner, static_cast<result(owner::*) parameters>(&owner::method)>()
