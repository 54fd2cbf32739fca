"""Secrets across the probing commands (a property of every output, so a
file of its own): a URL's user and password go out as Basic credentials,
as curl sends them, and what goes out is unchanged; yet no secret — an
Authorization or Cookie value, a --redact header, a URL password, --token —
is in a report, a JUnit file, an ndjson line or the human output, whole
files read, unless --show-secrets asks for them. Against a recording server
and `termprobe serve` on loopback."""

import base64
import os
import unittest

from harness import (CommandTestCase, RecordingServer, ReportDir, Serve, lint_junit, read_report,
                     run_termprobe, testcases, write_file)

USER = "alice"
PASSWORD = "pa55-w0rd"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
BEARER = "eyJ" + "S" * 37  # 40 characters
COOKIE = "session=C00KIE-VALUE-123"
API_KEY = "AP1-KEY-VALUE"
MODULE_TOKEN = "m0dule-t0ken"
SET_COOKIE = "sid=SETC00KIE-VALUE"  # what a server sets: as secret as what the client sends
SECRETS = [PASSWORD, BASIC, BEARER, COOKIE, "C00KIE", API_KEY, MODULE_TOKEN, SET_COOKIE]

SECRET_HEADERS = ["-H", f"Authorization: Bearer {BEARER}", "-H", f"Cookie: {COOKIE}", "-H", f"X-Api-Key: {API_KEY}",
                  "--redact", "x-api-key"]


def marker(secret):
    return f"<redacted: {len(secret)} chars>"


def fields(request):
    """A recorded request's fields by name, each a list of values."""
    by_name = {}
    for name, value in request["headers"]:
        by_name.setdefault(name.lower(), []).append(value)
    return by_name


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class SecretsTestCase(unittest.TestCase):
    def assert_no_secret(self, **texts):
        for where, text in texts.items():
            for secret in SECRETS:
                self.assertNotIn(secret, text, f"{secret!r} in {where}")


class BasicCredentials(SecretsTestCase):
    def test_a_urls_user_and_password_go_out_as_basic_as_curl_sends_them(self):
        with RecordingServer() as server, ReportDir() as d:
            # percent-decoded before they are encoded: "us@er" and "p:w"
            result = run_termprobe("probe", server.url(userinfo="us%40er:p%3Aw"), "--watch", "0",
                                   "--json", os.path.join(d, "r.json"))
            report = read_report(os.path.join(d, "r.json"))
            received = server.received()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(fields(received[0])["authorization"], ["Basic " + base64.b64encode(b"us@er:p:w").decode()])
        self.assertEqual(received[0]["line"], "GET /x HTTP/1.1")  # the credentials are not in the target
        shown = {f["name"]: f["value"] for f in report["results"][0]["request"]["headers"]}
        self.assertEqual(shown["Authorization"], "Basic " + marker(base64.b64encode(b"us@er:p:w").decode()))

    def test_the_users_own_authorization_is_sent_instead(self):
        with RecordingServer() as server:
            result = run_termprobe("probe", server.url(userinfo=f"{USER}:{PASSWORD}"), "--watch", "0",
                                   "-H", f"Authorization: Bearer {BEARER}")
            received = server.received()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(fields(received[0])["authorization"], [f"Bearer {BEARER}"])


class Redaction(SecretsTestCase):
    def test_probe_keeps_every_secret_out_of_its_report_ndjson_and_lines(self):
        with RecordingServer() as server, ReportDir() as d:
            url = server.url(userinfo=f"{USER}:{PASSWORD}")
            path = os.path.join(d, "r.json")
            page = os.path.join(d, "r.html")
            result = run_termprobe("probe", url, *SECRET_HEADERS, "--count", "2", "--watch", "0", "--json", path,
                                   "--html", page, "-vv")
            ndjson = run_termprobe("probe", url, *SECRET_HEADERS, "--watch", "0", "--format", "ndjson")
            text = read_text(path)
            html = read_text(page)
            report = read_report(path)
            received = server.received()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(ndjson.returncode, 0, ndjson.stdout + ndjson.stderr)
        self.assert_no_secret(report=text, stdout=result.stdout, stderr=result.stderr, ndjson=ndjson.stdout,
                              ndjson_stderr=ndjson.stderr, html=html)
        self.assertIn("> Authorization: Bearer <redacted: 40 chars>", result.stderr)  # -v's request head
        # What went out is what was asked for, every time.
        self.assertEqual(len(received), 3)
        for request in received:
            self.assertEqual(fields(request)["authorization"], [f"Bearer {BEARER}"])
            self.assertEqual(fields(request)["cookie"], [COOKIE])
            self.assertEqual(fields(request)["x-api-key"], [API_KEY])
        # What the report says instead.
        entry = report["results"][0]
        shown = {f["name"]: f["value"] for f in entry["request"]["headers"]}
        self.assertEqual(shown["Authorization"], "Bearer <redacted: 40 chars>")
        self.assertEqual(shown["Cookie"], marker(COOKIE))
        self.assertEqual(shown["X-Api-Key"], marker(API_KEY))
        shown_url = f"http://{USER}:{marker(PASSWORD)}@127.0.0.1:{server.port}/x"
        self.assertEqual(entry["url"], shown_url)
        self.assertEqual(entry["target"], shown_url)
        self.assertEqual(report["targets"][0]["target"], shown_url)
        self.assertIn(shown_url, report["command"])
        self.assertIn("Authorization: Bearer <redacted: 40 chars>", report["command"])
        self.assertIn(f"X-Api-Key: {marker(API_KEY)}", report["command"])

    def test_the_response_head_v_keeps_hides_set_cookie_and_redacted_names(self):
        with RecordingServer([("Set-Cookie", SET_COOKIE), ("X-Api-Key", API_KEY), ("X-Plain", "seen")]) as server, \
                ReportDir() as d:
            path = os.path.join(d, "r.json")
            result = run_termprobe("probe", server.url(), *SECRET_HEADERS, "--watch", "0", "--json", path, "-v")
            text = read_text(path)
            report = read_report(path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assert_no_secret(report=text, stdout=result.stdout, stderr=result.stderr)
        self.assertIn(f"\n< Set-Cookie: {marker(SET_COOKIE)}\n", result.stderr)
        self.assertIn(f"\n< X-Api-Key: {marker(API_KEY)}\n", result.stderr)  # --redact covers responses too
        self.assertEqual(report["results"][0]["response"]["head"]["lines"],
                         ["HTTP/1.1 200 OK", f"Set-Cookie: {marker(SET_COOKIE)}", f"X-Api-Key: {marker(API_KEY)}",
                          "X-Plain: seen", "Content-Length: 3"])

    def test_check_keeps_every_secret_out_of_its_report_junit_and_table(self):
        with RecordingServer() as server, ReportDir() as d:
            url = server.url(userinfo=f"{USER}:{PASSWORD}")
            checks = write_file(d, "checks.toml", f"""
[defaults]
redact = ["X-Api-Key"]
watch = 0

[[probe]]
name = "own credentials"
url = "{url}"
headers = ["Authorization: Bearer {BEARER}", "Cookie: {COOKIE}", "X-Api-Key: {API_KEY}"]
expect = ["keepalive/200"]

[[probe]]
name = "url credentials"
url = "{url}"
expect = ["reset_before_response"]
""")
            report_path, junit_path = os.path.join(d, "r.json"), os.path.join(d, "j.xml")
            result = run_termprobe("check", checks, "--json", report_path, "--junit", junit_path)
            report_text, junit_text = read_text(report_path), read_text(junit_path)
            report = read_report(report_path)
            lint = lint_junit(junit_path)
            received = server.received()
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)  # the second probe fails
        self.assertEqual(lint.returncode, 0, lint.stderr)
        self.assertIn("url credentials", junit_text)
        self.assert_no_secret(report=report_text, junit=junit_text, stdout=result.stdout, stderr=result.stderr)
        # check runs its probes side by side: the server may record them in either order.
        self.assertEqual(len(received), 2, received)
        own, from_url = sorted(received, key=lambda request: "x-api-key" not in fields(request))
        self.assertEqual(fields(own)["authorization"], [f"Bearer {BEARER}"])
        self.assertEqual(fields(own)["x-api-key"], [API_KEY])
        self.assertEqual(fields(from_url)["authorization"], [f"Basic {BASIC}"])
        by_scenario = {e["scenario"]: e for e in report["results"]}
        shown = {f["name"]: f["value"] for f in by_scenario["url credentials"]["request"]["headers"]}
        self.assertEqual(shown["Authorization"], "Basic " + marker(BASIC))
        self.assertEqual(by_scenario["url credentials"]["url"],
                         f"http://{USER}:{marker(PASSWORD)}@127.0.0.1:{server.port}/x")

    def test_run_keeps_the_token_and_the_targets_password_out(self):
        with Serve("--token", MODULE_TOKEN) as server, ReportDir() as d:
            target = server.base_url.replace("http://", f"http://{USER}:{PASSWORD}@")
            report_path, junit_path = os.path.join(d, "r.json"), os.path.join(d, "j.xml")
            result = run_termprobe("run", "--target", target, "--token", MODULE_TOKEN, "--repeat", "1",
                                   "--json", report_path, "--junit", junit_path)
            report_text, junit_text = read_text(report_path), read_text(junit_path)
            report = read_report(report_path)
            suites = {suite for suite, _ in testcases(junit_path)}
        # Every destructive endpoint answered as the token allows: it went out unchanged.
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assert_no_secret(report=report_text, junit=junit_text, stdout=result.stdout, stderr=result.stderr)
        shown_target = server.base_url.replace("http://", f"http://{USER}:{marker(PASSWORD)}@")
        self.assertEqual(report["targets"][0]["target"], shown_target)
        self.assertEqual(suites, {f"termprobe run {shown_target}"})
        self.assertEqual(report["command"][report["command"].index("--token") + 1], marker(MODULE_TOKEN))
        shown = {f["name"]: f["value"] for f in report["results"][0]["request"]["headers"]}
        self.assertEqual(shown["X-Termprobe-Token"], marker(MODULE_TOKEN))

    def test_idle_and_reuse_keep_them_out_too(self):
        with RecordingServer() as server, ReportDir() as d:
            url = server.url(userinfo=f"{USER}:{PASSWORD}")
            idle = run_termprobe("idle", url, *SECRET_HEADERS, "--max", "0.1", "--json", os.path.join(d, "i.json"))
            reuse = run_termprobe("reuse", url, *SECRET_HEADERS, "--idle", "10", "--json", os.path.join(d, "u.json"))
            idle_text, reuse_text = read_text(os.path.join(d, "i.json")), read_text(os.path.join(d, "u.json"))
            received = server.received()
        self.assertEqual(idle.returncode, 0, idle.stdout + idle.stderr)
        self.assertEqual(reuse.returncode, 0, reuse.stdout + reuse.stderr)
        self.assert_no_secret(idle=idle_text + idle.stdout + idle.stderr,
                              reuse=reuse_text + reuse.stdout + reuse.stderr)
        self.assertEqual(len(received), 3)  # idle's one, reuse's two
        for request in received:
            self.assertEqual(fields(request)["cookie"], [COOKIE])

    def test_show_secrets_keeps_them_as_given(self):
        with RecordingServer() as server, ReportDir() as d:
            url = server.url(userinfo=f"{USER}:{PASSWORD}")
            path = os.path.join(d, "r.json")
            result = run_termprobe("probe", url, "-H", f"Cookie: {COOKIE}", "--watch", "0", "--show-secrets",
                                   "--json", path)
            report = read_report(path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        shown = {f["name"]: f["value"] for f in report["results"][0]["request"]["headers"]}
        self.assertEqual(shown["Cookie"], COOKIE)
        self.assertEqual(shown["Authorization"], f"Basic {BASIC}")
        self.assertEqual(report["results"][0]["url"], url)
        self.assertIn(f"Cookie: {COOKIE}", report["command"])


class Options(CommandTestCase):
    def test_each_probing_command_documents_redact_and_show_secrets(self):
        for command in ["probe", "run", "check", "idle", "reuse"]:
            result = run_termprobe(command, "--help")
            self.assertIn("--redact", result.stdout, command)
            self.assertIn("--show-secrets", result.stdout, command)

    def test_bad_redact_names_and_options_are_one_line_errors(self):
        self.assert_refused(run_termprobe("probe", "http://127.0.0.1:1/", "--redact", "X Api"), "--redact",
                            "must be a header name")
        self.assert_refused(run_termprobe("probe", "http://127.0.0.1:1/", "--redact", "X-A", "--show-secrets"),
                            "--show-secrets")
        with ReportDir() as d:
            checks = write_file(d, "c.toml", '[[probe]]\nname = "a"\nurl = "http://127.0.0.1:1/"\n'
                                             'expect = ["keepalive"]\nredact = ["Bad Name"]\n')
            self.assert_refused(run_termprobe("check", checks), "c.toml:5: 'redact' 'Bad Name' must be a header name")


if __name__ == "__main__":
    unittest.main()
