// Request bodies as curl builds them from -d/--data and --data-binary, for
// the command line and check files alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace termprobe {

// The Content-Type curl sends with -d and --data-binary.
inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";

struct DataPart {
  std::string value;    // the text, or "@FILE": the file's bytes
  bool binary = false;  // --data-binary: as it is; -d: CR and LF of a file dropped
};

// curl's rules: parts joined with '&' in the order given; "@FILE" reads the
// file ("@-" is refused: the probe repeats the body, so it needs a file);
// -d drops every CR and LF from a file, --data-binary keeps every byte.
// Errors name the option and the file: "--data @x: cannot read file 'x': ...".
Result<std::string> assemble_request_data(const std::vector<DataPart>& parts);

// The same errors for the files that cannot be opened (or "@-"), without
// reading them: a check file names the line of the key at fault.
Result<void> check_request_data(const std::vector<DataPart>& parts);

}  // namespace termprobe
