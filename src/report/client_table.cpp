#include "report/client_table.h"

#include "report/builtin_profiles.h"

namespace termprobe {
namespace {

using nlohmann::json;

template <typename T>
std::optional<T> optional_of(const json& object, const char* key) {
  const auto at = object.find(key);
  if (at == object.end() || at->is_null()) return std::nullopt;
  return at->get<T>();
}

ClientTableRow row_of(const json& scenario, const json& client, bool verified) {
  ClientTableRow row;
  row.scenario = scenario.value("case", "");
  row.protocol = scenario.value("protocol", "");
  row.client = client.at("client").get<std::string>();
  row.version = client.value("version", "");
  row.outcome = client.at("outcome").get<std::string>();
  row.error_type = client.value("error_type", "");
  row.message = client.value("message", "");
  row.status = optional_of<int>(client, "status");
  row.connections = client.value("connections", 0);
  row.requests = optional_of<int>(client, "requests");
  row.rounds = scenario.value("requests_asked", 1);
  row.verified = verified;
  return row;
}

// The embedded table, parsed once; a build whose table does not parse fails its tests, not its users.
const json& table() {
  static const json parsed = json::parse(builtin_client_table_json(), nullptr, false);
  return parsed;
}

}  // namespace

std::vector<ClientTableRow> client_table_rows(Label label) {
  std::vector<ClientTableRow> rows;
  const json& t = table();
  if (!t.is_object()) return rows;
  const std::string name(to_string(label));
  for (const char* part : {"cases", "unverified"}) {
    for (const json& scenario : t.value(part, json::array())) {
      if (scenario.value("label", "") != name) continue;
      for (const json& client : scenario.value("clients", json::array()))
        rows.push_back(row_of(scenario, client, part == std::string_view("cases")));
    }
  }
  return rows;
}

nlohmann::ordered_json client_table_json(Label label) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const ClientTableRow& row : client_table_rows(label)) {
    rows.push_back(
        {{"case", row.scenario},
         {"protocol", row.protocol},
         {"client", row.client},
         {"version", row.version},
         {"outcome", row.outcome},
         {"error_type",
          row.error_type.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(row.error_type)},
         {"message", row.message},
         {"status", row.status ? nlohmann::ordered_json(*row.status) : nlohmann::ordered_json(nullptr)},
         {"connections", row.connections},
         {"requests", row.requests ? nlohmann::ordered_json(*row.requests) : nlohmann::ordered_json(nullptr)},
         {"verified", row.verified}});
  }
  return rows;
}

}  // namespace termprobe
