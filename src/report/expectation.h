// What a scenario is expected to do, and the one syntax people write it in:
// profiles (JSON), check files (TOML) and --expect on the command line all
// go through the parsers here.
//
//   LABEL[/STATUS]      keepalive, keepalive/200, close_after_response/2xx:
//                       the label, and the status line's code (a code from
//                       100 to 599, or a class 1xx..5xx); no status: any,
//                       and a connection without a status line never
//                       matches one
//   IDLE                close|fin|rst[:LOW-HIGH], or open: how the server
//                       ends a connection left idle after its response,
//                       and when (seconds after the response, inclusive)
//   REUSE               a reuse outcome of the second request on the same
//                       connection: answered, reset, empty_reply, ...
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "probes/outcome.h"

namespace termprobe {

struct StatusRange {
  int low = 0;  // 200 alone is 200-200; 2xx is 200-299
  int high = 0;
  auto operator<=>(const StatusRange&) const = default;
};

// label -> the statuses it may come with; a label not here: any status.
using StatusRules = std::map<Label, std::vector<StatusRange>>;

// How the server ends a connection held idle after a complete response.
struct IdleExpectation {
  std::set<StreamEnd> endings;     // fin, rst and/or open
  std::optional<double> low_s{};   // a close no earlier than this after the response
  std::optional<double> high_s{};  // nor later
};

struct Expectation {
  std::optional<std::set<Label>> labels;  // nullopt: unverified, observed but not judged
  std::string note;                       // where the expectation comes from
  // Over TLS only: how the server may end the TLS session (tls_ending()
  // kinds, e.g. close_notify_then_fin); nullopt: not judged.
  std::optional<std::set<std::string>> tls_endings{};
  // Over HTTP/2 only: the frame that ended the stream (http2_ending() forms,
  // e.g. "RST_STREAM(NO_ERROR) before_headers"); nullopt: not judged.
  std::optional<std::set<std::string>> http2_endings{};
  StatusRules statuses{};                        // only for labels in `labels`
  std::optional<IdleExpectation> idle{};         // an idle entry's close
  std::optional<std::set<std::string>> reuse{};  // a reuse entry's outcomes (reuse_outcome_kinds())
};

// Adds one LABEL[/STATUS] to labels and statuses ("keepalive" and
// "keepalive/200" together accept keepalive with any status). The error
// names the text: "'keepalive/abc': the status must be ...".
Result<void> add_expected_label(std::string_view text, std::set<Label>& labels, StatusRules& statuses);

// True when a connection ending in `label` with `status` (0: no status line) is accepted.
bool label_matches(const std::set<Label>& labels, const StatusRules& statuses, Label label, int status);

// "200", "2xx".
std::string status_text(const StatusRange& range);
// "keepalive/200", or "keepalive" when status is 0 (no status line).
std::string label_status_text(Label label, int status);
// "keepalive/200|keepalive/204|reset_before_response".
std::string expected_labels_text(const std::set<Label>& labels, const StatusRules& statuses);

Result<IdleExpectation> parse_idle_expectation(std::string_view text);
// "close 0.8-1.5 s", "fin", "open".
std::string idle_expectation_text(const IdleExpectation& expectation);

// A reuse outcome name, checked against reuse_outcome_kinds().
Result<std::string> parse_reuse_outcome(std::string_view text);

}  // namespace termprobe
