#include "report/json_member.h"

namespace termprobe {

using json = nlohmann::ordered_json;

const json& json_member(const json& object, const char* key) {
  static const json null_value;
  if (!object.is_object()) return null_value;
  const auto found = object.find(key);
  return found == object.end() ? null_value : *found;
}

std::optional<std::int64_t> json_number(const json& object, const char* key) {
  const json& value = json_member(object, key);
  if (!value.is_number()) return std::nullopt;
  return value.get<std::int64_t>();
}

std::string json_text(const json& object, const char* key) {
  const json& value = json_member(object, key);
  return value.is_string() ? value.get<std::string>() : std::string();
}

}  // namespace termprobe
