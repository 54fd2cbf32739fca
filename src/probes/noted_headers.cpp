#include "probes/noted_headers.h"

#include <algorithm>
#include <cctype>

namespace termprobe {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

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
  if (same_name(name, "server"))
    keep(server, value);
  else if (same_name(name, "connection"))
    keep(connection, value);
  else if (same_name(name, "keep-alive"))
    keep(keep_alive, value);
}

}  // namespace termprobe
