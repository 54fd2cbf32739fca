#include "report/expectation.h"

#include <fmt/format.h>

#include <algorithm>

#include "report/input_checks.h"
#include "report/printable.h"

namespace termprobe {
namespace {

constexpr NumberRule kIdleSecondsRule{.low = 0, .high = 86400, .unit = "seconds"};

Result<StatusRange> parse_status(std::string_view text) {
  const bool is_class = text.size() == 3 && text[0] >= '1' && text[0] <= '5' && text.substr(1) == "xx";
  if (is_class) {
    const int hundreds = (text[0] - '0') * 100;
    return StatusRange{hundreds, hundreds + 99};
  }
  const bool digits =
      text.size() == 3 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const int code = digits ? std::stoi(std::string(text)) : 0;
  if (code < 100 || code > 599)
    return fail(
        ErrorKind::invalid_input,
        fmt::format("the status must be a code from 100 to 599 or a class such as 2xx, not '{}'", text));
  return StatusRange{code, code};
}

}  // namespace

Result<void> add_expected_label(std::string_view text, std::set<Label>& labels, StatusRules& statuses) {
  const auto slash = text.find('/');
  const std::string_view name = text.substr(0, slash);
  const auto label = label_from_string(name);
  if (!label)
    return fail(ErrorKind::invalid_input,
                fmt::format("'{}' is not a label, or LABEL/STATUS (e.g. keepalive, keepalive/200, "
                            "close_after_response/2xx, reset_before_response)",
                            printable(text)));
  const bool any_status_already = labels.contains(*label) && !statuses.contains(*label);
  if (slash == std::string_view::npos) {
    labels.insert(*label);
    statuses.erase(*label);  // the label alone accepts every status
    return {};
  }
  auto status = parse_status(text.substr(slash + 1));
  if (!status)
    return fail(ErrorKind::invalid_input, fmt::format("'{}': {}", printable(text), status.error().message));
  labels.insert(*label);
  if (!any_status_already) statuses[*label].push_back(*status);
  return {};
}

bool label_matches(const std::set<Label>& labels, const StatusRules& statuses, Label label, int status) {
  if (!labels.contains(label)) return false;
  const auto rules = statuses.find(label);
  if (rules == statuses.end()) return true;
  return std::any_of(rules->second.begin(), rules->second.end(),
                     [&](const StatusRange& range) { return status >= range.low && status <= range.high; });
}

std::string status_text(const StatusRange& range) {
  return range.low == range.high ? std::to_string(range.low) : fmt::format("{}xx", range.low / 100);
}

std::string label_status_text(Label label, int status) {
  return status == 0 ? std::string(to_string(label)) : fmt::format("{}/{}", to_string(label), status);
}

std::string expected_labels_text(const std::set<Label>& labels, const StatusRules& statuses) {
  std::string text;
  const auto add = [&](const std::string& item) { text += (text.empty() ? "" : "|") + item; };
  for (Label label : labels) {
    const auto rules = statuses.find(label);
    if (rules == statuses.end()) {
      add(std::string(to_string(label)));
      continue;
    }
    for (const auto& range : rules->second) add(fmt::format("{}/{}", to_string(label), status_text(range)));
  }
  return text;
}

Result<IdleExpectation> parse_idle_expectation(std::string_view text) {
  const auto wrong = [&](const std::string& why) {
    return fail(ErrorKind::invalid_input,
                fmt::format("'{}': {} (use close, fin or rst, optionally with :LOW-HIGH seconds after the "
                            "response, e.g. close:55-80; or open)",
                            text, why));
  };
  const auto colon = text.find(':');
  const std::string_view what = text.substr(0, colon);
  IdleExpectation expectation;
  if (what == "close") {
    expectation.endings = {StreamEnd::fin, StreamEnd::rst};
  } else if (what == "fin" || what == "rst" || what == "open") {
    expectation.endings = {*stream_end_from_string(what)};
  } else {
    return wrong(fmt::format("'{}' is not how an idle connection ends", what));
  }
  if (colon == std::string_view::npos) return expectation;
  if (what == "open") return wrong("an open connection has no close time");
  const std::string_view range = text.substr(colon + 1);
  const auto dash = range.find('-');
  if (dash == std::string_view::npos) return wrong("the time is LOW-HIGH in seconds");
  auto low = parse_number(range.substr(0, dash), kIdleSecondsRule);
  auto high = parse_number(range.substr(dash + 1), kIdleSecondsRule);
  if (!low) return wrong(low.error().message);
  if (!high) return wrong(high.error().message);
  if (*low > *high) return wrong("LOW is above HIGH");
  expectation.low_s = *low;
  expectation.high_s = *high;
  return expectation;
}

std::string idle_expectation_text(const IdleExpectation& expectation) {
  std::string what;
  if (expectation.endings.size() == 2 && !expectation.endings.contains(StreamEnd::open))
    what = "close";
  else
    for (StreamEnd end : expectation.endings) what += (what.empty() ? "" : "|") + std::string(to_string(end));
  if (!expectation.low_s) return what;
  return fmt::format("{} {}-{} s", what, number_text(*expectation.low_s), number_text(*expectation.high_s));
}

Result<std::string> parse_reuse_outcome(std::string_view text) {
  const auto& kinds = reuse_outcome_kinds();
  if (std::find(kinds.begin(), kinds.end(), text) != kinds.end()) return std::string(text);
  return fail(ErrorKind::invalid_input,
              fmt::format("'{}' is not a reuse outcome (one of {})", text, fmt::join(kinds, ", ")));
}

}  // namespace termprobe
