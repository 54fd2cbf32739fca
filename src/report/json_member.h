// Reading a report entry back, where a member may be null, absent, or its
// parent null (the report's null means unknown): the page, -v and the
// clients' lines read entries through these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace termprobe {

// The member, or a null when the object or the member is missing.
const nlohmann::ordered_json& json_member(const nlohmann::ordered_json& object, const char* key);

// The member when it is a number (an integer as written), else nullopt.
std::optional<std::int64_t> json_number(const nlohmann::ordered_json& object, const char* key);

// The member when it is a string, else "".
std::string json_text(const nlohmann::ordered_json& object, const char* key);

}  // namespace termprobe
