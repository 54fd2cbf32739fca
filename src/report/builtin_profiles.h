// The profiles shipped inside the binary (src/report/profiles/*.json,
// embedded at build time so the binary needs no data files).
#pragma once

#include <string>

namespace termprobe {

// The JSON text of a built-in profile, or nullptr when there is none by that name.
const char* builtin_profile_json(const std::string& name);

// The JSON text of the verified client table (src/report/client_table.json).
const char* builtin_client_table_json();

}  // namespace termprobe
