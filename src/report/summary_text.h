// Short human-readable lines for the terminal.
#pragma once

#include <chrono>
#include <set>
#include <string>

#include "report/report.h"

namespace termprobe {

// One line per connection: label and the facts behind it.
// "127.0.0.1:40122", "[::1]:40122".
std::string endpoint_text(const Endpoint& endpoint);

std::string format_entry_line(std::size_t number, const ReportEntry& entry);

// One client's row of `termprobe clients`: what it raised or got, how many
// connections and requests it made, and the wire label of each connection.
std::string format_client_line(const ClientVerdict& client);

// The closing line: how many connections ended how.
std::string format_summary_line(const Report& report);

// How long the connections took and how fast they went, to follow the
// summary line: " in 2.31 s, 43.3 connections/s" (" in 84 ms, ...").
std::string format_pace(std::chrono::steady_clock::duration elapsed, std::size_t connections);

// One line per label, what it means in plain words (label_meaning), in the
// taxonomy's order: "  keepalive: normal: a complete response, and ...\n".
std::string format_label_meanings(const std::set<Label>& labels);

// The labels a report's connections got.
std::set<Label> labels_seen(const Report& report);

}  // namespace termprobe
