#include "report/input_file.h"

#include <fmt/format.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace termprobe {

Result<std::ifstream> open_input_file(const std::string& path, std::string_view what) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0)
    return fail(ErrorKind::invalid_input,
                fmt::format("cannot read {} '{}': {}", what, path, std::strerror(errno)));
  if (S_ISDIR(info.st_mode))
    return fail(ErrorKind::invalid_input, fmt::format("{} '{}' is a directory: give a file", what, path));
  std::ifstream file(path, std::ios::binary);
  if (!file) return fail(ErrorKind::invalid_input, fmt::format("cannot read {} '{}'", what, path));
  return file;
}

}  // namespace termprobe
