#include "clients/client_request.h"

#include <algorithm>

#include "probes/request_fields.h"

namespace termprobe {

std::optional<std::string> default_content_type(const ProbeSpec& spec) {
  if (request_body_size(spec) == 0) return std::nullopt;
  if (user_overrides(spec.headers, "Content-Type")) return std::nullopt;
  return spec.body_type.empty() ? "application/octet-stream" : spec.body_type;
}

std::vector<std::pair<std::string, std::string>> client_headers(const ProbeSpec& spec) {
  std::vector<std::pair<std::string, std::string>> fields;
  // -u as every client gets it: the header the probe sends (curl's own -u would be the same bytes).
  if (!spec.user.empty() && !user_overrides(spec.headers, "Authorization"))
    fields.emplace_back("Authorization", basic_credentials(spec.user));
  for (const std::string& header : spec.headers) {
    const std::size_t colon = header.find(':');
    if (colon == std::string::npos) continue;
    std::string name = header.substr(0, colon);
    std::string value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (value.empty()) continue;
    fields.emplace_back(std::move(name), std::move(value));
  }
  if (auto type = default_content_type(spec)) fields.emplace_back("Content-Type", std::move(*type));
  return fields;
}

ClientRun interrupted_run(std::string_view client) {
  ClientRun run;
  run.verdict.client = std::string(client);
  run.verdict.outcome = "interrupted";
  run.verdict.error =
      ClientError{"interrupted", "stopped by a stop request (Ctrl-C) before the client finished", {}};
  return run;
}

std::string client_body(const ProbeSpec& spec) {
  if (!spec.body.empty()) return spec.body;
  return std::string(static_cast<std::size_t>(std::max<std::int64_t>(spec.body_bytes, 0)), 'x');
}

}  // namespace termprobe
