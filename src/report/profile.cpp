#include "report/profile.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/builtin_profiles.h"
#include "report/input_file.h"
#include "report/printable.h"

namespace termprobe {
namespace {

using nlohmann::json;

Result<std::set<std::string>> parse_tls_endings(const json& value, const std::string& where) {
  const auto& kinds = tls_ending_kinds();
  const auto wrong = [&](const std::string& what) {
    std::string known;
    for (const auto kind : kinds) known += (known.empty() ? "" : ", ") + std::string(kind);
    return fail(ErrorKind::invalid_input,
                where + ": \"tls_ending\" takes a list of " + known + "; not " + what);
  };
  if (!value.is_array() || value.empty()) return wrong(value.dump());
  std::set<std::string> endings;
  for (const auto& item : value) {
    const std::string kind = item.is_string() ? item.get<std::string>() : std::string();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return wrong(item.dump());
    endings.insert(kind);
  }
  return endings;
}

// http2_ending() forms: RST_STREAM(...) ..., GOAWAY(...) or none.
Result<std::set<std::string>> parse_http2_endings(const json& value, const std::string& where) {
  const auto wrong = [&](const std::string& what) {
    return fail(ErrorKind::invalid_input, where +
                                              ": \"http2_ending\" takes a list of \"RST_STREAM(CODE) WHEN\", "
                                              "\"GOAWAY(CODE, last ID)\" or \"none\"; not " +
                                              what);
  };
  if (!value.is_array() || value.empty()) return wrong(value.dump());
  std::set<std::string> endings;
  for (const auto& item : value) {
    const std::string text = item.is_string() ? item.get<std::string>() : std::string();
    const bool known = text == "none" || text.rfind("RST_STREAM(", 0) == 0 || text.rfind("GOAWAY(", 0) == 0;
    if (!known) return wrong(item.dump());
    endings.insert(text);
  }
  return endings;
}

enum class Part { scenario, tls, http2 };

// A scenario's entry, or its "tls" part (which may say "tls_ending") or its
// "http2" part (which may say "http2_ending"); the scenario's own "tls" and
// "http2" are the caller's to read.
Result<Expectation> parse_expectation(const json& entry, const std::string& where, Part part) {
  const bool tls = part == Part::tls;
  if (!entry.is_object())
    return fail(ErrorKind::invalid_input, where + ": expected an object with \"expect\"");
  Expectation expectation;
  for (const auto& [key, value] : entry.items()) {
    if ((key == "tls" || key == "http2") && part == Part::scenario) continue;
    if (key == "http2_ending" && part == Part::http2) {
      auto endings = parse_http2_endings(value, where);
      if (!endings) return tl::unexpected(endings.error());
      expectation.http2_endings = std::move(*endings);
    } else if (key == "tls_ending" && tls) {
      auto endings = parse_tls_endings(value, where);
      if (!endings) return tl::unexpected(endings.error());
      expectation.tls_endings = std::move(*endings);
    } else if (key == "note" && value.is_string()) {
      expectation.note = value.get<std::string>();
    } else if (key == "expect" && value.is_null()) {
      expectation.labels.reset();
    } else if (key == "expect" && value.is_array() && !value.empty()) {
      std::set<Label> labels;
      for (const auto& item : value) {
        const std::string text = item.is_string() ? item.get<std::string>() : item.dump();
        if (auto added = add_expected_label(text, labels, expectation.statuses); !added)
          return fail(ErrorKind::invalid_input, where + ": " + added.error().message);
      }
      expectation.labels = std::move(labels);
    } else {
      return fail(ErrorKind::invalid_input,
                  where + ": unexpected key or value \"" + printable(key) +
                      "\" (use \"expect\": [LABEL or LABEL/STATUS] or null, \"note\"" +
                      (tls                   ? ", \"tls_ending\")"
                       : part == Part::http2 ? ", \"http2_ending\")"
                                             : ", \"tls\" or \"http2\": {...})"));
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
    const std::string where = "profile " + origin + ", scenario \"" + printable(name) + "\"";
    if (std::find(known_scenarios.begin(), known_scenarios.end(), name) == known_scenarios.end())
      return fail(ErrorKind::invalid_input, where + ": no such scenario");
    auto expectation = parse_expectation(entry, where, Part::scenario);
    if (!expectation) return tl::unexpected(expectation.error());
    profile.scenarios[name] = std::move(*expectation);
    if (entry.is_object() && entry.contains("tls")) {
      auto tls = parse_expectation(entry["tls"], where + ", \"tls\"", Part::tls);
      if (!tls) return tl::unexpected(tls.error());
      profile.tls_scenarios[name] = std::move(*tls);
    }
    if (entry.is_object() && entry.contains("http2")) {
      auto http2 = parse_expectation(entry["http2"], where + ", \"http2\"", Part::http2);
      if (!http2) return tl::unexpected(http2.error());
      profile.http2_scenarios[name] = std::move(*http2);
    }
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
