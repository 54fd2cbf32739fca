#include "cli/redaction_options.h"

#include "report/input_checks.h"

namespace termprobe {

void add_redaction_options(CLI::App* command, RedactionOptions& o) {
  auto* redact =
      command
          ->add_option("--redact", o.names,
                       "Hide this header's value in every output too (repeatable, or NAME,NAME); "
                       "Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Termprobe-Token "
                       "and URL passwords always are")
          ->delimiter(',')
          ->check(CLI::Validator(
              [](const std::string& name) { return header_name_problem(name).value_or(""); }, "NAME"));
  command
      ->add_flag("--show-secrets", o.show_secrets,
                 "Keep header values, URL passwords and --token as given in the report, JUnit and lines "
                 "(they are hidden by default; the request sent is the same)")
      ->excludes(redact);
}

Redaction redaction_from(const RedactionOptions& options, const std::vector<std::string>& more_names) {
  std::vector<std::string> names = options.names;
  names.insert(names.end(), more_names.begin(), more_names.end());
  return Redaction(names, options.show_secrets);
}

}  // namespace termprobe
