#include "probes/request_fields.h"
#include "common/ascii_case.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <openssl/evp.h>

namespace termprobe {
namespace {

// Synthetic request bodies are this byte repeated; one shared buffer serves
// every probe.
constexpr std::size_t kBodyChunk = 64 * 1024;
const std::array<char, kBodyChunk>& synthetic_body() {
  static const std::array<char, kBodyChunk> bytes = [] {
    std::array<char, kBodyChunk> filled{};
    filled.fill('x');
    return filled;
  }();
  return bytes;
}

std::string_view header_name(std::string_view header) {
  const auto colon = header.find(':');
  return colon == std::string_view::npos ? header : header.substr(0, colon);
}

bool removes_header(std::string_view header) {
  const auto colon = header.find(':');
  if (colon == std::string_view::npos) return false;
  return header.find_first_not_of(" \t", colon + 1) == std::string_view::npos;
}

HeaderField split_header(std::string_view header) {
  const auto colon = header.find(':');
  std::string_view value = header.substr(colon + 1);
  value.remove_prefix(std::min(value.size(), value.find_first_not_of(" \t")));
  return {std::string(header.substr(0, colon)), std::string(value)};
}

// Pacing granularity for --upload-rate: about twenty sends a second.
std::int64_t rate_quantum(std::int64_t rate) { return std::clamp<std::int64_t>(rate / 20, 1, 16 * 1024); }

}  // namespace

std::string basic_credentials(std::string_view user_password) {
  std::string encoded(4 * ((user_password.size() + 2) / 3) + 1, '\0');
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                   reinterpret_cast<const unsigned char*>(user_password.data()),
                                   static_cast<int>(user_password.size()));
  encoded.resize(static_cast<std::size_t>(size));
  return "Basic " + encoded;
}

bool user_overrides(const std::vector<std::string>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const std::string& h) { return equals_ignoring_case(header_name(h), name); });
}

std::int64_t request_body_size(const ProbeSpec& spec) {
  return spec.body.empty() ? spec.body_bytes : static_cast<std::int64_t>(spec.body.size());
}

std::vector<HeaderField> request_header_fields(const ProbeSpec& spec, const TargetUrl& url) {
  std::vector<HeaderField> defaults = {{"Host", url.host_header}};
  if (!spec.user.empty())
    defaults.push_back({"Authorization", basic_credentials(spec.user)});
  else if (!url.user.empty() || !url.password.empty())
    defaults.push_back({"Authorization", basic_credentials(url.user + ":" + url.password)});
  defaults.push_back({"User-Agent", "termprobe/" TERMPROBE_VERSION});
  defaults.push_back({"Accept", "*/*"});
  if (const std::int64_t body = request_body_size(spec); body > 0) {
    defaults.push_back({"Content-Length", std::to_string(body)});
    defaults.push_back(
        {"Content-Type", spec.body_type.empty() ? "application/octet-stream" : spec.body_type});
  }
  std::vector<HeaderField> fields;
  for (auto& field : defaults) {
    if (!user_overrides(spec.headers, field.name)) fields.push_back(std::move(field));
  }
  for (const auto& header : spec.headers) {
    if (!removes_header(header)) fields.push_back(split_header(header));
  }
  return fields;
}

UploadBody::UploadBody(const ProbeSpec& spec) : spec_(&spec), total_(request_body_size(spec)) {}

void UploadBody::start(std::int64_t now_us) {
  if (started_) return;
  started_ = true;
  started_us_ = now_us;
}

std::string_view UploadBody::ready(std::int64_t now_us, std::size_t max) const {
  std::int64_t allowed = total_ - sent_;
  if (!started_) return {};
  if (spec_->upload_rate > 0) {
    const double elapsed_s = static_cast<double>(std::max<std::int64_t>(0, now_us - started_us_)) / 1e6;
    const auto earned = static_cast<std::int64_t>(elapsed_s * static_cast<double>(spec_->upload_rate));
    allowed = std::min(allowed, earned + rate_quantum(spec_->upload_rate) - sent_);
  }
  const auto size = static_cast<std::size_t>(
      std::clamp<std::int64_t>(allowed, 0, static_cast<std::int64_t>(std::min(max, kBodyChunk))));
  if (size == 0) return {};
  if (!spec_->body.empty())
    return std::string_view(spec_->body).substr(static_cast<std::size_t>(sent_), size);
  return std::string_view(synthetic_body().data(), size);
}

std::optional<std::int64_t> UploadBody::resumes_us() const {
  if (spec_->upload_rate <= 0 || !started_ || complete()) return std::nullopt;
  // The moment the rate has earned the next quantum.
  const double due_s = static_cast<double>(sent_) / static_cast<double>(spec_->upload_rate);
  return started_us_ + static_cast<std::int64_t>(due_s * 1e6) + 1;
}

}  // namespace termprobe
