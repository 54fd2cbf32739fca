"""`termprobe run` and `termprobe serve`: the bundled module on its Linux host,
driven by the real binary."""

import json
import os
import re
import signal
import subprocess
import unittest

from harness import TERMPROBE, ReportDir, Serve, WireFixture, run_termprobe, validate_report

SCENARIOS = ["ok", "need-disconnect", "reset", "reset-continue", "reset-after-flush", "cancel-io-read",
             "cancel-io-send"]


def run_report(directory, *args, name="run.json"):
    path = os.path.join(directory, name)
    result = run_termprobe("run", *args, "--json", path)
    report = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as report_file:
            report = validate_report(json.load(report_file))
    return result, report


def verdict_rows(report):
    return {v["scenario"]: (v["verdict"], v["observed"]) for v in report["verdicts"]}


class EmbeddedHost(unittest.TestCase):
    def test_reference_profile_holds_fifty_times_over(self):
        with ReportDir() as directory:
            result, report = run_report(directory, "--repeat", "50", "--concurrency", "8")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(report["summary"]["total"], 350)
        self.assertEqual(report["profile"], "reference")
        rows = verdict_rows(report)
        self.assertEqual(list(rows), SCENARIOS)
        for scenario, (verdict, observed) in rows.items():
            self.assertEqual(verdict, "pass", scenario)
            self.assertEqual(sum(observed.values()), 50, scenario)
        for line in result.stdout.splitlines()[3:10]:
            self.assertTrue(line.endswith("pass"), line)
        self.assertIn("embedded module host (Linux) on http://127.0.0.1:", result.stdout)
        cut = [e for e in report["results"] if e["scenario"] == "cancel-io-read"]
        self.assertTrue(all(e["outcome"]["response_before_abort"] for e in cut))
        self.assertTrue(all("0x800703E3" not in json.dumps(e) for e in cut))  # text stays in the body

    def test_iis_profile_marks_the_undocumented_as_unverified(self):
        result = run_termprobe("run", "--profile", "iis", "--repeat", "2")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        table = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines() if line.split()
                 and line.split()[0] in SCENARIOS}
        self.assertEqual(table["ok"], "unverified")
        self.assertEqual(table["cancel-io-read"], "unverified")
        self.assertEqual(table["cancel-io-send"], "unverified")
        self.assertEqual(table["need-disconnect"], "pass")
        self.assertIn("close_after_response/200|reset_after_response/200", result.stdout)

    def test_a_wrong_expectation_fails_the_run(self):
        with ReportDir() as directory:
            profile = os.path.join(directory, "wrong.json")
            with open(profile, "w", encoding="utf-8") as profile_file:
                json.dump({"profile": "wrong", "scenarios": {
                    "reset": {"expect": ["keepalive"], "note": "deliberately wrong"},
                    "ok": {"expect": ["keepalive"]}}}, profile_file)
            result, report = run_report(directory, "--profile", profile, "--repeat", "3")
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stdout, r"(?m)^reset +keepalive +reset_before_response x3 +fail$")
        self.assertRegex(result.stdout, r"(?m)^ok +keepalive +keepalive/200 x3 +pass$")
        self.assertEqual(verdict_rows(report)["reset"][0], "fail")
        self.assertEqual(verdict_rows(report)["need-disconnect"][0], "unverified")


class ServeInTheBackground(unittest.TestCase):
    def test_run_against_serve_gives_the_same_report(self):
        with ReportDir() as directory:
            _, embedded = run_report(directory, "--repeat", "10", name="embedded.json")
            with Serve() as server:
                result, served = run_report(directory, "--target", server.base_url, "--repeat", "10",
                                            name="served.json")
                code, out, _ = server.stop(signal.SIGTERM)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(verdict_rows(served), verdict_rows(embedded))
        self.assertEqual(served["summary"]["labels"], embedded["summary"]["labels"])
        self.assertEqual([t["target"] for t in served["targets"]], [server.base_url])
        self.assertEqual([t["target"] for t in embedded["targets"]], ["embedded"])
        self.assertEqual(code, 0)
        self.assertIn("termprobe serve: stopped", out)

    def test_sigint_stops_serve_cleanly(self):
        with Serve() as server:
            code, out, err = server.stop(signal.SIGINT)
        self.assertEqual(code, 0, err)
        self.assertIn("stopped", out)

    def test_token_guards_the_destructive_endpoints(self):
        with Serve("--token", "s3cret") as server:
            without = run_termprobe("run", "--target", server.base_url, "--repeat", "1")
            with_token = run_termprobe("run", "--target", server.base_url, "--repeat", "1", "--token", "s3cret")
        self.assertEqual(without.returncode, 1)
        self.assertRegex(without.stdout, r"(?m)^reset +reset_before_response +keepalive/403 x1 +fail$")
        self.assertEqual(with_token.returncode, 0, with_token.stdout)


class BadInput(unittest.TestCase):
    def assert_one_line_error(self, result, code, words):
        self.assertEqual(result.returncode, code, result.stdout + result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn(words, result.stderr)

    def test_port_in_use(self):
        with Serve() as server:
            port = server.base_url.rsplit(":", 1)[1]
            result = run_termprobe("serve", "--listen", f"127.0.0.1:{port}", timeout=10)
        self.assert_one_line_error(result, 2, "Address already in use")

    def test_public_listen_address_needs_allow_remote(self):
        for address in ["0.0.0.0:0", "[::]:0", "192.0.2.1:8080"]:
            with self.subTest(address=address):
                result = run_termprobe("serve", "--listen", address, timeout=10)
                self.assert_one_line_error(result, 2, "add --allow-remote")

    def test_malformed_listen(self):
        result = run_termprobe("serve", "--listen", "localhost", timeout=10)
        self.assert_one_line_error(result, 2, "--listen localhost: the port is missing")

    def test_unknown_profile(self):
        with ReportDir() as directory:
            result, report = run_report(directory, "--profile", "production")
            self.assertEqual(os.listdir(directory), [])
        self.assert_one_line_error(result, 2, "unknown profile 'production': use reference, iis")
        self.assertIsNone(report)

    def test_target_without_the_module(self):
        with WireFixture("not_found") as server, ReportDir() as directory:
            result, report = run_report(directory, "--target", f"http://127.0.0.1:{server.port}")
            self.assertEqual(os.listdir(directory), [])
        self.assert_one_line_error(result, 2, "no termprobe module at")
        self.assertIn("HTTP 404", result.stderr)

    def test_target_that_refuses(self):
        from harness import unused_port
        result = run_termprobe("run", "--target", f"http://127.0.0.1:{unused_port()}")
        self.assert_one_line_error(result, 3, "cannot reach")


if __name__ == "__main__":
    unittest.main()
