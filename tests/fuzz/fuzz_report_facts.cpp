// Report loading as `compare` and `--baseline` do it, then the comparison
// and both of its outputs: any input must end in facts or a one-line error,
// never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "report/compare.h"
#include "report/report_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace termprobe;
  std::istringstream input(std::string(reinterpret_cast<const char*>(data), size));
  auto facts = read_report_stream(input, "'fuzz.json'");
  if (!facts) {
    if (facts.error().message.find('\n') != std::string::npos) __builtin_trap();  // one line, always
    return 0;
  }
  const ReportFacts empty;
  const ReportFacts& same = *facts;
  CompareRules by_scenario;
  by_scenario.match.by_scenario = true;
  for (const ReportFacts* other : {&empty, &same}) {
    for (const CompareRules& rules : {CompareRules{}, by_scenario}) {
      const auto changes = compare_reports(*other, *facts, rules);
      (void)format_changes(changes, *other, *facts, rules);
      (void)changes_json(changes, *other, *facts, rules).dump(2);
      for (const auto& change : changes) (void)change_summary(change);
    }
  }
  return 0;
}
