#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "report/input_checks.h"
#include "report/printable.h"

namespace termprobe {
namespace {

constexpr NumberRule kSeconds{.low = 0.001, .high = 3600, .unit = "seconds"};
constexpr NumberRule kCount{.low = 1, .high = 1'000'000, .unit = "", .whole = true};

std::string refusal(std::string_view text, const NumberRule& rule) {
  auto parsed = parse_number(text, rule);
  return parsed ? "accepted" : parsed.error().message;
}

TEST(NumberInput, NonFiniteNumbersAreRefusedByName) {
  // NaN compares false with both bounds: a range check alone let it through.
  EXPECT_EQ(refusal("nan", kSeconds), "nan: not a finite number of seconds");
  EXPECT_EQ(refusal("inf", kSeconds), "inf: not a finite number of seconds");
  EXPECT_EQ(refusal("-inf", kSeconds), "-inf: not a finite number of seconds");
  EXPECT_EQ(refusal("-nan", kSeconds), "-nan: not a finite number of seconds");
  EXPECT_TRUE(number_problem(std::numeric_limits<double>::quiet_NaN(), kSeconds).has_value());
}

TEST(NumberInput, OutOfRangeAndHugeAreRefusedWithTheRange) {
  EXPECT_EQ(refusal("1e300", kSeconds), "1e300: must be from 0.001 to 3600 seconds");
  EXPECT_EQ(refusal("1e999", kSeconds), "1e999: must be from 0.001 to 3600 seconds");
  EXPECT_EQ(refusal("-1", kSeconds), "-1: must be from 0.001 to 3600 seconds");
  EXPECT_EQ(refusal("0", kSeconds), "0: must be from 0.001 to 3600 seconds");
  EXPECT_EQ(refusal("99999999999999999999999", kCount),
            "99999999999999999999999: must be a whole number from 1 to 1000000");
}

TEST(NumberInput, OnlyPlainDecimalTextIsANumber) {
  EXPECT_EQ(refusal("0x10", kSeconds), "0x10: not a number of seconds");
  EXPECT_EQ(refusal("5 s", kSeconds), "5 s: not a number of seconds");  // "5s" is a unit suffix
  EXPECT_EQ(refusal("", kSeconds), ": not a number of seconds");
  EXPECT_EQ(refusal(" 5", kSeconds), " 5: not a number of seconds");
  EXPECT_EQ(refusal("1.5", kCount), "1.5: must be a whole number from 1 to 1000000");
  EXPECT_EQ(refusal("1e3", kCount), "1e3: must be a whole number from 1 to 1000000, in digits");
  EXPECT_EQ(refusal("nan", kCount), "nan: not a finite whole number");
}

TEST(NumberInput, UsableNumbersPassThrough) {
  EXPECT_DOUBLE_EQ(*parse_number("2.5", kSeconds), 2.5);
  EXPECT_DOUBLE_EQ(*parse_number("+7", kCount), 7);
  EXPECT_DOUBLE_EQ(*parse_number("3600", kSeconds), 3600);
}

TEST(NumberInput, ZeroMeansOffButTinyRatesAreRefused) {
  // 1/1e-300 seconds between connections overflowed the engine's nanosecond arithmetic.
  EXPECT_DOUBLE_EQ(*parse_number("0", kRateRule), 0);
  EXPECT_EQ(refusal("1e-300", kRateRule),
            "1e-300: must be 0 (off) or from 0.001 to 1000000 connections per second");
  EXPECT_EQ(refusal("1e-999", kRateRule),
            "1e-999: must be 0 (off) or from 0.001 to 1000000 connections per second");
}

TEST(NumberInput, EveryAcceptedTimeoutConvertsToMillisecondsExactly) {
  EXPECT_EQ(seconds_to_ms(kTimeoutRule.high).count(), 86'400'000);
  EXPECT_EQ(seconds_to_ms(0.001).count(), 1);
}

TEST(HeaderInput, LineBreaksAndNulAreRefused) {
  EXPECT_FALSE(header_problem("X-A: b").has_value());
  EXPECT_EQ(header_problem("X-A: b\r\nHost: evil"), "must not contain CR, LF or NUL");
  EXPECT_EQ(header_problem(std::string_view("X-A: b\0c", 8)), "must not contain CR, LF or NUL");
  EXPECT_EQ(header_problem("no colon"), "must look like 'Name: value'");
}

TEST(HeaderInput, TheNameIsAnHttpTokenAndNotEmpty) {
  EXPECT_EQ(header_problem(": value"), "must look like 'Name: value'");
  EXPECT_EQ(header_problem(":authority: h"), "must look like 'Name: value'");
  const std::string not_a_token =
      "must start with a name of letters, digits and !#$%&'*+-.^_`|~ (no spaces) before the ':'";
  EXPECT_EQ(header_problem("Bad Name: v"), not_a_token);
  EXPECT_EQ(header_problem("Host : evil"), not_a_token);
  EXPECT_EQ(header_problem(" X-Folded: v"), not_a_token);
  EXPECT_EQ(header_problem("X(1): v"), not_a_token);
  EXPECT_FALSE(header_problem("X-Custom_1.a~!: a value: with colons").has_value());
  EXPECT_FALSE(header_problem("Accept:").has_value());  // curl's form: removes a default header
}

TEST(Printable, ControlCharactersBecomeEscapes) {
  EXPECT_EQ(printable("http://a/\r\nb"), "http://a/\\r\\nb");
  EXPECT_EQ(printable("\x1b[31mred\t"), "\\x1b[31mred\\t");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 kept
  EXPECT_EQ(printable("a\xc2\x9b"
                      "b"),
            "a\\u009bb");  // C1 CSI escaped
  EXPECT_EQ(printable(std::string_view("\0\x7f", 2)), "\\x00\\x7f");
}

}  // namespace
}  // namespace termprobe

namespace termprobe {
namespace {

constexpr NumberRule kMilliseconds{.low = 0, .high = 3'600'000, .unit = "milliseconds"};

double accepted(std::string_view text, const NumberRule& rule) {
  auto parsed = parse_number(text, rule);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << (parsed ? "" : parsed.error().message);
  return parsed.value_or(-1);
}

TEST(NumberSuffixes, TimesTakeMsSOrMInTheRulesOwnUnit) {
  EXPECT_EQ(accepted("1s", kSeconds), 1.0);
  EXPECT_EQ(accepted("250ms", kSeconds), 0.25);
  EXPECT_EQ(accepted("2m", kSeconds), 120.0);
  EXPECT_EQ(accepted("1.5", kSeconds), 1.5);  // a bare number keeps the rule's unit
  EXPECT_EQ(accepted("2s", kMilliseconds), 2000.0);
  EXPECT_EQ(accepted("500ms", kMilliseconds), 500.0);
  EXPECT_EQ(accepted("500", kMilliseconds), 500.0);
  EXPECT_EQ(refusal("1h", kSeconds), "1h: unknown unit 'h': use ms, s or m (a bare number is seconds)");
  EXPECT_EQ(refusal("2m", kFinWatchRule), "2m: must be from 0 to 60 seconds");
  EXPECT_EQ(refusal("s", kSeconds), "s: not a number of seconds");
}

TEST(NumberSuffixes, SizesCountKMGIn1024sAndKBMBGBIn1000s) {
  EXPECT_EQ(accepted("10MB", kBodyBytesRule), 10'000'000.0);
  EXPECT_EQ(accepted("10M", kBodyBytesRule), 10.0 * 1024 * 1024);
  EXPECT_EQ(accepted("10MiB", kBodyBytesRule), 10.0 * 1024 * 1024);
  EXPECT_EQ(accepted("64k", kBodyBytesRule), 65536.0);
  EXPECT_EQ(accepted("64K", kBodyBytesRule), 65536.0);
  EXPECT_EQ(accepted("2kB", kBodyBytesRule), 2000.0);
  EXPECT_EQ(accepted("1G", kBodyBytesRule), 1073741824.0);
  EXPECT_EQ(accepted("1GB", kBodyBytesRule), 1e9);
  EXPECT_EQ(accepted("1.5k", kBodyBytesRule), 1536.0);
  EXPECT_EQ(accepted("1M", kUploadRateRule), 1048576.0);
  EXPECT_EQ(refusal("0.3k", kBodyBytesRule), "0.3k: must be a whole number from 0 to 1099511627776 bytes");
  EXPECT_EQ(refusal("10XB", kBodyBytesRule),
            "10XB: unknown unit 'XB': use k, M, G (or KiB, MiB, GiB) for 1024s, kB, MB, GB for 1000s (a bare "
            "number is bytes)");
  EXPECT_EQ(refusal("2TB", kBodyBytesRule),
            "2TB: unknown unit 'TB': use k, M, G (or KiB, MiB, GiB) for 1024s, "
            "kB, MB, GB for 1000s (a bare number is bytes)");
}

TEST(NumberSuffixes, CountsTakeNoSuffixAndValuesReadBackExactly) {
  EXPECT_EQ(refusal("3k", kCount), "3k: not a whole number");
  EXPECT_EQ(number_value_text(10'000'000.0, kBodyBytesRule), "10000000");
  EXPECT_EQ(number_value_text(0.25, kSeconds), "0.25");
  EXPECT_EQ(number_value_text(1.0 / 3.0, kSeconds), "0.3333333333333333");
}

TEST(LocalPorts, OnePortOrARangeAsCurlTakesThem) {
  EXPECT_EQ(*parse_local_ports("40000"), (LocalPorts{40000, 40000}));
  EXPECT_EQ(*parse_local_ports("40000-40099"), (LocalPorts{40000, 40099}));
  for (const char* bad : {"", "0", "65536", "9-3", "40000-", "-5", "4x", "1-2-3", " 80"}) {
    auto parsed = parse_local_ports(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().message,
              std::string(bad) + ": not a port 1-65535 or a range of them (e.g. 40000 or 40000-40099)");
  }
}

TEST(UserOption, NeedsAPasswordAndNeverQuotesIt) {
  EXPECT_EQ(user_problem("alice:pw"), std::nullopt);
  EXPECT_EQ(user_problem("alice:"), std::nullopt);  // an empty password, as curl sends it
  EXPECT_EQ(user_problem("alice"), "give USER:PASSWORD (termprobe does not prompt for the password)");
}

}  // namespace
}  // namespace termprobe
