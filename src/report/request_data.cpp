#include "report/request_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "report/input_file.h"

namespace termprobe {
namespace {

std::string_view option_of(const DataPart& part) { return part.binary ? "--data-binary" : "--data"; }

bool names_file(const DataPart& part) { return !part.value.empty() && part.value.front() == '@'; }

// The file an "@FILE" part names, open.
Result<std::ifstream> open_part(const DataPart& part) {
  const std::string path = part.value.substr(1);
  if (path == "-")
    return fail(
        ErrorKind::invalid_input,
        fmt::format("{} @-: reading the body from stdin is not supported: give a file", option_of(part)));
  auto file = open_input_file(path, "file");
  if (!file)
    return fail(ErrorKind::invalid_input,
                fmt::format("{} @{}: {}", option_of(part), path, file.error().message));
  return file;
}

Result<std::string> part_bytes(const DataPart& part) {
  if (!names_file(part)) return part.value;
  auto file = open_part(part);
  if (!file) return tl::unexpected(file.error());
  const std::string path = part.value.substr(1);
  std::string bytes((std::istreambuf_iterator<char>(*file)), std::istreambuf_iterator<char>());
  if (file->bad())
    return fail(ErrorKind::invalid_input, fmt::format("{} @{}: read error", option_of(part), path));
  if (!part.binary) std::erase_if(bytes, [](char c) { return c == '\r' || c == '\n'; });
  return bytes;
}

}  // namespace

Result<void> check_request_data(const std::vector<DataPart>& parts) {
  for (const auto& part : parts) {
    if (!names_file(part)) continue;
    if (auto file = open_part(part); !file) return tl::unexpected(file.error());
  }
  return {};
}

Result<std::string> assemble_request_data(const std::vector<DataPart>& parts) {
  std::string body;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto bytes = part_bytes(parts[i]);
    if (!bytes) return tl::unexpected(bytes.error());
    if (i > 0) body += '&';
    body += *bytes;
  }
  return body;
}

}  // namespace termprobe
