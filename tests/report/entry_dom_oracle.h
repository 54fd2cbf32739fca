// How the report wrote an entry before it wrote text directly: the
// nlohmann DOM and its dump. Tests hold the direct writer to these bytes.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "report/report.h"

namespace termprobe::oracle {

nlohmann::ordered_json entry_dom(const ReportEntry& entry);

// dump(2) of a value that sits `depth` levels deep in the document.
std::string nested_dump(
    const nlohmann::ordered_json& value, int depth,
    nlohmann::ordered_json::error_handler_t on_bad_utf8 = nlohmann::ordered_json::error_handler_t::strict);

}  // namespace termprobe::oracle
