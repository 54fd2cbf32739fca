#include "report/check_file.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace termprobe {
namespace {

Result<std::vector<CheckProbe>> parse(const std::string& text) {
  std::istringstream input(text);
  return parse_check_file(input, "c.toml");
}

// The one-line refusal, or "accepted".
std::string refusal(const std::string& text) {
  auto probes = parse(text);
  return probes ? "accepted" : probes.error().message;
}

TEST(CheckFile, DefaultsApplyAndEachProbeMayOverrideThem) {
  auto probes = parse(R"(
[defaults]
repeat = 3
timeout = 2.5
headers = ["X-Test: 1"]

[[probe]]
name = "home"
url = "http://127.0.0.1:8080/"
expect = ["keepalive"]

[[probe]]
name = "upload limit"
url = "http://[::1]:9000/upload?x=1"
method = "POST"
body_bytes = 10485760
upload_rate = 1048576
repeat = 1
watch = 0
fin_watch = 0.25
connect_timeout = 1
expect = ["upload_aborted", "early_response"]
)");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  ASSERT_EQ(probes->size(), 2u);
  const CheckProbe& home = (*probes)[0];
  EXPECT_EQ(home.name, "home");
  EXPECT_EQ(home.target, "http://127.0.0.1:8080");
  EXPECT_EQ(home.spec.method, "GET");
  EXPECT_EQ(home.repeat, 3u);
  EXPECT_EQ(home.spec.timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(home.spec.headers, std::vector<std::string>{"X-Test: 1"});
  EXPECT_EQ(home.expectation.labels, std::set<Label>{Label::keepalive});
  EXPECT_EQ(home.line, 7);
  const CheckProbe& upload = (*probes)[1];
  EXPECT_EQ(upload.target, "http://[::1]:9000");
  EXPECT_EQ(upload.spec.method, "POST");
  EXPECT_EQ(upload.spec.body_bytes, 10485760);
  EXPECT_EQ(upload.spec.upload_rate, 1048576);
  EXPECT_EQ(upload.repeat, 1u);
  EXPECT_EQ(upload.spec.timeout, std::chrono::milliseconds(2500));  // from [defaults]
  EXPECT_EQ(upload.spec.watch, std::chrono::milliseconds(0));
  EXPECT_EQ(upload.spec.fin_watch, std::chrono::milliseconds(250));
  EXPECT_EQ(upload.spec.connect_timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(upload.expectation.labels, (std::set<Label>{Label::upload_aborted, Label::early_response}));
}

constexpr const char* kProbe =
    "[[probe]]\nname = \"p\"\nurl = \"http://127.0.0.1:1/\"\nexpect = [\"keepalive\"]\n";

TEST(CheckFile, EveryMistakeNamesTheFileAndLine) {
  const std::string unknown = refusal(std::string(kProbe) + "colour = \"red\"\n");
  EXPECT_EQ(unknown.rfind("c.toml:5: unknown key 'colour' in [[probe]] (known: name, url, method, ", 0), 0u)
      << unknown;
  EXPECT_NE(unknown.find(", expect, connect_to, ipv4, ipv6, local_port, cert, key, user)"), std::string::npos)
      << unknown;
  EXPECT_EQ(refusal(std::string(kProbe) + "expect = [\"keepalve\"]\n").rfind("c.toml:", 0), 0u);
  EXPECT_EQ(refusal("[[probe]]\nname = \"p\"\nurl = \"http://127.0.0.1:1/\"\nexpect = [\"keepalve\"]\n"),
            "c.toml:4: 'keepalve' is not a label, or LABEL/STATUS (e.g. keepalive, keepalive/200, "
            "close_after_response/2xx, reset_before_response)");
  EXPECT_EQ(refusal(std::string(kProbe) + kProbe),
            "c.toml:5: probe name 'p' is used twice (first at line 1)");
  EXPECT_EQ(refusal("[[probe]]\nname = \"p\"\nexpect = [\"keepalive\"]\n"),
            "c.toml:1: [[probe]] needs 'url'");
  EXPECT_EQ(refusal("[defaults]\nrepeat = 2\n"), "c.toml: no [[probe]], [[idle]] or [[reuse]] in the file");
  EXPECT_EQ(refusal(std::string(kProbe) + "[extra]\n"),
            "c.toml:5: unknown table 'extra' (use [defaults], [[probe]], [[idle]] and [[reuse]])");
  EXPECT_EQ(refusal("[[probe]\n").rfind("c.toml:1: ", 0), 0u);  // TOML syntax
}

TEST(CheckFile, NumbersFollowTheSameRulesAsTheCommandLine) {
  EXPECT_EQ(refusal(std::string(kProbe) + "timeout = nan\n"),
            "c.toml:5: 'timeout' nan: not a finite number of seconds");
  // A day, as probe --timeout allows (a slow upload may take hours).
  EXPECT_EQ(refusal(std::string(kProbe) + "timeout = 86401\n"),
            "c.toml:5: 'timeout' 86401: must be from 0.001 to 86400 seconds");
  EXPECT_EQ(refusal(std::string(kProbe) + "timeout = 86400\n"), "accepted");
  EXPECT_EQ(refusal(std::string(kProbe) + "repeat = 0\n"),
            "c.toml:5: 'repeat' 0: must be a whole number from 1 to 100000 connections");
  EXPECT_EQ(refusal(std::string(kProbe) + "repeat = 1.5\n"),
            "c.toml:5: 'repeat' 1.5: must be a whole number from 1 to 100000 connections");
  EXPECT_EQ(refusal(std::string(kProbe) + "watch = true\n"),
            "c.toml:5: 'watch' must be a number, or a string with a unit");
  EXPECT_EQ(refusal(std::string(kProbe) + "upload_rate = 1000\n"),
            "c.toml:1: 'upload_rate' needs 'body_bytes', 'data' or 'data_binary'");
}

TEST(CheckFile, MethodsAndHeadersFollowTheSameRulesAsTheCommandLine) {
  EXPECT_EQ(refusal(std::string(kProbe) + "method = \"GET /x\"\n"),
            "c.toml:5: 'method' 'GET /x' must be an HTTP method token such as GET or POST");
  EXPECT_EQ(refusal(std::string(kProbe) + "headers = [\": no name\"]\n"),
            "c.toml:5: header ': no name' must look like 'Name: value'");
  EXPECT_EQ(
      refusal(std::string(kProbe) + "headers = [\"Bad Name: v\"]\n"),
      "c.toml:5: header 'Bad Name: v' must start with a name of letters, digits and !#$%&'*+-.^_`|~ (no "
      "spaces) before the ':'");
  EXPECT_EQ(refusal(std::string(kProbe) + "headers = [\"X: a\\r\\nInjected: b\"]\n"),
            "c.toml:5: header 'X: a\r\nInjected: b' must not contain CR, LF or NUL");
  EXPECT_EQ(refusal("[defaults]\nheaders = [\"no colon\"]\n" + std::string(kProbe)),
            "c.toml:2: header 'no colon' must look like 'Name: value'");
}

TEST(CheckFile, TlsKeysAreTheCommandLinesTlsOptions) {
  auto probes = parse(R"(
[defaults]
tls_min = "1.2"

[[probe]]
name = "tls"
url = "https://example.test:8443/"
insecure = true
cacert = "ca.pem"
resolve = ["example.test:8443:127.0.0.1"]
tls_max = "1.3"
expect = ["keepalive"]
)");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  const ProbeSpec& spec = (*probes)[0].spec;
  EXPECT_TRUE(spec.tls.insecure);
  EXPECT_EQ(spec.tls.ca_file, "ca.pem");
  EXPECT_EQ(spec.tls.min_version, "1.2");
  EXPECT_EQ(spec.tls.max_version, "1.3");
  EXPECT_EQ(spec.resolve, std::vector<std::string>{"example.test:8443:127.0.0.1"});
  EXPECT_EQ((*probes)[0].target, "https://example.test:8443");
  EXPECT_EQ(refusal(std::string(kProbe) + "insecure = \"yes\"\n"),
            "c.toml:5: 'insecure' must be true or false");
  EXPECT_EQ(refusal(std::string(kProbe) + "tls_min = \"1.3\"\ntls_max = \"1.2\"\n"),
            "c.toml:5: the minimum TLS version 1.3 is above the maximum 1.2");
}

TEST(CheckFile, CurlKeysAreTheCommandLinesCurlOptions) {
  auto probes = parse(R"(
[defaults]
ipv4 = true
user = "alice:pw"

[[probe]]
name = "moved"
url = "https://example.test/"
connect_to = ["example.test:443:127.0.0.1:8443"]
local_port = "40000-40009"
cert = "client.pem"
key = "client.key"
expect = ["keepalive"]

[[probe]]
name = "v6"
url = "http://example.test/"
ipv4 = false
ipv6 = true
local_port = 40010
expect = ["keepalive"]
)");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  const ProbeSpec& spec = (*probes)[0].spec;
  EXPECT_EQ(spec.connect_to, std::vector<std::string>{"example.test:443:127.0.0.1:8443"});
  EXPECT_EQ(spec.ip_family, IpFamily::v4);
  EXPECT_EQ(spec.user, "alice:pw");
  EXPECT_EQ(spec.local_ports, (LocalPorts{40000, 40009}));
  EXPECT_EQ(spec.tls.cert_file, "client.pem");
  EXPECT_EQ(spec.tls.key_file, "client.key");
  EXPECT_EQ((*probes)[1].spec.ip_family, IpFamily::v6);
  EXPECT_EQ((*probes)[1].spec.local_ports, (LocalPorts{40010, 40010}));
  EXPECT_EQ(
      refusal(std::string(kProbe) + "connect_to = [\"a:1:b\"]\n").rfind("c.toml:5: --connect-to 'a:1:b'", 0),
      0u);
  EXPECT_EQ(refusal(std::string(kProbe) + "ipv4 = true\nipv6 = true\n"),
            "c.toml:6: 'ipv4' and 'ipv6' exclude each other");
  EXPECT_EQ(refusal(std::string(kProbe) + "user = \"alice\"\n"),
            "c.toml:5: 'user': give USER:PASSWORD (termprobe does not prompt for the password)");
  EXPECT_EQ(refusal(std::string(kProbe) + "local_port = \"0\"\n"),
            "c.toml:5: 'local_port' 0: not a port 1-65535 or a range of them (e.g. 40000 or 40000-40099)");
}

TEST(CheckFile, Http2KeysAreTheCommandLinesHttp2Options) {
  auto probes = parse(R"(
[defaults]
http2 = true

[[probe]]
name = "h2"
url = "https://127.0.0.1:8443/"
streams = 4
expect = ["keepalive"]

[[probe]]
name = "h2c"
url = "http://127.0.0.1:8080/"
http2 = false
http2_prior_knowledge = true
expect = ["keepalive"]
)");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  EXPECT_EQ((*probes)[0].spec.http, HttpMode::http2);
  EXPECT_EQ((*probes)[0].spec.streams, 4);
  EXPECT_EQ((*probes)[1].spec.http, HttpMode::http2_prior_knowledge);
  EXPECT_EQ((*probes)[1].spec.streams, 1);
  EXPECT_EQ(refusal(std::string(kProbe) + "streams = 0\n"),
            "c.toml:5: 'streams' 0: must be a whole number from 1 to 1000 streams");
  EXPECT_EQ(refusal(std::string(kProbe) + "http2 = 1\n"), "c.toml:5: 'http2' must be true or false");
  EXPECT_EQ(refusal(std::string(kProbe) + "http2 = true\nhttp2_prior_knowledge = true\n"),
            "c.toml:6: 'http2' and 'http2_prior_knowledge' exclude each other");
}

TEST(CheckFile, UrlsAreCheckedAsOnTheCommandLine) {
  EXPECT_EQ(refusal("[[probe]]\nname = \"p\"\nurl = \"ftp://h/\"\nexpect = [\"keepalive\"]\n"),
            "c.toml:3: url: unsupported scheme 'ftp' in 'ftp://h/': use http:// or https://");
  EXPECT_EQ(refusal("[[probe]]\nname = \"\"\nurl = \"http://h/\"\nexpect = [\"keepalive\"]\n"),
            "c.toml:2: 'name' must be a non-empty string");
  EXPECT_EQ(refusal("[[probe]]\nname = \"p\"\nurl = \"http://h/\"\nexpect = []\n"),
            "c.toml:4: 'expect' must be a label or a non-empty list of labels");
}

// The command line's parser reads them: "5s", "500ms", "2MB", "1KiB" as --timeout and --body-bytes do.
TEST(CheckFile, TimesAndSizesTakeUnitsAsOnTheCommandLine) {
  auto probes = parse(R"(
[defaults]
timeout = "5s"
body_bytes = "2MB"

[[probe]]
name = "p"
url = "http://h/"
watch = "250ms"
connect_timeout = "1m"
upload_rate = "1KiB"
repeat = "3"
expect = ["keepalive"]

[[reuse]]
name = "r"
url = "http://h/"
idle = "5s"
expect = ["answered"]
)");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  const CheckProbe& probe = probes->at(0);
  EXPECT_EQ(probe.spec.timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(probe.spec.watch, std::chrono::milliseconds(250));
  EXPECT_EQ(probe.spec.connect_timeout, std::chrono::milliseconds(60000));
  EXPECT_EQ(probe.request.body_bytes, 2'000'000);
  EXPECT_EQ(probe.request.upload_rate, 1024);
  EXPECT_EQ(probe.repeat, 3U);
  EXPECT_EQ(probes->at(1).spec.reuse_after, std::chrono::milliseconds(5000));
}

TEST(CheckFile, AUnitIsRefusedWithTheCommandLinesWords) {
  EXPECT_EQ(refusal(std::string(kProbe) + "timeout = \"5x\"\n"),
            "c.toml:5: 'timeout' 5x: unknown unit 'x': use ms, s or m (a bare number is seconds)");
  EXPECT_EQ(refusal(std::string(kProbe) + "timeout = \"soon\"\n"),
            "c.toml:5: 'timeout' soon: not a number of seconds");
  EXPECT_EQ(refusal(std::string(kProbe) + "repeat = \"2s\"\n"),
            "c.toml:5: 'repeat' 2s: not a whole number of connections");
  EXPECT_EQ(refusal(std::string(kProbe) + "timeout = \"2h\"\n"),
            "c.toml:5: 'timeout' 2h: unknown unit 'h': use ms, s or m (a bare number is seconds)");
}

// A string, as [[idle]] takes its expect; [[reuse]] the same.
TEST(CheckFile, ExpectTakesOneStringAsAListOfOne) {
  auto probes = parse(
      "[[probe]]\nname = \"p\"\nurl = \"http://h/\"\nexpect = \"keepalive/200\"\n"
      "[[reuse]]\nname = \"r\"\nurl = \"http://h/\"\nidle = 100\nexpect = \"answered\"\n");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  EXPECT_EQ(probes->at(0).expectation.labels, std::set<Label>{Label::keepalive});
  EXPECT_EQ(probes->at(1).expectation.reuse, std::set<std::string>{"answered"});
  EXPECT_EQ(refusal("[[probe]]\nname = \"p\"\nurl = \"http://h/\"\nexpect = \"keepalived\"\n"),
            refusal("[[probe]]\nname = \"p\"\nurl = \"http://h/\"\nexpect = [\"keepalived\"]\n"));
}

TEST(CheckFile, ExpectTakesStatusesBesideLabels) {
  auto probes = parse(
      "[[probe]]\nname = \"p\"\nurl = \"http://h/\"\nexpect = [\"keepalive/200\", "
      "\"close_after_response/2xx\"]\n");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  const Expectation& expectation = (*probes)[0].expectation;
  EXPECT_EQ(expectation.labels, (std::set<Label>{Label::keepalive, Label::close_after_response}));
  EXPECT_EQ(expectation.statuses.at(Label::keepalive), (std::vector<StatusRange>{{200, 200}}));
  EXPECT_EQ(expectation.statuses.at(Label::close_after_response), (std::vector<StatusRange>{{200, 299}}));
  EXPECT_EQ(refusal("[[probe]]\nname = \"p\"\nurl = \"http://h/\"\nexpect = [\"keepalive/20\"]\n"),
            "c.toml:4: 'keepalive/20': the status must be a code from 100 to 599 or a class such as 2xx, not "
            "'20'");
}

TEST(CheckFile, IdleAndReuseEntriesAreProbesWithTheirOwnExpectation) {
  auto probes = parse(R"(
[defaults]
repeat = 2

[[reuse]]
name = "reuse after 50 s"
url = "http://127.0.0.1:8080/"
idle = 50000
expect = ["answered"]

[[idle]]
name = "idle close"
url = "http://127.0.0.1:8080/"
max = 90
expect = "close:55-80"

[[probe]]
name = "home"
url = "http://127.0.0.1:8080/"
expect = ["keepalive"]
)");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  ASSERT_EQ(probes->size(), 3u);
  const CheckProbe& reuse = (*probes)[0];  // in the file's order, whatever the table
  EXPECT_EQ(reuse.name, "reuse after 50 s");
  EXPECT_EQ(reuse.spec.reuse_after, std::chrono::milliseconds(50000));
  EXPECT_EQ(reuse.repeat, 2u);
  EXPECT_EQ(reuse.expectation.reuse, std::set<std::string>{"answered"});
  EXPECT_FALSE(reuse.expectation.labels.has_value());
  const CheckProbe& idle = (*probes)[1];
  EXPECT_EQ(idle.spec.watch, std::chrono::milliseconds(90000));
  EXPECT_FALSE(idle.spec.reuse_after.has_value());
  ASSERT_TRUE(idle.expectation.idle.has_value());
  EXPECT_EQ(idle.expectation.idle->endings, (std::set<StreamEnd>{StreamEnd::fin, StreamEnd::rst}));
  EXPECT_EQ(idle.expectation.idle->low_s, 55.0);
  EXPECT_EQ(idle.expectation.idle->high_s, 80.0);
  EXPECT_EQ((*probes)[2].name, "home");
}

TEST(CheckFile, IdleAndReuseMistakesAreOneLineEach) {
  const std::string idle = "[[idle]]\nname = \"i\"\nurl = \"http://h/\"\n";
  const std::string reuse = "[[reuse]]\nname = \"r\"\nurl = \"http://h/\"\n";
  EXPECT_EQ(refusal(idle + "expect = \"close:80-55\"\n"),
            "c.toml:4: 'close:80-55': LOW is above HIGH (use close, fin or rst, optionally with :LOW-HIGH "
            "seconds after the response, e.g. close:55-80; or open)");
  EXPECT_EQ(refusal(idle + "expect = \"open:1-2\"\n").rfind("c.toml:4: 'open:1-2': an open connection", 0),
            0u);
  EXPECT_EQ(refusal(idle + "expect = [\"close\"]\n"),
            "c.toml:4: 'expect' must be a string such as \"close:55-80\"");
  EXPECT_EQ(
      refusal(idle + "expect = \"close\"\nwatch = 3\n").rfind("c.toml:5: unknown key 'watch' in [[idle]]", 0),
      0u);
  EXPECT_EQ(refusal(idle + "expect = \"close\"\nmax = 0\n"),
            "c.toml:5: 'max' 0: must be from 0.001 to 86400 seconds");
  EXPECT_EQ(refusal(reuse + "expect = [\"answered\"]\n"), "c.toml:1: [[reuse]] needs 'idle'");
  EXPECT_EQ(refusal(reuse + "idle = 10\nexpect = [\"fine\"]\n"),
            "c.toml:5: 'fine' is not a reuse outcome (one of answered, stream_reset, refused_by_goaway, "
            "send_failed, reset, empty_reply, truncated, timeout, error)");
  EXPECT_EQ(
      refusal(reuse + "idle = 10\nexpect = [\"answered\"]\n" + idle + "expect = \"open\"\n").substr(0, 9),
      "accepted");
  EXPECT_EQ(refusal(reuse + "idle = 10\nexpect = [\"answered\"]\n[[idle]]\nname = \"r\"\nurl = "
                            "\"http://h/\"\nexpect = \"open\"\n"),
            "c.toml:6: probe name 'r' is used twice (first at line 1)");
}

}  // namespace
}  // namespace termprobe

namespace termprobe {
namespace {

TEST(CheckFile, DataKeysBuildTheBodyAsTheCommandLineDoes) {
  auto probes = parse(R"(
[[probe]]
name = "form"
url = "http://127.0.0.1:1/"
expect = ["keepalive"]
data = ["a=1", "b=2"]
data_binary = "raw"

[[probe]]
name = "get-with-data"
url = "http://127.0.0.1:1/"
expect = ["keepalive"]
method = "PUT"
data = "x"
)");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  EXPECT_EQ((*probes)[0].spec.body, "a=1&b=2&raw");
  EXPECT_EQ((*probes)[0].spec.body_type, "application/x-www-form-urlencoded");
  EXPECT_EQ((*probes)[0].spec.method, "POST");
  EXPECT_EQ((*probes)[1].spec.method, "PUT");  // a method key wins over the body's POST
  EXPECT_EQ(
      refusal("[[probe]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\nexpect = [\"keepalive\"]\ndata = 3\n"),
      "c.toml:5: 'data' must be a string or a list of strings");
  EXPECT_EQ(refusal("[[probe]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\nexpect = [\"keepalive\"]\n"
                    "data = \"@/nonexistent/b\"\n"),
            "c.toml:5: --data @/nonexistent/b: cannot read file '/nonexistent/b': No such file or directory");
}

// As `probe --body-bytes N`: a POST of N bytes of 'x' (it was a GET with a body).
TEST(CheckFile, BodyBytesMakeAPostAndOneBodyAtATime) {
  auto probes = parse(R"(
[defaults]
body_bytes = 5

[[probe]]
name = "synthetic"
url = "http://127.0.0.1:1/"
expect = ["keepalive"]

[[probe]]
name = "form"
url = "http://127.0.0.1:1/"
expect = ["keepalive"]
data = "x"
)");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  EXPECT_EQ((*probes)[0].spec.method, "POST");
  EXPECT_EQ((*probes)[0].spec.body_bytes, 5);
  EXPECT_EQ((*probes)[1].spec.body, "x");  // the entry's own body wins over [defaults]'
  EXPECT_EQ((*probes)[1].spec.body_bytes, 0);
  EXPECT_EQ(refusal(std::string(kProbe) + "body_bytes = 1\ndata = \"x\"\n"),
            "c.toml:1: 'body_bytes' and 'data'/'data_binary' exclude each other, as on the command line");
}

TEST(CheckFile, RedactNamesAddToTheDefaults) {
  auto probes =
      parse("[defaults]\nredact = [\"X-Api-Key\"]\n" + std::string(kProbe) + "redact = [\"X-Other\"]\n");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  EXPECT_EQ((*probes)[0].redact, (std::vector<std::string>{"X-Api-Key", "X-Other"}));
  EXPECT_EQ(refusal(std::string(kProbe) + "redact = [\"X Other\"]\n"),
            "c.toml:5: 'redact' 'X Other' must be a header name of letters, digits and !#$%&'*+-.^_`|~ (no "
            "spaces or ':')");
  EXPECT_EQ(refusal(std::string(kProbe) + "redact = \"X-Other\"\n"),
            "c.toml:5: 'redact' must be a list of strings");
}

}  // namespace
}  // namespace termprobe
