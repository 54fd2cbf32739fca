// IHttpResponse4 as the module sees it in the Linux build: every method of
// the chain in the vtable slot the Windows SDK's declaration order gives it
// (iis_response_slots.h). scripts/check-module-mingw checks the same rows
// as mingw-w64 compiles the module for Windows.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "iis_response_slots.h"

namespace termprobe_test {
namespace {

struct ItaniumMemberFunctionPointer {
  std::uintptr_t ptr;
  std::ptrdiff_t adj;
};

// The vtable slot a pointer to a virtual member function names, under the
// Itanium C++ ABI (section 2.3): ptr is 1 + the slot's byte offset and adj
// the this-adjustment; the ARM variant keeps the offset in ptr and marks
// "virtual" in adj's low bit. -1 for a non-virtual function, or one reached
// through another vtable than the class's primary one.
template <class MemberFunction>
int itanium_vtable_slot(MemberFunction member) {
  static_assert(sizeof(MemberFunction) == sizeof(ItaniumMemberFunctionPointer));
  ItaniumMemberFunctionPointer bits;
  std::memcpy(&bits, &member, sizeof bits);
#if defined(__arm__) || defined(__aarch64__)
  const bool is_virtual = (bits.adj & 1) != 0;
  const std::uintptr_t offset = bits.ptr;
  const std::ptrdiff_t adjustment = bits.adj >> 1;
#else
  const bool is_virtual = (bits.ptr & 1) != 0;
  const std::uintptr_t offset = bits.ptr - 1;
  const std::ptrdiff_t adjustment = bits.adj;
#endif
  if (!is_virtual || adjustment != 0 || offset % sizeof(void*) != 0) return -1;
  return static_cast<int>(offset / sizeof(void*));
}

struct ThreeSlots {
  virtual void first() = 0;
  virtual void second() = 0;
  virtual void third() = 0;
  void not_virtual() {}
};

TEST(ModuleIisVtable, SlotsAreReadFromPointersToMembers) {
  EXPECT_EQ(itanium_vtable_slot(&ThreeSlots::first), 0);
  EXPECT_EQ(itanium_vtable_slot(&ThreeSlots::third), 2);
  EXPECT_EQ(itanium_vtable_slot(&ThreeSlots::not_virtual), -1);
}

TEST(ModuleIisVtable, EveryResponseMethodSitsInItsSlotOfTheSdkOrder) {
#define TERMPROBE_EXPECT_SDK_SLOT(tag, owner, method, result, parameters)                           \
  EXPECT_TRUE(kExtendedByResponse4<owner>)                                                          \
      << #owner " is no base of IHttpResponse4, as the SDK declares it";                            \
  EXPECT_EQ(itanium_vtable_slot(TERMPROBE_SDK_SLOT_MEMBER(tag, owner, method, result, parameters)), \
            static_cast<int>(SdkResponseSlot::tag))                                                 \
      << #owner "::" #method " (" #tag "): the SDK's order puts it at slot "                        \
      << static_cast<int>(SdkResponseSlot::tag);
  TERMPROBE_SDK_RESPONSE_SLOTS(TERMPROBE_EXPECT_SDK_SLOT)
#undef TERMPROBE_EXPECT_SDK_SLOT
}

// The two the module calls, behind IHttpResponse's 28 methods,
// IHttpResponse2's 2 and IHttpResponse3's PushPromise.
TEST(ModuleIisVtable, ResetStreamAndSetNeedGoAwayAreSlots33And34) {
  EXPECT_EQ(static_cast<int>(SdkResponseSlot::count), 28 + 2 + 1 + 5);
  EXPECT_EQ(itanium_vtable_slot(&IHttpResponse4::ResetStream), 33);
  EXPECT_EQ(itanium_vtable_slot(&IHttpResponse4::SetNeedGoAway), 34);
}

}  // namespace
}  // namespace termprobe_test
