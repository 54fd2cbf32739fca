#include "common/closest_name.h"

#include <algorithm>

namespace termprobe {

// Damerau-Levenshtein, the optimal-string-alignment form: "keepalvie" is one swap from keepalive.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t columns = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * columns);
  const auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * columns + j]; };
  for (std::size_t i = 0; i <= a.size(); ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= b.size(); ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t replace = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + replace});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.size(), b.size());
}

std::optional<std::string> closest_name(std::string_view typed, const std::vector<std::string_view>& names) {
  if (typed.empty()) return std::nullopt;
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const std::string_view name : names) {
    const std::size_t distance = name.starts_with(typed) ? 0 : edit_distance(typed, name);
    const std::size_t allowed = std::max<std::size_t>(1, name.size() / 3);
    if (distance > allowed || (best && distance >= best_distance)) continue;
    best = std::string(name);
    best_distance = distance;
  }
  return best;
}

}  // namespace termprobe
