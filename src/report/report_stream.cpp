#include "report/report_stream.h"

#include <fmt/format.h>

namespace termprobe {

Result<nlohmann::ordered_json> read_report_without_results(std::istream& input, const std::string& path,
                                                           const EntryVisitor& visit) {
  using json = nlohmann::ordered_json;
  std::string top_key;
  const auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key) top_key = parsed.get<std::string>();
    if (depth == 2 && event == json::parse_event_t::object_end && top_key == "results") {
      visit(parsed);
      return false;
    }
    return true;
  };
  try {
    return json::parse(input, callback);
  } catch (const json::exception& error) {
    return fail(ErrorKind::invalid_input, fmt::format("'{}' is not valid JSON: {}", path, error.what()));
  }
}

}  // namespace termprobe
