#include "clients/curl_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace termprobe {
namespace {

struct Transfer {
  std::int64_t body_bytes = 0;
  int requests = 0;  // request heads libcurl sent: its silent retry shows as 2
};

std::size_t count_body(char*, std::size_t size, std::size_t count, void* transfer) {
  static_cast<Transfer*>(transfer)->body_bytes += static_cast<std::int64_t>(size * count);
  return size * count;
}

// Ctrl-C: a non-zero return aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
int check_stop(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(stop)->load() ? 1 : 0;
}

int count_requests(CURL*, curl_infotype type, char*, std::size_t, void* transfer) {
  if (type == CURLINFO_HEADER_OUT) ++static_cast<Transfer*>(transfer)->requests;
  return 0;
}

std::string connect_to_entry(const ClientRequest& request) {
  // An empty host and port match the URL's, whatever form it names them in.
  const std::string& address = request.connect_to.address;
  const bool v6 = address.find(':') != std::string::npos;
  return fmt::format("::{}:{}", v6 ? "[" + address + "]" : address, request.connect_to.port);
}

long http_version(HttpMode mode) {
  switch (mode) {
    case HttpMode::http2: return CURL_HTTP_VERSION_2TLS;
    case HttpMode::http2_prior_knowledge: return CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    default: return CURL_HTTP_VERSION_1_1;
  }
}

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// The method and body as the curl command sends them for -X and --data-binary.
void set_method_and_body(CURL* curl, const ProbeSpec& spec, const std::string& body) {
  if (spec.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const bool implied = spec.method == (body.empty() ? "GET" : "POST");
  if (!implied && spec.method != "HEAD") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
}

void set_tls(CURL* curl, const TlsSettings& tls) {
  if (tls.insecure) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!tls.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.key_file.c_str());
}

}  // namespace

ClientRun run_curl_client(const ClientRequest& request) {
  static std::once_flag initialised;
  std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  const ProbeSpec& spec = request.spec;
  ClientRun run;
  run.verdict.client = "curl";
  run.verdict.version = curl_version_info(CURLVERSION_NOW)->version;
  Easy curl(curl_easy_init(), curl_easy_cleanup);
  HeaderList headers(nullptr, curl_slist_free_all);
  curl_slist* connect_to = curl_slist_append(nullptr, connect_to_entry(request).c_str());
  HeaderList connect_list(connect_to, curl_slist_free_all);
  for (const std::string& header : spec.headers)
    headers.reset(curl_slist_append(headers.release(), header.c_str()));
  const std::string body = client_body(spec);
  if (auto type = default_content_type(spec))
    headers.reset(curl_slist_append(headers.release(), ("Content-Type: " + *type).c_str()));
  char error_buffer[CURL_ERROR_SIZE] = {};
  Transfer transfer;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_list.get());
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never a proxy from the environment: the relay is the way
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  set_method_and_body(c, spec, body);
  set_tls(c, spec.tls);
  if (!spec.user.empty()) curl_easy_setopt(c, CURLOPT_USERPWD, spec.user.c_str());  // curl's -u
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, http_version(spec.http));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(spec.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, count_requests);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // the debug function sees every head sent; nothing is printed
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_stop);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &request.stop);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  // --rounds: the same request again on the same handle, as an application
  // reuses its client (and curl its connection); the last one is reported.
  CURLcode code = CURLE_OK;
  for (int round = 0; round < spec.rounds && code == CURLE_OK; ++round) {
    transfer.body_bytes = 0;
    code = curl_easy_perform(c);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t length = -1;
  curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  if (status > 0) run.verdict.status = static_cast<int>(status);
  if (length >= 0) run.declared_length = length;
  run.verdict.requests = transfer.requests;
  if (status > 0) run.body_bytes = transfer.body_bytes;
  if (code == CURLE_ABORTED_BY_CALLBACK) return interrupted_run("curl");
  if (code == CURLE_OK) {
    run.verdict.outcome = "response";
    return run;
  }
  run.verdict.outcome = "error";
  run.verdict.error = ClientError{std::to_string(static_cast<int>(code)),
                                  error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code),
                                  {curl_easy_strerror(code)}};
  return run;
}

}  // namespace termprobe
