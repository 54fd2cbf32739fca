// Opening a file the user named, for reading: one place that tells a
// missing file from a directory, so `compare a.json .` and `check .` say
// what is wrong instead of reading nothing.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

#include "common/error.h"

namespace termprobe {

// `what` names the file's role in messages: "report", "expectations file".
// Errors: "cannot read report 'x.json': No such file or directory",
// "report '.' is a directory: give a file".
Result<std::ifstream> open_input_file(const std::string& path, std::string_view what);

}  // namespace termprobe
