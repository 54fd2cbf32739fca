// Secrets kept out of everything termprobe writes: the JSON report and its
// ndjson lines, the lines on the terminal, JUnit, notes. A report is made to
// be uploaded (a CI artifact), so a bearer token, a cookie or a URL's
// password must not travel with it. The request on the wire is built from
// the spec, never from what comes out of here.
//
// What is hidden: the values of Authorization, Proxy-Authorization, Cookie,
// Set-Cookie and X-Termprobe-Token (the module's --token), and of any header
// the user names (--redact, a check file's `redact`); URL passwords; the
// value of --token, the password of -u USER:PASSWORD. A hidden value becomes a marker that keeps its length,
// and for the two Authorization fields the scheme word:
// "Bearer <redacted: 40 chars>". --show-secrets keeps everything.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "probes/observation.h"  // HeaderField: the request fields an observation keeps

namespace termprobe {

// "<redacted: 40 chars>": what stands for `hidden` in outputs.
std::string redaction_marker(std::string_view hidden);

class Redaction {
 public:
  Redaction();  // the built-in names only
  // names: headers to hide besides the built-in ones, any case.
  // show_secrets: hide nothing (--show-secrets).
  Redaction(const std::vector<std::string>& names, bool show_secrets);

  // Whether the value of the header `name` (any case) is hidden.
  bool hides(std::string_view name) const;
  // The value as outputs show it.
  std::string header_value(std::string_view name, std::string_view value) const;
  // "Name: value" as typed after -H, its value hidden when the name is a secret one.
  std::string header_line(std::string_view line) const;
  // Text with the password of every URL in it hidden: "http://user:<redacted: 2 chars>@host/".
  std::string urls(std::string_view text) const;
  // argv as the report's "command" keeps it: -H values of hidden headers,
  // --token values, -u passwords and URL passwords hidden.
  std::vector<std::string> command(const std::vector<std::string>& argv) const;
  // The request's fields as outputs show them; the same pointer when nothing in them is hidden.
  std::shared_ptr<const std::vector<HeaderField>> fields(
      const std::shared_ptr<const std::vector<HeaderField>>& sent) const;
  // A response head's "Name: value" lines as outputs show them (header_line
  // on each), a hidden field's folded continuation lines hidden whole.
  std::vector<std::string> head_lines(const std::vector<std::string>& received) const;

 private:
  std::set<std::string, std::less<>> names_;  // lower case
  bool show_ = false;
};

// An error whose message may quote the URL the user typed, its password hidden.
inline Error redacted(Error error, const Redaction& redaction) {
  error.message = redaction.urls(error.message);
  return error;
}

}  // namespace termprobe
