#include "cli/explain_command.h"

#include <fmt/format.h>

#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "common/closest_name.h"
#include "probes/outcome.h"
#include "report/client_table.h"

namespace termprobe {
namespace {

std::string row_text(const ClientTableRow& row) {
  std::string text = fmt::format("{:<16} ", row.client);
  if (row.outcome == "response") {
    text += fmt::format("response {}", row.status.value_or(0));
  } else if (row.outcome == "error") {
    text += row.message == row.error_type ? fmt::format("error {}", row.error_type)
                                          : fmt::format("error {}: {}", row.error_type, row.message);
    if (row.status) text += fmt::format(" (after status {})", *row.status);
  } else {
    text += fmt::format("{}: {}", row.outcome, row.message);
  }
  if (row.requests && *row.requests > row.rounds)
    text += fmt::format("  [retried silently: {} requests on {} connection(s) for {} asked]", *row.requests,
                        row.connections, row.rounds);
  return text + fmt::format("  ({})", row.version);
}

void print_rows(const std::vector<ClientTableRow>& rows, bool verified) {
  std::string scenario;
  for (const ClientTableRow& row : rows) {
    if (row.verified != verified) continue;
    if (row.scenario + row.protocol != scenario) {
      scenario = row.scenario + row.protocol;
      fmt::print("  {} ({}):\n", row.scenario, row.protocol);
    }
    fmt::print("    {}\n", row_text(row));
  }
}

}  // namespace

CLI::App* add_explain_command(CLI::App& app, ExplainOptions& o) {
  CLI::App* explain = app.add_subcommand(
      "explain", "What a label means, and what each real client raises for it (docs/clients.md)");
  explain->add_option("label", o.label, "A label, e.g. empty_reply or reset_mid_response")
      ->required()
      ->type_name("LABEL");  // the completions offer the labels for a value named LABEL
  explain->footer(kExitCodesHelp);
  return explain;
}

int run_explain_command(const ExplainOptions& o) {
  const auto label = label_from_string(o.label);
  if (!label) {
    const auto near = closest_name(o.label, label_names());
    print_error(
        near ? fmt::format("'{}' is not a label: did you mean {}?", o.label, *near)
             : fmt::format("'{}' is not a label (labels: {})", o.label, fmt::join(label_names(), ", ")));
    return kExitUsage;
  }
  fmt::print("{}: {}\n", to_string(*label), label_meaning(*label));
  const std::vector<ClientTableRow> rows = client_table_rows(*label);
  const bool any_verified = std::any_of(rows.begin(), rows.end(), [](const auto& r) { return r.verified; });
  const bool any_unverified =
      std::any_of(rows.begin(), rows.end(), [](const auto& r) { return !r.verified; });
  if (any_verified) {
    fmt::print(
        "\nWhat each client raised when termprobe's scripted server did this (run by "
        "scripts/clients-table):\n");
    print_rows(rows, true);
  } else {
    fmt::print(
        "\nNo client was run against a server that ends this way (no scripted server here produces it).\n");
  }
  if (any_unverified) {
    fmt::print("\nRead from the client's source, not run here (unverified):\n");
    print_rows(rows, false);
  }
  return kExitSuccess;
}

}  // namespace termprobe
