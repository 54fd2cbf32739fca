#include "report/request_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "report/input_file.h"

namespace termprobe {
namespace {

std::string_view option_of(const DataPart& part) { return part.binary ? "--data-binary" : "--data"; }

Result<std::string> part_bytes(const DataPart& part) {
  if (part.value.empty() || part.value.front() != '@') return part.value;
  const std::string path = part.value.substr(1);
  if (path == "-")
    return fail(
        ErrorKind::invalid_input,
        fmt::format("{} @-: reading the body from stdin is not supported: give a file", option_of(part)));
  auto file = open_input_file(path, "file");
  if (!file)
    return fail(ErrorKind::invalid_input,
                fmt::format("{} @{}: {}", option_of(part), path, file.error().message));
  std::string bytes((std::istreambuf_iterator<char>(*file)), std::istreambuf_iterator<char>());
  if (file->bad())
    return fail(ErrorKind::invalid_input, fmt::format("{} @{}: read error", option_of(part), path));
  if (!part.binary) std::erase_if(bytes, [](char c) { return c == '\r' || c == '\n'; });
  return bytes;
}

}  // namespace

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
