#include "report/profile.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/builtin_profiles.h"
#include "report/input_file.h"

namespace termprobe {
namespace {

using nlohmann::json;

Result<Expectation> parse_expectation(const json& entry, const std::string& where) {
  if (!entry.is_object())
    return fail(ErrorKind::invalid_input, where + ": expected an object with \"expect\"");
  Expectation expectation;
  for (const auto& [key, value] : entry.items()) {
    if (key == "note" && value.is_string()) {
      expectation.note = value.get<std::string>();
    } else if (key == "expect" && value.is_null()) {
      expectation.labels.reset();
    } else if (key == "expect" && value.is_array() && !value.empty()) {
      std::set<Label> labels;
      for (const auto& item : value) {
        const auto label = item.is_string() ? label_from_string(item.get<std::string>()) : std::nullopt;
        if (!label) return fail(ErrorKind::invalid_input, where + ": " + item.dump() + " is not a label");
        labels.insert(*label);
      }
      expectation.labels = std::move(labels);
    } else {
      return fail(ErrorKind::invalid_input, where + ": unexpected key or value \"" + key +
                                                "\" (use \"expect\": [labels] or null, \"note\")");
    }
  }
  if (!entry.contains("expect")) return fail(ErrorKind::invalid_input, where + ": missing \"expect\"");
  return expectation;
}

}  // namespace

Result<Profile> parse_profile(const std::string& text, const std::string& origin,
                              const std::vector<std::string>& known_scenarios) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& error) {
    return fail(ErrorKind::invalid_input, "profile " + origin + " is not valid JSON: " + error.what());
  }
  if (!document.is_object() || !document.contains("scenarios") || !document["scenarios"].is_object())
    return fail(ErrorKind::invalid_input,
                "profile " + origin + ": expected {\"profile\": ..., \"scenarios\": {...}}");
  Profile profile;
  profile.name = document.value("profile", origin);
  profile.description = document.value("description", "");
  for (const auto& [name, entry] : document["scenarios"].items()) {
    const std::string where = "profile " + origin + ", scenario \"" + name + "\"";
    if (std::find(known_scenarios.begin(), known_scenarios.end(), name) == known_scenarios.end())
      return fail(ErrorKind::invalid_input, where + ": no such scenario");
    auto expectation = parse_expectation(entry, where);
    if (!expectation) return tl::unexpected(expectation.error());
    profile.scenarios[name] = std::move(*expectation);
  }
  return profile;
}

Result<Profile> load_profile(const std::string& name_or_path,
                             const std::vector<std::string>& known_scenarios) {
  if (const char* builtin = builtin_profile_json(name_or_path))
    return parse_profile(builtin, name_or_path, known_scenarios);
  const bool looks_like_path =
      name_or_path.find('/') != std::string::npos || name_or_path.find(".json") != std::string::npos;
  if (!looks_like_path && !std::filesystem::exists(name_or_path))
    return fail(ErrorKind::invalid_input,
                "unknown profile '" + name_or_path + "': use reference, iis or a profile JSON file");
  auto file = open_input_file(name_or_path, "profile file");
  if (!file) return tl::unexpected(file.error());
  std::stringstream text;
  text << file->rdbuf();
  return parse_profile(text.str(), "'" + name_or_path + "'", known_scenarios);
}

std::vector<std::string> builtin_profile_names() { return {"reference", "iis"}; }

}  // namespace termprobe
