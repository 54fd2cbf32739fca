// `termprobe explain LABEL`: what a label means and what each real client
// raises for it, from the verified table (docs/clients.md).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace termprobe {

struct ExplainOptions {
  std::string label;
};

CLI::App* add_explain_command(CLI::App& app, ExplainOptions& options);
int run_explain_command(const ExplainOptions& options);

}  // namespace termprobe
