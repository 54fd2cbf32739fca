// How the report was written when it kept every entry: the nlohmann DOM of
// each entry, and the summary and targets sections computed from all the
// entries. Tests hold the direct writer and the tallies to these.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/report.h"

namespace termprobe::oracle {

nlohmann::ordered_json entry_dom(const ReportEntry& entry);

// The "summary" and "targets" sections, computed from every entry (the
// percentiles then put in their histogram bucket: see label_stats_test).
nlohmann::ordered_json summary_dom(const std::vector<ReportEntry>& results, std::size_t requested);
nlohmann::ordered_json targets_dom(const std::vector<std::string>& targets,
                                   const std::vector<ReportEntry>& results);

// dump(2) of a value that sits `depth` levels deep in the document.
std::string nested_dump(
    const nlohmann::ordered_json& value, int depth,
    nlohmann::ordered_json::error_handler_t on_bad_utf8 = nlohmann::ordered_json::error_handler_t::strict);

}  // namespace termprobe::oracle
