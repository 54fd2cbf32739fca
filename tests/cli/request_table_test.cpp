// Every `probe` option that has a check-file key builds the same request
// both ways: the command line parsed as `termprobe probe` parses it, the key
// read as `termprobe check` reads it. Compared: method, the header fields as
// they go out, the body's bytes, the whole spec (deadlines, TLS, HTTP/2),
// the connection count, and the fields as outputs show them (redaction).
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include "cli/probe_command.h"
#include "probes/request_fields.h"
#include "report/check_file.h"

namespace termprobe {
namespace {

// A URL with a user and password: the Basic field both ways, and its redaction.
// https: --http2 (ALPN) is refused on http:// URLs.
constexpr const char* kUrl = "https://user:pw@127.0.0.1:8443/x";

// A throwaway self-signed client certificate and its key in one PEM file
// ({pem}): --cert and --key load it before any probe, so it must be real.
constexpr const char* kClientPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBlzCCAT2gAwIBAgIUaimTP+N4I8EQXcHYxX7oysEzRgYwCgYIKoZIzj0EAwIw\n"
    "IDEeMBwGA1UEAwwVdGVybXByb2JlLXRlc3QtY2xpZW50MCAXDTI2MTIwNzA0MzAw\n"
    "N1oYDzIxMjYxMTEzMDQzMDA3WjAgMR4wHAYDVQQDDBV0ZXJtcHJvYmUtdGVzdC1j\n"
    "bGllbnQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQGw+5ib9owBe9AChZMYuru\n"
    "TXIjROn4XnIRFVblaEmdohJ9jeI97eln/7B9X/04RByzE+uNMvlPEGJlYM6PmDQA\n"
    "o1MwUTAdBgNVHQ4EFgQU7WV31/UrEUReV9Eool1Sph6JgqEwHwYDVR0jBBgwFoAU\n"
    "7WV31/UrEUReV9Eool1Sph6JgqEwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD\n"
    "AgNIADBFAiEAwmgXxfmyes9lSHNOM+frFeYNanTAm8KBOkatOaKmWVwCIEkPXK7f\n"
    "jXMKt3d8cKdAObXMvekyFcgjxNCxosw8hqgU\n"
    "-----END CERTIFICATE-----\n"
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggBah4lXcD+OGHXlG\n"
    "9LcsxFZ9bsIHA7kPfV3/2VXYj2KhRANCAAQGw+5ib9owBe9AChZMYuruTXIjROn4\n"
    "XnIRFVblaEmdohJ9jeI97eln/7B9X/04RByzE+uNMvlPEGJlYM6PmDQA\n"
    "-----END PRIVATE KEY-----\n";

struct Row {
  std::vector<std::string> args;  // after `termprobe probe URL`; {file} is a readable file
  std::string keys;               // the [[probe]] entry's keys, one per line, the same way
};

const std::vector<Row>& rows() {
  static const std::vector<Row> table = {
      {{}, ""},
      {{"-X", "PUT"}, "method = \"PUT\""},
      {{"--method", "DELETE"}, "method = \"DELETE\""},
      {{"-H", "X-A: 1", "-H", "Cookie: c=2"}, "headers = [\"X-A: 1\", \"Cookie: c=2\"]"},
      {{"-H", "Authorization: Bearer t0ken"}, "headers = [\"Authorization: Bearer t0ken\"]"},
      {{"-H", "User-Agent:", "-H", "Accept: text/plain"},
       "headers = [\"User-Agent:\", \"Accept: text/plain\"]"},
      {{"-d", "a=1", "-d", "b=2"}, "data = [\"a=1\", \"b=2\"]"},
      {{"-d", "@{file}"}, "data = \"@{file}\""},
      {{"--data-binary", "@{file}"}, "data_binary = \"@{file}\""},
      {{"-d", "a=1", "--data-binary", "raw"}, "data_binary = \"raw\"\ndata = \"a=1\""},
      {{"-X", "PUT", "-d", "a=1"}, "method = \"PUT\"\ndata = \"a=1\""},
      {{"-d", "a=1", "-H", "Content-Type: text/plain"},
       "data = \"a=1\"\nheaders = [\"Content-Type: text/plain\"]"},
      {{"--body-bytes", "10"}, "body_bytes = 10"},
      {{"--body-bytes", "2MB"}, "body_bytes = 2000000"},
      {{"--body-bytes", "2MB"}, "body_bytes = \"2MB\""},  // a unit in the file: the same parser
      {{"--body-bytes", "10", "-X", "GET"}, "body_bytes = 10\nmethod = \"GET\""},
      {{"--body-bytes", "64", "--upload-rate", "1k"}, "body_bytes = 64\nupload_rate = 1024"},
      {{"-d", "a=1", "--upload-rate", "100"}, "data = \"a=1\"\nupload_rate = 100"},
      {{"-n", "4"}, "repeat = 4"},
      {{"--count", "7"}, "repeat = 7"},
      {{"--timeout", "2.5"}, "timeout = 2.5"},
      {{"--timeout", "500ms"}, "timeout = 0.5"},
      {{"--timeout", "500ms"}, "timeout = \"500ms\""},
      {{"--repeat", "3"}, "repeat = \"3\""},
      {{"--connect-timeout", "1"}, "connect_timeout = 1"},
      {{"--watch", "0.2"}, "watch = 0.2"},
      {{"--fin-watch", "0"}, "fin_watch = 0"},
      {{"-k"}, "insecure = true"},
      {{"--insecure"}, "insecure = true"},
      {{"--cacert", "{file}"}, "cacert = \"{file}\""},
      {{"--resolve", "a.test:80:127.0.0.1"}, "resolve = [\"a.test:80:127.0.0.1\"]"},
      {{"--tls-min", "1.3"}, "tls_min = \"1.3\""},
      {{"--tls-max", "1.2"}, "tls_max = \"1.2\""},
      {{"--http2"}, "http2 = true"},
      {{"--http2-prior-knowledge"}, "http2_prior_knowledge = true"},
      {{"--http2-prior-knowledge", "--streams", "4"}, "http2_prior_knowledge = true\nstreams = 4"},
      {{"--rounds", "3"}, "rounds = 3"},
      {{"--redact", "X-A", "-H", "X-A: 1"}, "redact = [\"X-A\"]\nheaders = [\"X-A: 1\"]"},
      {{"--connect-to", "127.0.0.1:8443:b.test:9443"}, "connect_to = [\"127.0.0.1:8443:b.test:9443\"]"},
      {{"-4"}, "ipv4 = true"},
      {{"--ipv6"}, "ipv6 = true"},
      {{"--local-port", "40100-40109"}, "local_port = \"40100-40109\""},
      {{"--cert", "{pem}"}, "cert = \"{pem}\""},
      {{"--cert", "{pem}", "--key", "{pem}"}, "cert = \"{pem}\"\nkey = \"{pem}\""},
      {{"-u", "alice:pw"}, "user = \"alice:pw\""},
      {{"--user", "bob:", "-H", "Authorization: Bearer t"},
       "user = \"bob:\"\nheaders = [\"Authorization: Bearer t\"]"},
  };
  return table;
}

// Options of `probe` without a check-file key, and why.
const std::set<std::string> kNoKey = {
    "--help",           "url",            // the entry's url, the same in every row
    "--threads",        "--concurrency",  // how connections are scheduled, not what each sends
    "--rate",           "--json",
    "--quiet",          "--format",
    "--spread-sources",
    "--expect",        // judged against the entry's expect, its own syntax (check_file_test)
    "--show-secrets",  // the runner's choice (check --show-secrets), not the file's
    "--clients",       // a replay with real clients beside the probe, not what the probe sends
    "--html",          // an output of the run, as --json
    "--capture",        "--capture-strict",  // the runner's evidence of the run, not what the probe sends
};
// Keys of [[probe]] that are no `probe` option.
const std::set<std::string> kNoOption = {"name", "url", "expect"};

std::string with_file(std::string text, const std::string& file) {
  for (auto at = text.find("{file}"); at != std::string::npos; at = text.find("{file}"))
    text.replace(at, 6, file);
  for (auto at = text.find("{pem}"); at != std::string::npos; at = text.find("{pem}"))
    text.replace(at, 5, file + ".pem");
  return text;
}

struct Built {
  ProbeSpec spec;
  std::size_t connections = 0;
  Redaction redaction;
};

class RequestTable : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctest runs each test in a process of its own: the file carries the pid.
    file_ = std::filesystem::temp_directory_path() /
            ("termprobe-request-table-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(file_, std::ios::binary) << "f=1\r\ng=2\n";
    std::ofstream(file_.string() + ".pem", std::ios::binary) << kClientPem;
  }
  void TearDown() override {
    std::filesystem::remove(file_);
    std::filesystem::remove(file_.string() + ".pem");
  }

  Built from_command_line(const Row& row) {
    CLI::App app;
    ProbeOptions options;
    add_probe_command(app, options);
    std::vector<std::string> args = {"termprobe", "probe", kUrl};
    for (const auto& arg : row.args) args.push_back(with_file(arg, file_.string()));
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    app.parse(static_cast<int>(argv.size()), argv.data());
    auto spec = probe_spec_from(options, *parse_target_url(kUrl));
    EXPECT_TRUE(spec.has_value());
    return {spec.value_or(ProbeSpec{}), options.count, redaction_from(options.redaction)};
  }

  Built from_check_file(const Row& row) {
    std::istringstream text(with_file(std::string("[[probe]]\nname = \"p\"\nurl = \"") + kUrl +
                                          "\"\nexpect = [\"keepalive\"]\n" + row.keys + "\n",
                                      file_.string()));
    auto probes = parse_check_file(text, "t.toml");
    EXPECT_TRUE(probes.has_value()) << (probes ? "" : probes.error().message);
    if (!probes) return {};
    CheckProbe& probe = probes->front();
    EXPECT_TRUE(apply_connection_options(ConnectionOptions{}, probe.spec));  // check with no options
    return {probe.spec, probe.repeat, redaction_from(RedactionOptions{}, probe.redact)};
  }

  std::filesystem::path file_;
};

std::string body_of(const ProbeSpec& spec) {
  UploadBody body(spec);
  body.start(0);
  std::string bytes;
  while (!body.complete()) {
    const std::string_view piece = body.ready(1'000'000'000'000, 1 << 20);  // long after the start: no pacing
    bytes += piece;
    body.consumed(piece.size());
  }
  return bytes;
}

std::string fields_text(const std::vector<HeaderField>& fields) {
  std::string text;
  for (const auto& field : fields) text += field.name + ": " + field.value + "\n";
  return text;
}

TEST_F(RequestTable, EveryOptionAndItsKeyBuildTheSameRequest) {
  const TargetUrl url = *parse_target_url(kUrl);
  for (const Row& row : rows()) {
    SCOPED_TRACE(::testing::PrintToString(row.args) + " / " + row.keys);
    const Built cli = from_command_line(row);
    const Built file = from_check_file(row);
    EXPECT_EQ(cli.spec.method, file.spec.method);
    const auto sent = request_header_fields(cli.spec, url);
    EXPECT_EQ(fields_text(sent), fields_text(request_header_fields(file.spec, url)));
    EXPECT_EQ(body_of(cli.spec), body_of(file.spec));
    EXPECT_TRUE(cli.spec == file.spec);
    EXPECT_EQ(cli.connections, file.connections);
    const auto fields = std::make_shared<const std::vector<HeaderField>>(sent);
    EXPECT_EQ(fields_text(*cli.redaction.fields(fields)), fields_text(*file.redaction.fields(fields)));
  }
}

// The rules the table's rows rely on, stated once: a body without a method is a POST.
TEST_F(RequestTable, ABodyWithoutAMethodIsAPostBothWays) {
  for (const Row& row :
       {Row{{"--body-bytes", "10"}, "body_bytes = 10"}, Row{{"-d", "a=1"}, "data = \"a=1\""}}) {
    EXPECT_EQ(from_command_line(row).spec.method, "POST");
    EXPECT_EQ(from_check_file(row).spec.method, "POST");
  }
  EXPECT_EQ(from_check_file({{}, "body_bytes = 10"}).spec.body_bytes, 10);
  EXPECT_EQ(from_command_line({{}, ""}).spec.method, "GET");
}

TEST_F(RequestTable, CoversEveryProbeOptionWithACheckFileKey) {
  CLI::App app;
  ProbeOptions options;
  CLI::App* probe = add_probe_command(app, options);
  std::set<std::string> covered;
  std::set<std::string> keys;
  for (const Row& row : rows()) {
    for (const auto& arg : row.args) {
      if (arg.starts_with("-") && probe->get_option_no_throw(arg) != nullptr)
        covered.insert(probe->get_option(arg)->get_name());
    }
    std::istringstream lines(row.keys);
    for (std::string line; std::getline(lines, line);) keys.insert(line.substr(0, line.find(' ')));
  }
  for (const CLI::Option* option : probe->get_options()) {
    const std::string name = option->get_name();
    EXPECT_TRUE(covered.contains(name) || kNoKey.contains(name))
        << name << ": add a row, or say why it has no key";
  }
  const std::string_view known = check_file_probe_keys();
  for (std::size_t at = 0; at < known.size();) {
    const std::size_t end = std::min(known.find(", ", at), known.size());
    const std::string key(known.substr(at, end - at));
    EXPECT_TRUE(keys.contains(key) || kNoOption.contains(key))
        << key << ": add a row, or say why it has no option";
    at = end + 2;
  }
}

}  // namespace
}  // namespace termprobe
