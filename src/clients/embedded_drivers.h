// The driver programs' sources, embedded at build time from src/clients/drivers.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace termprobe {

// (file name, contents) of every driver.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_drivers();

}  // namespace termprobe
