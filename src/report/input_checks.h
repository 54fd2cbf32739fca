// Checks of what a person typed, shared by the command line and check files.
//
// Numbers a person typed — on the command line, in a check file, in a
// listen address — are checked by one rule each: finite, whole where it
// must be, and within bounds chosen so that converting to milliseconds,
// nanoseconds or bytes cannot overflow. NaN compares false with everything,
// so "x < low || x > high" alone lets it through: hence this one place.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "probes/probe_spec.h"

namespace termprobe {

struct NumberRule {
  double low = 0;
  double high = 0;
  std::string_view unit;        // "seconds", "bytes", ...; empty for a plain count
  bool whole = false;           // integers only
  bool zero_means_off = false;  // 0 is accepted though below `low` (e.g. "--rate 0 = no limit")
};

// Rules more than one input shares (command line and check file alike).
inline constexpr NumberRule kBodyBytesRule{.low = 0, .high = 1099511627776.0, .unit = "bytes", .whole = true};
inline constexpr NumberRule kUploadRateRule{
    .low = 0, .high = 1099511627776.0, .unit = "bytes per second", .whole = true};
inline constexpr NumberRule kRepeatRule{.low = 1, .high = 100'000, .unit = "connections", .whole = true};
inline constexpr NumberRule kStreamsRule{.low = 1, .high = 1000, .unit = "streams", .whole = true};
inline constexpr NumberRule kRoundsRule{.low = 1, .high = 1'000'000, .unit = "rounds", .whole = true};
// A day: a slow upload (--upload-rate) of a large body may take hours; the
// command line and the check file share it.
inline constexpr NumberRule kTimeoutRule{.low = 0.001, .high = 86400, .unit = "seconds"};
inline constexpr NumberRule kConnectTimeoutRule{.low = 0.001, .high = 3600, .unit = "seconds"};
inline constexpr NumberRule kWatchRule{.low = 0, .high = 3600, .unit = "seconds"};
inline constexpr NumberRule kFinWatchRule{.low = 0, .high = 60, .unit = "seconds"};
inline constexpr NumberRule kIdleMaxRule{.low = 0.001, .high = 86400, .unit = "seconds"};  // idle --max
inline constexpr NumberRule kReuseIdleRule{
    .low = 0, .high = 3'600'000, .unit = "milliseconds"};  // reuse --idle
// 1/rate becomes a duration in nanoseconds: a positive rate below 0.001 is
// refused rather than scheduled centuries (or an overflow) ahead.
inline constexpr NumberRule kRateRule{
    .low = 0.001, .high = 1e6, .unit = "connections per second", .zero_means_off = true};

// Why `value` breaks `rule` ("not a finite number of seconds", "must be from
// 0.001 to 3600 seconds"), or nullopt when it is usable.
std::optional<std::string> number_problem(double value, const NumberRule& rule);

// Parses text that must be a number and nothing else (no hex, no trailing
// junk; decimal digits only when whole), then applies number_problem. The
// error message starts with the text itself: "nan: not a finite number of seconds".
// A rule in seconds or milliseconds takes a unit suffix ms, s or m; one in
// bytes (or bytes per second) takes k, M, G, KiB, MiB, GiB (1024s) or kB,
// MB, GB (1000s): "1s" for a rule in milliseconds is 1000, "10MB" is
// 10000000 bytes. A bare number is in the rule's own unit.
Result<double> parse_number(std::string_view text, const NumberRule& rule);

// A value parse_number accepted, as text that reads back exactly (digits when whole).
std::string number_value_text(double value, const NumberRule& rule);

// A bound as people write it: 1099511627776 and 1000000 in full, 0.001 and 1e+300 short.
std::string number_text(double value);

// Seconds already checked against a NumberRule (so finite and far below
// the 292 million years that would overflow) as whole milliseconds.
inline std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

// Why a request header is unusable ("must look like 'Name: value'", "must
// not contain CR, LF or NUL": the server would read a second header, or a
// second request; a name that is not an HTTP token), or nullopt when it is
// fine. The command line and check files both ask here.
std::optional<std::string> header_problem(std::string_view header);

// Why a header name (--redact, a check file's redact) is unusable: it must
// be an HTTP token, as before a header's colon; or nullopt when it is fine.
std::optional<std::string> header_name_problem(std::string_view name);

// Why a request method is unusable (it must be an HTTP token such as GET
// or POST: no spaces or control characters), or nullopt when it is fine.
std::optional<std::string> method_problem(std::string_view method);

// Why a --tls-min/--tls-max value is unusable (only "1.0", "1.1", "1.2" and "1.3"), or nullopt.
std::optional<std::string> tls_version_problem(std::string_view version);

// Why a minimum and maximum TLS version cannot go together, or nullopt.
std::optional<std::string> tls_range_problem(std::string_view min_version, std::string_view max_version);

// --http2 (a check file's http2 = true) offers h2 by ALPN, which only TLS
// has: on an http:// URL it would speak HTTP/1.1 without a word. curl sends
// an h2c Upgrade there; termprobe refuses and points at prior knowledge.
std::optional<std::string> http2_scheme_problem(bool alpn_http2, std::string_view url);

// curl's --local-port N[-M]: one port or an inclusive range, 1-65535
// ("40000", "40000-40099"); the error starts with the text.
Result<LocalPorts> parse_local_ports(std::string_view text);

// Why a -u value is unusable: it must be USER:PASSWORD, as termprobe never
// prompts for a password (curl does). The message never quotes the value.
std::optional<std::string> user_problem(std::string_view user_password);

}  // namespace termprobe
