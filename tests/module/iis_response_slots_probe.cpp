// Compiled by scripts/check-module-mingw with x86_64-w64-mingw32-g++ -S,
// against the headers the module's Windows build includes: one record per
// row of iis_response_slots.h, {the SDK's slot, whether the method's
// interface is a base of IHttpResponse4, the member's pointer}, each a
// global the assembly lists by name. Under the Itanium C++ ABI, which
// mingw-w64's g++ follows, a virtual member's pointer is {1 + its byte
// offset in the vtable, 0}; the script reads the slot from it and compares.
// Nothing here runs: no Windows is needed.
#include "termprobe_module.h"  // the module's includes, in its order

#include "iis_response_slots.h"  // <httpresponse4.h>, as the module includes it

// Not in an unnamed namespace: the records need external linkage, or the
// compiler drops them.
template <class MemberFunction>
struct SlotRecord {
  long long sdk_slot;
  long long extended_by_response4;  // 0: the method's interface is no base of IHttpResponse4
  MemberFunction member;
};

#define TERMPROBE_SLOT_RECORD(tag, owner, method, result, parameters)                                      \
  extern constexpr SlotRecord<decltype(TERMPROBE_SDK_SLOT_MEMBER(tag, owner, method, result, parameters))> \
      termprobe_slot_##tag = {static_cast<long long>(termprobe_test::SdkResponseSlot::tag),                \
                              termprobe_test::kExtendedByResponse4<owner> ? 1 : 0,                         \
                              TERMPROBE_SDK_SLOT_MEMBER(tag, owner, method, result, parameters)};
TERMPROBE_SDK_RESPONSE_SLOTS(TERMPROBE_SLOT_RECORD)

// How many records the script must find.
extern constexpr long long termprobe_sdk_slot_count =
    static_cast<long long>(termprobe_test::SdkResponseSlot::count);
