#include "report/client_verdict_json.h"

#include <string>

#include "report/json_member.h"

namespace termprobe {
namespace {

using json = nlohmann::ordered_json;

std::optional<int> small_number(const json& object, const char* key) {
  const auto value = json_number(object, key);
  return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

std::optional<ClientError> error_from(const json& error) {
  if (!error.is_object()) return std::nullopt;
  ClientError out{json_text(error, "type"), json_text(error, "message"), {}};
  const json& cause = json_member(error, "cause");
  if (cause.is_array())
    for (const json& line : cause)
      if (line.is_string()) out.cause.push_back(line.get<std::string>());
  return out;
}

ClientWire wire_from(const json& wire) {
  ClientWire out;
  out.label = json_text(wire, "label");
  out.ending = stream_end_from_string(json_text(wire, "ending")).value_or(StreamEnd::open);
  out.client_closed_first = json_member(wire, "client_closed_first") == true;
  out.request_bytes = json_number(wire, "request_bytes").value_or(0);
  out.response_bytes = json_number(wire, "response_bytes").value_or(0);
  out.requests = small_number(wire, "requests");
  return out;
}

ClientVerdict verdict_from(const json& client) {
  ClientVerdict out;
  out.client = json_text(client, "client");
  out.version = json_text(client, "version");
  out.outcome = json_text(client, "outcome");
  out.status = small_number(client, "status");
  const json& body_complete = json_member(client, "body_complete");
  if (body_complete.is_boolean()) out.body_complete = body_complete.get<bool>();
  out.error = error_from(json_member(client, "error"));
  out.connections = small_number(client, "connections").value_or(0);
  out.requests = small_number(client, "requests");
  const json& wire = json_member(client, "wire");
  if (wire.is_array())
    for (const json& connection : wire)
      if (connection.is_object()) out.wire.push_back(wire_from(connection));
  return out;
}

}  // namespace

std::vector<ClientVerdict> client_verdicts_from_json(const json& clients) {
  std::vector<ClientVerdict> out;
  if (!clients.is_array()) return out;
  for (const json& client : clients)
    if (client.is_object()) out.push_back(verdict_from(client));
  return out;
}

}  // namespace termprobe
