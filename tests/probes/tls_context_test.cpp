#include "probes/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <optional>
#include <string>

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

}  // namespace
}  // namespace termprobe
