#include "common/target_url.h"

#include <curl/curl.h>

#include <memory>

namespace termprobe {
namespace {

struct UrlHandleDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlHandleDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};

std::string url_part(CURLU* handle, CURLUPart part, unsigned int flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(handle, part, &raw, flags) != CURLUE_OK || raw == nullptr) return {};
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return std::string(owned.get());
}

}  // namespace

Result<TargetUrl> parse_target_url(const std::string& text) {
  const std::string quoted = "'" + text + "'";
  if (text.empty()) return fail(ErrorKind::invalid_input, "empty URL: give one like http://127.0.0.1:8080/");
  // libcurl would read "127.0.0.1:8080" as scheme "127.0.0.1" and complain about slashes.
  if (text.find("://") == std::string::npos)
    return fail(
        ErrorKind::invalid_input,
        "URL " + quoted + " has no scheme: write it with http:// or https:// (e.g. http://" + text + ")");
  UrlHandle handle(curl_url());
  if (!handle) return fail(ErrorKind::internal, "libcurl could not allocate a URL parser");

  const CURLUcode code = curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (code == CURLUE_BAD_PORT_NUMBER)
    return fail(ErrorKind::invalid_input, "bad port in URL " + quoted + ": use 1-65535");
  if (code != CURLUE_OK)
    return fail(ErrorKind::invalid_input, "malformed URL " + quoted + ": " + curl_url_strerror(code) +
                                              " (expected e.g. http://127.0.0.1:8080/path)");

  TargetUrl target;
  target.scheme = url_part(handle.get(), CURLUPART_SCHEME);
  if (target.scheme != "http" && target.scheme != "https")
    return fail(ErrorKind::invalid_input,
                "unsupported scheme '" + target.scheme + "' in " + quoted + ": use http:// or https://");
  target.host = url_part(handle.get(), CURLUPART_HOST);
  if (target.host.empty()) return fail(ErrorKind::invalid_input, "URL " + quoted + " has no host");
  const std::string port = url_part(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  target.port = port.empty() ? 0 : std::stoi(port);
  if (target.port == 0)
    return fail(ErrorKind::invalid_input, "port 0 in " + quoted + " cannot be connected to: use 1-65535");
  target.url = url_part(handle.get(), CURLUPART_URL);
  target.request_target = url_part(handle.get(), CURLUPART_PATH);
  if (target.request_target.empty()) target.request_target.assign(1, '/');
  const std::string query = url_part(handle.get(), CURLUPART_QUERY);
  if (!query.empty()) target.request_target.append(1, '?').append(query);
  const std::string explicit_port = url_part(handle.get(), CURLUPART_PORT);
  // libcurl keeps an IPv6 host in brackets, as the Host header wants it.
  target.host_header = target.host;
  if (!explicit_port.empty()) target.host_header.append(":").append(explicit_port);
  target.user = url_part(handle.get(), CURLUPART_USER, CURLU_URLDECODE);
  target.password = url_part(handle.get(), CURLUPART_PASSWORD, CURLU_URLDECODE);
  return target;
}

}  // namespace termprobe
