// The verified table of what real clients raise for each label: measured by
// scripts/clients-table (every client against the scripted servers that
// produce each label), committed as src/report/client_table.json and
// docs/clients.md, and embedded in the binary for `termprobe explain` and
// the report's summary. Cells not measured here (.NET) say so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "probes/outcome.h"

namespace termprobe {

struct ClientTableRow {
  std::string scenario;    // the scripted server's case, e.g. "fin_before_response"
  std::string protocol;    // "http/1.1", "https", "h2c" or "h2"
  std::string client;      // curl, python-requests, ..., or dotnet
  std::string version;     // the client version it was measured with
  std::string outcome;     // response, error, unavailable, unsupported
  std::string error_type;  // as results[].clients[].error.type; empty for a response
  std::string message;     // the client's text, ports and addresses replaced by placeholders
  std::optional<int> status;
  int connections = 0;
  std::optional<int> requests;  // more than `rounds`: a silent retry
  int rounds = 1;               // requests the client was asked to make (the case's requests_asked)
  bool verified = true;         // false: written from the client's source, not run here
};

// The rows for one label, in table order (verified first, then the unverified).
std::vector<ClientTableRow> client_table_rows(Label label);

// The same rows as the report's summary.by_label.LABEL.clients carries them.
nlohmann::ordered_json client_table_json(Label label);

}  // namespace termprobe
