#include "report/redaction.h"
#include "common/ascii_case.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace termprobe {
namespace {

// Credentials (RFC 9110 §11.6), cookies (RFC 6265) and the module's token.
constexpr std::array<std::string_view, 5> kSecretHeaders = {"authorization", "proxy-authorization", "cookie",
                                                            "set-cookie", "x-termprobe-token"};

// Fields whose value starts with an auth-scheme ("Bearer", "Basic"): the
// scheme says what kind of credential went out, and is no secret.
bool has_scheme(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "proxy-authorization";
}

// Where a URL's authority (user:password@host:port) ends: at its path, query
// or fragment, or at what cannot be in a URL when it sits in a sentence.
std::size_t authority_end(std::string_view text, std::size_t begin) {
  const std::size_t end = text.find_first_of("/?# \t'\"<>", begin);
  return end == std::string_view::npos ? text.size() : end;
}

// -u USER:PASSWORD as an output shows it: the user, and the password's marker.
std::string hidden_user(std::string_view user_password) {
  const std::size_t colon = user_password.find(':');
  if (colon == std::string_view::npos) return redaction_marker(user_password);
  return fmt::format("{}:{}", user_password.substr(0, colon),
                     redaction_marker(user_password.substr(colon + 1)));
}

// "-u", "--user", or a cluster of short flags ending in u ("-ku"): the next argument is -u's value.
bool takes_user_next(std::string_view arg) {
  if (arg == "--user") return true;
  if (arg.size() < 2 || arg[0] != '-' || arg[1] == '-' || arg.back() != 'u') return false;
  return std::all_of(arg.begin() + 1, arg.end(),
                     [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

}  // namespace

std::string redaction_marker(std::string_view hidden) {
  return fmt::format("<redacted: {} char{}>", hidden.size(), hidden.size() == 1 ? "" : "s");
}

Redaction::Redaction() : Redaction({}, false) {}

Redaction::Redaction(const std::vector<std::string>& names, bool show_secrets) : show_(show_secrets) {
  for (std::string_view name : kSecretHeaders) names_.emplace(name);
  for (const auto& name : names) names_.insert(ascii_lower(name));
}

bool Redaction::hides(std::string_view name) const { return !show_ && names_.contains(ascii_lower(name)); }

std::string Redaction::header_value(std::string_view name, std::string_view value) const {
  if (value.empty() || !hides(name)) return std::string(value);
  const std::size_t space = value.find(' ');
  if (!has_scheme(ascii_lower(name)) || space == std::string_view::npos) return redaction_marker(value);
  const std::size_t credentials = value.find_first_not_of(' ', space);
  if (credentials == std::string_view::npos) return redaction_marker(value);
  return fmt::format("{} {}", value.substr(0, space), redaction_marker(value.substr(credentials)));
}

std::string Redaction::header_line(std::string_view line) const {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::string(line);
  const std::size_t value = std::min(line.size(), line.find_first_not_of(" \t", colon + 1));
  return std::string(line.substr(0, value)) + header_value(line.substr(0, colon), line.substr(value));
}

std::string Redaction::urls(std::string_view text) const {
  if (show_) return std::string(text);
  std::string out;
  std::size_t copied = 0;
  for (std::size_t scheme = text.find("://"); scheme != std::string_view::npos;
       scheme = text.find("://", copied)) {
    const std::size_t begin = scheme + 3;
    const std::string_view authority = text.substr(begin, authority_end(text, begin) - begin);
    const std::size_t at = authority.rfind('@');
    const std::size_t colon = authority.substr(0, at == std::string_view::npos ? 0 : at).find(':');
    if (colon == std::string_view::npos || colon + 1 == at) {
      out += text.substr(copied, begin - copied);
      copied = begin;
      continue;
    }
    out += text.substr(copied, begin + colon + 1 - copied);
    out += redaction_marker(authority.substr(colon + 1, at - colon - 1));
    copied = begin + at;
  }
  out += text.substr(copied);
  return out;
}

std::vector<std::string> Redaction::command(const std::vector<std::string>& argv) const {
  if (show_) return argv;
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string_view arg = argv[i];
    std::string text;
    if (i > 0 && argv[i - 1] == "--token")
      text = redaction_marker(arg);
    else if (i > 0 && takes_user_next(argv[i - 1]))
      text = hidden_user(arg);
    else if (arg.starts_with("--user="))
      text = "--user=" + hidden_user(arg.substr(7));
    else if (arg.starts_with("-u") && arg.size() > 2)
      text = "-u" + hidden_user(arg.substr(2));
    else if (arg.starts_with("--token="))
      text = "--token=" + redaction_marker(arg.substr(8));
    else if (arg.starts_with("--header="))
      text = "--header=" + header_line(arg.substr(9));
    else if (arg.starts_with("-H") && arg.size() > 2)
      text = "-H" + header_line(arg.substr(2));
    else
      text = header_line(arg);  // the value after -H, --header
    shown.push_back(urls(text));
  }
  return shown;
}

std::shared_ptr<const std::vector<HeaderField>> Redaction::fields(
    const std::shared_ptr<const std::vector<HeaderField>>& sent) const {
  if (!sent || std::none_of(sent->begin(), sent->end(), [&](const HeaderField& f) { return hides(f.name); }))
    return sent;
  auto shown = std::make_shared<std::vector<HeaderField>>(*sent);
  for (auto& field : *shown) field.value = header_value(field.name, field.value);
  return shown;
}

std::vector<std::string> Redaction::head_lines(const std::vector<std::string>& received) const {
  std::vector<std::string> shown;
  shown.reserve(received.size());
  bool hiding = false;  // the field the line continues (obs-fold, RFC 9112 §5.2) is hidden
  for (const std::string& line : received) {
    const bool folded = !line.empty() && (line.front() == ' ' || line.front() == '\t');
    if (!folded) hiding = hides(line.substr(0, line.find(':')));
    shown.push_back(folded && hiding ? redaction_marker(line) : header_line(line));
  }
  return shown;
}

}  // namespace termprobe
