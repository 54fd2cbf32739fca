#include "probes/contract_scenarios.h"

#include <gtest/gtest.h>

namespace termprobe {
namespace {

TEST(EndpointsUrl, TheBaseAndThePrefixedUrlNameTheSameFolder) {
  // serve prints the prefixed form; people also give the bare host.
  EXPECT_EQ(endpoints_url("http://127.0.0.1:8080/termprobe/", "/termprobe/"),
            "http://127.0.0.1:8080/termprobe/");
  EXPECT_EQ(endpoints_url("http://127.0.0.1:8080/termprobe", "/termprobe/"),
            "http://127.0.0.1:8080/termprobe/");
  EXPECT_EQ(endpoints_url("http://127.0.0.1:8080", "/termprobe/"), "http://127.0.0.1:8080/termprobe/");
  EXPECT_EQ(endpoints_url("http://127.0.0.1:8080/", "/termprobe/"), "http://127.0.0.1:8080/termprobe/");
  EXPECT_EQ(endpoints_url("http://127.0.0.1:8080/app/", "/termprobe/"),
            "http://127.0.0.1:8080/app/termprobe/");
  EXPECT_EQ(endpoints_url("http://[::1]:8080/p/", "/p/"), "http://[::1]:8080/p/");
  EXPECT_EQ(endpoints_url("http://[::1]:8080", "/p"), "http://[::1]:8080/p/");
  EXPECT_EQ(endpoints_url("http://127.0.0.1:8080/x", "/"), "http://127.0.0.1:8080/x/");
  // A host that happens to be named like the prefix is not its folder.
  EXPECT_EQ(endpoints_url("http://termprobe", "/termprobe/"), "http://termprobe/termprobe/");
}

TEST(EndpointsUrl, ScenariosGoBelowTheFolder) {
  const Scenario& flush = contract_scenarios().at(4);
  ASSERT_EQ(flush.name, "reset-after-flush");
  const ProbeSpec spec =
      scenario_spec(flush, endpoints_url("http://127.0.0.1:1/termprobe/", "/termprobe/"), {});
  EXPECT_EQ(spec.url, "http://127.0.0.1:1/termprobe/reset-after-flush?bytes=2000");
}

}  // namespace
}  // namespace termprobe
