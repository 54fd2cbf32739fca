#include "probes/noted_headers.h"
#include "common/ascii_case.h"

#include <algorithm>
#include <cctype>

namespace termprobe {
namespace {

void keep(std::optional<std::string>& slot, std::string_view value) {
  if (slot && slot->size() >= kNotedValueLimit) return;
  if (slot)
    slot->append(", ");
  else
    slot.emplace();
  slot->append(value.substr(0, kNotedValueLimit));
  if (slot->size() > kNotedValueLimit) slot->resize(kNotedValueLimit);
}

}  // namespace

void NotedHeaders::note(std::string_view name, std::string_view value) {
  if (equals_ignoring_case(name, "server"))
    keep(server, value);
  else if (equals_ignoring_case(name, "connection"))
    keep(connection, value);
  else if (equals_ignoring_case(name, "keep-alive"))
    keep(keep_alive, value);
}

}  // namespace termprobe
