"""`termprobe clients` and `probe --clients`: each real client makes the
request through termprobe's loopback relay, and raises behind it what it
raises without it (curl's command and the drivers run directly are the
comparison); the relay's wire label for a client's connection agrees with
termprobe's own probe; counts, unavailable clients, secrets, bad input and
`explain`. Scripted servers on loopback."""

import json
import os
import re
import subprocess
import tempfile
import time
import unittest

from harness import ReportDir, TlsWireFixture, WireFixture, interrupt_after, report_of, run_termprobe

DRIVERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "clients", "drivers")

# Scripted HTTP/1.1 servers and the label termprobe gives each.
ENDINGS = {
    "fin_before_response": "empty_reply",
    "rst_before_response": "reset_before_response",
    "fin_mid_body_length": "truncated_response",
    "fin_mid_body_chunked": "truncated_response",
    "rst_mid_body": "reset_mid_response",
    "keepalive": "keepalive",
}


def curl_exit_code(url):
    """What the curl command says, without termprobe or its relay."""
    return subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "10", url], timeout=30).returncode


def run_driver_directly(client, url, port):
    """A driver run straight at the server (no relay): its result object."""
    with tempfile.TemporaryDirectory() as directory:
        request = os.path.join(directory, "request.json")
        with open(request, "w", encoding="utf-8") as out:
            json.dump({"client": client, "url": url, "connect_to": {"host": "127.0.0.1", "port": port},
                       "method": "GET", "headers": [], "body_file": None, "insecure": False, "ca_file": None,
                       "http": "1.1", "timeout_s": 10}, out)
        runtime = {"python-requests": "/usr/bin/python3", "node-http": "node"}[client]
        driver = {"python-requests": "termprobe_client.py", "node-http": "termprobe_client.mjs"}[client]
        result = subprocess.run([runtime, os.path.join(DRIVERS, driver), request], capture_output=True,
                                text=True, timeout=60, check=True)
        return json.loads(result.stdout)


def normalized(result, port):
    """A client result with the run's own port and object addresses taken out of its texts."""
    def text(value):
        return re.sub(r"0x[0-9a-f]+", "0x…", value.replace(str(port), "PORT"))
    if result.get("error"):
        result["error"] = {"type": result["error"]["type"], "message": text(result["error"]["message"]),
                           "cause": [text(cause) for cause in result["error"]["cause"]]}
    return result


def clients_report(directory, url, clients, *options):
    result, report = report_of(directory, "clients", url, "--clients", clients, *options)
    return result, report


class BehindTheRelay(unittest.TestCase):
    def test_curl_raises_behind_the_relay_what_it_raises_without_it(self):
        for behaviour, label in ENDINGS.items():
            with self.subTest(behaviour), ReportDir() as directory:
                with WireFixture(behaviour) as server:
                    direct = curl_exit_code(server.url())
                with WireFixture(behaviour) as server:
                    result, report = clients_report(directory, server.url(), "curl")
                self.assertEqual(result.returncode, 0, result.stderr)
                entry = report["results"][0]
                curl = entry["clients"][0]
                self.assertEqual(curl["client"], "curl")
                if direct == 0:
                    self.assertEqual(curl["outcome"], "response")
                    self.assertTrue(curl["body_complete"])
                else:
                    self.assertEqual((curl["outcome"], curl["error"]["type"]), ("error", str(direct)))
                self.assertEqual((curl["connections"], curl["requests"]), (1, 1))
                # The relay's reading of curl's connection is termprobe's own reading of its probe.
                self.assertEqual(entry["outcome"]["label"], label)
                self.assertEqual([wire["label"] for wire in curl["wire"]], [label])
                self.assertRegex(result.stdout, r"\n  curl +(response|error) .*\(7\.\d+\.\d+\)\n")

    def test_drivers_raise_behind_the_relay_what_they_raise_without_it(self):
        # A FIN passed on as an RST (or the other way) changes these clients' errors.
        for client in ("python-requests", "node-http"):
            for behaviour in ("fin_before_response", "rst_before_response", "rst_mid_body"):
                with self.subTest(client=client, behaviour=behaviour), ReportDir() as directory:
                    with WireFixture(behaviour) as server:
                        direct = normalized(run_driver_directly(client, server.url(), server.port), server.port)
                    with WireFixture(behaviour) as server:
                        _, report = clients_report(directory, server.url(), client)
                        relayed = normalized(report["results"][0]["clients"][0], server.port)
                    self.assertEqual(relayed["outcome"], direct["outcome"])
                    if behaviour == "rst_mid_body" and client == "node-http":
                        # Its text ('aborted' or 'read ECONNRESET') depends on whether its response
                        # handler ran before the reset was read: it varies without the relay too.
                        self.assertEqual(relayed["error"]["type"], direct["error"]["type"])
                    else:
                        self.assertEqual(relayed["error"], direct["error"])


class Report(unittest.TestCase):
    def test_probe_clients_puts_every_verdict_on_the_first_result_only(self):
        with ReportDir() as directory, WireFixture("rst_mid_body") as server:
            result, report = report_of(directory, "probe", server.url(), "-n", "2", "--clients", "curl")
        self.assertEqual(result.returncode, 0, result.stderr)
        first, second = report["results"]
        self.assertEqual([c["client"] for c in first["clients"]], ["curl"])
        self.assertEqual(first["clients"][0]["wire"][0]["label"], "reset_mid_response")
        self.assertNotIn("clients", second)

    def test_a_client_whose_runtime_is_missing_is_listed_with_what_to_install(self):
        env = dict(os.environ, TERMPROBE_GO="/nonexistent/go")
        with ReportDir() as directory, WireFixture("keepalive") as server:
            result, report = report_of(directory, "clients", server.url(), "--clients", "go,curl", env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        by_name = {c["client"]: c for c in report["results"][0]["clients"]}
        self.assertEqual(list(by_name), ["curl", "go"])  # the table's order, not the list's
        self.assertEqual(by_name["go"]["outcome"], "unavailable")
        self.assertEqual(by_name["go"]["connections"], 0)
        self.assertIn("apt install golang-go", by_name["go"]["error"]["message"])
        self.assertRegex(result.stdout, r"\n  go +unavailable: go is not installed \(apt install golang-go\)\n")

    def test_no_secret_of_the_url_reaches_a_client_row(self):
        with ReportDir() as directory, WireFixture("fin_before_response") as server:
            url = server.url().replace("http://", "http://user:s3cretpw@")
            result, report = report_of(directory, "clients", url, "--clients", "curl,python-requests")
            with open(os.path.join(directory, "r.json"), encoding="utf-8") as text:
                written = text.read()
        self.assertEqual(result.returncode, 0, result.stderr)
        for output in (written, result.stdout, result.stderr):
            self.assertNotIn("s3cretpw", output)

    def test_https_passes_the_certificate_options_on(self):
        with ReportDir() as directory, TlsWireFixture("certificate_self_signed") as server:
            _, untrusted = clients_report(directory, server.url(), "curl")
        with ReportDir() as directory, TlsWireFixture("close_notify_then_fin") as server:
            _, insecure = clients_report(directory, server.url(), "curl", "-k")
        curl = untrusted["results"][0]["clients"][0]
        self.assertEqual((curl["outcome"], curl["error"]["type"]), ("error", "60"))
        self.assertIsNone(curl["wire"][0]["label"])  # the relay does not read TLS
        self.assertEqual(insecure["results"][0]["clients"][0]["outcome"], "response")


class DriverCache(unittest.TestCase):
    @unittest.skipUnless(os.geteuid() == 0, "needs root to make a folder another user owns")
    def test_a_cache_folder_another_user_made_is_never_used(self):
        # termprobe runs the drivers it finds there: another user's folder
        # (a shared /tmp, a planted cache) must be passed over.
        with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as home, \
                WireFixture("fin_before_response") as server:
            planted = os.path.join(cache, "termprobe")
            os.mkdir(planted)
            os.chown(planted, 65534, 65534)
            env = dict(os.environ, XDG_CACHE_HOME=cache, HOME=home)
            with ReportDir() as directory:
                result, report = report_of(directory, "clients", server.url(), "--clients", "python-requests",
                                           env=env)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(os.listdir(planted), [])
            self.assertTrue(os.listdir(os.path.join(home, ".cache", "termprobe")))
            self.assertEqual(report["results"][0]["clients"][0]["outcome"], "error")


class Interrupt(unittest.TestCase):
    def test_ctrl_c_cuts_the_running_client_short_and_skips_the_rest(self):
        with WireFixture("no_response") as server:
            started = time.monotonic()
            code, out, _ = interrupt_after(1.0, "clients", server.url(), "--clients", "curl,python-requests")
            took = time.monotonic() - started
        self.assertLess(took, 6)  # not curl's 10 s timeout
        self.assertRegex(out, r"\n  curl +interrupted: stopped by a stop request")
        self.assertNotIn("python-requests", out)
        self.assertEqual(code, 130)


class Input(unittest.TestCase):
    def test_an_unknown_client_is_a_one_line_error_with_a_suggestion(self):
        result = run_termprobe("clients", "http://127.0.0.1:9/", "--clients", "curl,pyton-requests")
        self.assertEqual(result.returncode, 2)
        self.assertIn("'pyton-requests' is not a client: did you mean python-requests?", result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)

    def test_explain_says_something_for_every_label(self):
        with open(os.environ["TERMPROBE_SCHEMA"], encoding="utf-8") as schema:
            schema_labels = json.load(schema)["$defs"]["label"]["enum"]
        for label in schema_labels:
            result = run_termprobe("explain", label)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(result.stdout.startswith(f"{label}: "), result.stdout)
        wrong = run_termprobe("explain", "empty_replay")
        self.assertEqual(wrong.returncode, 2)
        self.assertIn("did you mean empty_reply?", wrong.stderr)


if __name__ == "__main__":
    unittest.main()
