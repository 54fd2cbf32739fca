#include "probes/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace termprobe {
namespace {

// Sets SSLKEYLOGFILE (or unsets it, given nullopt) for one test.
class KeyLogEnvironment {
 public:
  explicit KeyLogEnvironment(const std::optional<std::string>& value) {
    if (const char* before = std::getenv("SSLKEYLOGFILE")) before_ = before;
    if (value)
      setenv("SSLKEYLOGFILE", value->c_str(), 1);
    else
      unsetenv("SSLKEYLOGFILE");
  }
  ~KeyLogEnvironment() {
    if (before_)
      setenv("SSLKEYLOGFILE", before_->c_str(), 1);
    else
      unsetenv("SSLKEYLOGFILE");
  }
  KeyLogEnvironment(const KeyLogEnvironment&) = delete;
  KeyLogEnvironment& operator=(const KeyLogEnvironment&) = delete;

 private:
  std::optional<std::string> before_;
};

std::shared_ptr<TlsContext> insecure_context() {
  TlsSettings settings;
  settings.insecure = true;
  auto context = TlsContext::create(settings, {"http/1.1"});
  EXPECT_TRUE(context.has_value());
  return context ? *context : nullptr;
}

// Without SSLKEYLOGFILE no key log callback: OpenSSL then skips formatting
// every connection's secrets.
TEST(TlsContextTest, NoKeyLogCallbackWithoutSslKeyLogFile) {
  for (const std::optional<std::string>& value :
       {std::optional<std::string>{}, std::optional<std::string>{""}}) {
    const KeyLogEnvironment environment(value);
    const auto context = insecure_context();
    ASSERT_NE(context, nullptr);
    EXPECT_EQ(SSL_CTX_get_keylog_callback(context->native()), nullptr);
  }
}

TEST(TlsContextTest, KeyLogCallbackWithSslKeyLogFile) {
  const KeyLogEnvironment environment(std::string("/dev/null"));
  const auto context = insecure_context();
  ASSERT_NE(context, nullptr);
  EXPECT_NE(SSL_CTX_get_keylog_callback(context->native()), nullptr);
}

TEST(TlsContextTest, VersionsAreTheFourTlsVersions) {
  EXPECT_EQ(tls_version_number("1.0"), TLS1_VERSION);
  EXPECT_EQ(tls_version_number("1.1"), TLS1_1_VERSION);
  EXPECT_EQ(tls_version_number("1.2"), TLS1_2_VERSION);
  EXPECT_EQ(tls_version_number("1.3"), TLS1_3_VERSION);
  EXPECT_EQ(tls_version_number("3.0"), 0);
  EXPECT_EQ(tls_version_number("1"), 0);
}

// TLS 1.2 and 1.3 unless asked: 1.0 and 1.1 are never offered by default.
TEST(TlsContextTest, TheDefaultRangeIsTls12To13) {
  const auto range = [](const char* min, const char* max) {
    TlsSettings settings;
    settings.min_version = min;
    settings.max_version = max;
    const TlsVersionRange r = tls_version_range(settings);
    return std::pair{r.min, r.max};
  };
  EXPECT_EQ(range("", ""), std::pair(TLS1_2_VERSION, 0));
  EXPECT_EQ(range("", "1.3"), std::pair(TLS1_2_VERSION, TLS1_3_VERSION));
  EXPECT_EQ(range("1.0", ""), std::pair(TLS1_VERSION, 0));
  EXPECT_EQ(range("1.1", "1.2"), std::pair(TLS1_1_VERSION, TLS1_2_VERSION));
  EXPECT_EQ(range("", "1.1"),
            std::pair(TLS1_1_VERSION, TLS1_1_VERSION));  // --tls-max alone below 1.2: only it

  TlsSettings settings;
  settings.insecure = true;
  auto context = TlsContext::create(settings, {});
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*context)->native()), TLS1_2_VERSION);
  const int default_level = SSL_CTX_get_security_level((*context)->native());
  settings.min_version = "1.0";
  auto lowered = TlsContext::create(settings, {});
  ASSERT_TRUE(lowered.has_value());
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*lowered)->native()), TLS1_VERSION);
  EXPECT_EQ(SSL_CTX_get_security_level((*lowered)->native()), 0);
  EXPECT_EQ(SSL_CTX_get_security_level((*context)->native()), default_level);
}

}  // namespace
}  // namespace termprobe
