#include "cli/diagnostics.h"

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "report/printable.h"

namespace termprobe {
namespace {

// %* in the pattern: the log message, escaped like every other message.
class PrintableMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string text = printable(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PrintableMessage>();
  }
};

}  // namespace

void print_error(std::string_view message) { print_note(fmt::format("error: {}", message)); }

void print_note(std::string_view message) {
  fmt::print(stderr, "termprobe: {}\n", printable(message));
  std::fflush(stderr);
}

namespace {
int verbosity_level = 0;  // set once by main, before any command runs
}  // namespace

void set_verbosity(int level) { verbosity_level = level; }
int verbosity() { return verbosity_level; }

void configure_logging() {
  auto logger = spdlog::stderr_logger_st("termprobe");
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<PrintableMessage>('*').set_pattern("termprobe: %l: %*");
  logger->set_formatter(std::move(formatter));
  logger->set_level(verbosity_level >= 2 ? spdlog::level::debug : spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace termprobe
