#include "report/input_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <utility>

namespace termprobe {
namespace {

std::string kind_of(const NumberRule& rule) {
  std::string kind = rule.whole ? "whole number" : "number";
  if (!rule.unit.empty()) kind += " of " + std::string(rule.unit);
  return kind;
}

std::string range_text(const NumberRule& rule) {
  std::string range = fmt::format("from {} to {}", number_text(rule.low), number_text(rule.high));
  if (!rule.unit.empty()) range += " " + std::string(rule.unit);
  if (rule.whole) range = "a whole number " + range;
  return rule.zero_means_off ? "0 (off) or " + range : range;
}

// The whole text must be a number: from_chars stops quietly at "0x10"'s x.
// Too large for a double still counts as a number, one out of every range.
std::optional<double> parse_all(std::string_view text) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (stop != end || text.empty()) return std::nullopt;
  if (error == std::errc()) return value;
  if (error != std::errc::result_out_of_range) return std::nullopt;
  // Keep the sign and the side of the range: 1e-999 is tiny but not 0 (not "off").
  const double near = std::strtod(std::string(text).c_str(), nullptr);
  const double sign = text.front() == '-' ? -1.0 : 1.0;
  return std::isfinite(near) ? sign * std::max(std::fabs(near), DBL_TRUE_MIN) : sign * DBL_MAX;
}

// RFC 9110's token: what a method and a header name must be.
bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// What a unit suffix multiplies, in the rule's own unit; nullopt when the
// suffix is not one the rule's unit takes. Times: ms, s, m. Sizes: k/M/G and
// KiB/MiB/GiB count in 1024s (as curl's k/M/G do), kB/MB/GB in 1000s.
std::optional<double> suffix_factor(std::string_view suffix, std::string_view unit) {
  const double to_unit = unit == "milliseconds" ? 1000.0 : 1.0;
  if (unit == "seconds" || unit == "milliseconds") {
    if (suffix == "ms") return to_unit / 1000.0;
    if (suffix == "s") return to_unit;
    if (suffix == "m") return to_unit * 60.0;
    return std::nullopt;
  }
  if (unit != "bytes" && unit != "bytes per second") return std::nullopt;
  constexpr double kKiB = 1024.0;
  if (suffix == "k" || suffix == "K" || suffix == "KiB") return kKiB;
  if (suffix == "M" || suffix == "MiB") return kKiB * kKiB;
  if (suffix == "G" || suffix == "GiB") return kKiB * kKiB * kKiB;
  if (suffix == "kB" || suffix == "KB") return 1e3;
  if (suffix == "MB") return 1e6;
  if (suffix == "GB") return 1e9;
  return std::nullopt;
}

std::string suffix_help(std::string_view unit) {
  if (unit == "seconds" || unit == "milliseconds")
    return fmt::format("use ms, s or m (a bare number is {})", unit);
  return "use k, M, G (or KiB, MiB, GiB) for 1024s, kB, MB, GB for 1000s (a bare number is bytes)";
}

// "10MB" -> ("10", "MB"); a text of letters alone ("nan", "inf") has no suffix.
std::pair<std::string_view, std::string_view> split_suffix(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0 && std::isalpha(static_cast<unsigned char>(text[end - 1]))) --end;
  // "-inf", "nan": letters after no digit are not a suffix.
  if (end == 0 || end == text.size() ||
      (!std::isdigit(static_cast<unsigned char>(text[end - 1])) && text[end - 1] != '.'))
    return {text, {}};
  return {text.substr(0, end), text.substr(end)};
}

bool digits_only(std::string_view text) {
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::string number_text(double value) {
  if (std::trunc(value) == value && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{:g}", value);
}

std::string number_value_text(double value, const NumberRule& rule) {
  return rule.whole ? number_text(value) : fmt::format("{}", value);
}

std::optional<std::string> number_problem(double value, const NumberRule& rule) {
  if (!std::isfinite(value)) return "not a finite " + kind_of(rule);
  if (rule.zero_means_off && value == 0) return std::nullopt;
  if (value < rule.low || value > rule.high || (rule.whole && std::trunc(value) != value))
    return "must be " + range_text(rule);
  return std::nullopt;
}

Result<double> parse_number(std::string_view text, const NumberRule& rule) {
  const auto refuse = [&](const std::string& why) {
    return fail(ErrorKind::invalid_input, fmt::format("{}: {}", text, why));
  };
  const auto [digits, suffix] = split_suffix(text);
  double factor = 1.0;
  if (!suffix.empty()) {
    const auto known = suffix_factor(suffix, rule.unit);
    if (!known) {
      if (suffix_factor("s", rule.unit) || suffix_factor("k", rule.unit))
        return refuse(fmt::format("unknown unit '{}': {}", suffix, suffix_help(rule.unit)));
      return refuse("not a " + kind_of(rule));
    }
    factor = *known;
  }
  auto value = parse_all(digits);
  if (!value) return refuse("not a " + kind_of(rule));
  *value *= factor;
  if (auto problem = number_problem(*value, rule)) return refuse(*problem);
  // CLI11 converts integer options from digits only: "1e3" must fail here, named, not there.
  if (rule.whole && suffix.empty() && !digits_only(text))
    return refuse("must be " + range_text(rule) + ", in digits");
  return *value;
}

std::optional<std::string> header_problem(std::string_view header) {
  const auto colon = header.find(':');
  if (colon == std::string_view::npos || colon == 0) return "must look like 'Name: value'";
  if (header.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
    return "must not contain CR, LF or NUL";
  // A space before the colon, or a leading one (a folded continuation of
  // the header before it), would make the server read another header.
  if (!is_token(header.substr(0, colon)))
    return "must start with a name of letters, digits and !#$%&'*+-.^_`|~ (no spaces) before the ':'";
  return std::nullopt;
}

std::optional<std::string> header_name_problem(std::string_view name) {
  if (is_token(name)) return std::nullopt;
  return "must be a header name of letters, digits and !#$%&'*+-.^_`|~ (no spaces or ':')";
}

std::optional<std::string> method_problem(std::string_view method) {
  if (is_token(method)) return std::nullopt;
  return "must be an HTTP method token such as GET or POST";
}

std::optional<std::string> tls_version_problem(std::string_view version) {
  if (version == "1.0" || version == "1.1" || version == "1.2" || version == "1.3") return std::nullopt;
  return "must be 1.0, 1.1, 1.2 or 1.3";
}

std::optional<std::string> tls_range_problem(std::string_view min_version, std::string_view max_version) {
  // "1.0" < "1.1" < "1.2" < "1.3" as text and as versions.
  if (!min_version.empty() && !max_version.empty() && min_version > max_version)
    return "the minimum TLS version " + std::string(min_version) + " is above the maximum " +
           std::string(max_version);
  return std::nullopt;
}

std::optional<std::string> http2_scheme_problem(bool alpn_http2, std::string_view url) {
  if (!alpn_http2 || !url.starts_with("http://")) return std::nullopt;
  // The URL is not quoted: it may hold a password (outputs never show one).
  return "--http2 (http2 = true) negotiates HTTP/2 by TLS ALPN, so it needs an https:// URL; for "
         "cleartext h2c use --http2-prior-knowledge (http2_prior_knowledge = true)";
}

Result<LocalPorts> parse_local_ports(std::string_view text) {
  const auto bad = [&] {
    return fail(ErrorKind::invalid_input,
                fmt::format("{}: not a port 1-65535 or a range of them (e.g. 40000 or 40000-40099)", text));
  };
  const auto port = [](std::string_view digits) -> std::optional<int> {
    int value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    if (value < 1 || value > 65535) return std::nullopt;
    return value;
  };
  const std::size_t dash = text.find('-');
  const auto low = port(text.substr(0, dash));
  const auto high = dash == std::string_view::npos ? low : port(text.substr(dash + 1));
  if (!low || !high || *high < *low) return bad();
  return LocalPorts{*low, *high};
}

std::optional<std::string> user_problem(std::string_view user_password) {
  if (user_password.find(':') == std::string_view::npos)
    return "give USER:PASSWORD (termprobe does not prompt for the password)";
  return std::nullopt;
}

}  // namespace termprobe
