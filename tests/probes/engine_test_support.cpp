#include "engine_test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "probes/classifier.h"

namespace termprobe {

std::size_t EngineRun::count_of(Label label) const {
  std::size_t count = 0;
  for (const auto& o : observations) count += classify(o).label == label ? 1 : 0;
  return count;
}

std::string EngineRun::label_counts() const {
  std::map<std::string_view, int> counts;
  for (const auto& o : observations) ++counts[to_string(classify(o).label)];
  std::string text;
  for (const auto& [label, count] : counts)
    text += (text.empty() ? "" : ", ") + std::string(label) + " " + std::to_string(count);
  return text;
}

std::size_t connections_for(std::size_t in_flight) { return in_flight == 1 ? 10 : 50; }

EngineRun run_engine(const ProbeSpec& spec, std::size_t repeat, std::size_t in_flight) {
  EngineOptions options;
  options.max_in_flight = in_flight;
  auto engine = Engine::create(options);
  EXPECT_TRUE(engine.has_value());
  EngineRun run;
  if (!engine) return run;
  std::atomic<bool> stop{false};
  auto stats = (*engine)->run(
      {spec}, repeat, [&](const ProbeId&, const Observation& o) { run.observations.push_back(o); }, stop);
  EXPECT_TRUE(stats.has_value());
  if (stats) run.stats = *stats;
  return run;
}

void expect_every_label(const EngineRun& run, Label label) {
  EXPECT_FALSE(run.observations.empty());
  EXPECT_EQ(run.count_of(label), run.observations.size())
      << "expected " << to_string(label) << " on every connection; saw " << run.label_counts();
}

}  // namespace termprobe
