"""`termprobe check`: an expectations file's probes, [[idle]] and [[reuse]]
entries run and judged — a closed port expected closed, status codes in
expectations (a proxy answering 502), several hosts with one down, JUnit —
and each mistake in a file named by line and key. `check --baseline` is in
test_compare.py. The real binary against servers on loopback that the tests
start and stop."""

import json
import os
from datetime import datetime
import time
import unittest

from harness import (Nginx, ReportDir, Serve, idle_entry, keepalive_server, lint_junit, read_report, run_termprobe,
                     testcases, unused_port, write_file)


class CheckFiles(unittest.TestCase):
    def test_a_valid_file_is_run_and_judged(self):
        with Serve() as server, ReportDir() as d:
            path = write_file(d, "checks.toml", f"""
[defaults]
repeat = 2
timeout = 5.0

[[probe]]
name = "home answers"
url = "{server.base_url}/termprobe/ok"
watch = 0.1
expect = ["keepalive"]

[[probe]]
name = "reset endpoint"
url = "{server.base_url}/termprobe/reset"
expect = ["reset_before_response", "empty_reply"]

[[probe]]
name = "upload cut"
url = "{server.base_url}/termprobe/cancel-io-read"
method = "POST"
body_bytes = 1048576
upload_rate = 1048576
repeat = 1
expect = ["keepalive"]
""")
            report_path = os.path.join(d, "check.json")
            result = run_termprobe("check", path, "--json", report_path)
            report = read_report(report_path)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"(?m)^home answers +keepalive +keepalive/200 x2 +pass$")
        self.assertRegex(result.stdout, r"(?m)^reset endpoint +reset_before_response\|empty_reply +"
                                        r"reset_before_response x2 +pass$")
        self.assertRegex(result.stdout, r"(?m)^upload cut +keepalive +upload_aborted/200 x1 +fail$")
        self.assertEqual(report["summary"]["total"], 5)
        self.assertEqual(report["targets"][0]["target"], server.base_url)

    def test_a_closed_port_that_is_expected_closed_passes(self):
        port = unused_port()
        with ReportDir() as d:
            path = write_file(d, "checks.toml", f"""
[[probe]]
name = "admin port stays closed"
url = "http://127.0.0.1:{port}/"
expect = ["connect_failed"]
""")
            passed = run_termprobe("check", path)
            path = write_file(d, "unreachable.toml", f"""
[[probe]]
name = "admin port answers"
url = "http://127.0.0.1:{port}/"
expect = ["keepalive"]
""")
            unreachable = run_termprobe("check", path)
        self.assertEqual(passed.returncode, 0, passed.stdout + passed.stderr)
        self.assertRegex(passed.stdout, r"(?m)^admin port stays closed +connect_failed +connect_failed x\d+ +pass$")
        self.assertEqual(unreachable.returncode, 3, unreachable.stdout + unreachable.stderr)

    def test_http2_by_alpn_on_an_http_url_is_refused_not_spoken_as_http1(self):
        with ReportDir() as d:
            path = write_file(d, "checks.toml", """
[[probe]]
name = "h2 on cleartext"
url = "http://127.0.0.1:1/"
http2 = true
expect = ["keepalive"]
""")
            result = run_termprobe("check", path)
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn("needs an https:// URL", result.stderr)
        self.assertIn("http2_prior_knowledge = true", result.stderr)

    def test_each_mistake_names_file_line_and_key(self):
        ok_probe = '[[probe]]\nname = "a"\nurl = "http://127.0.0.1:1/"\nexpect = ["keepalive"]\n'
        cases = [
            ('[[probe]]\nname = "a"\nurl = "http://127.0.0.1:1/"\nexpects = ["keepalive"]\n',
             ":4: unknown key 'expects' in [[probe]]"),
            ('[[probe]]\nname = "a"\nurl = "http://127.0.0.1:1/"\nexpect = ["fine"]\n',
             ":4: 'fine' is not a label"),
            ('[[probe]]\nname = "a"\nurl = "ftp://127.0.0.1/"\nexpect = ["keepalive"]\n',
             ":3: url: unsupported scheme 'ftp'"),
            ('[[probe]]\nname = "a"\nurl = "http://127.0.0.1:1/"\n', ":1: [[probe]] needs 'expect'"),
            (ok_probe + "repeat = 0\n", ":5: 'repeat' 0: must be a whole number from 1 to 100000 connections"),
            (ok_probe + "timeout = \"soon\"\n", ":5: 'timeout' soon: not a number of seconds"),
            (ok_probe + "\n" + ok_probe, ":6: probe name 'a' is used twice (first at line 1)"),
            ('[defaults]\ncolour = "red"\n' + ok_probe, ":2: unknown key 'colour' in [defaults]"),
            ('[probes]\nname = "a"\n', ":1: unknown table 'probes'"),
            ('[[probe]\nname = "a"\n', ":1: "),
        ]
        with ReportDir() as d:
            for text, words in cases:
                with self.subTest(words=words):
                    path = write_file(d, "checks.toml", text)
                    result = run_termprobe("check", path)
                    self.assertEqual(result.returncode, 2, result.stdout)
                    self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
                    self.assertIn(f"termprobe: error: {path}{words}", result.stderr)


class Concurrency(unittest.TestCase):
    """Independent probes overlap (6 at once by default, -c N), and the report
    and the ndjson lines keep the file's order though they end in another."""

    def file_of(self, d, url, watches):
        entries = "".join(f'[[probe]]\nname = "p{i}"\nurl = "{url}/termprobe/ok"\nwatch = "{w}s"\n'
                          f'expect = "keepalive"\n\n' for i, w in enumerate(watches))
        return write_file(d, "checks.toml", entries)

    def test_probes_overlap_and_keep_the_files_order(self):
        # Each probe holds its connection for its watch: one by one these take
        # at least 2 + 5 x 1 = 7 s whatever the load; overlapping, about 2 s.
        watches = [2, 1, 1, 1, 1, 1]
        with Serve() as server, ReportDir() as d:
            checks = self.file_of(d, server.base_url, watches)
            report_path = os.path.join(d, "r.json")
            started = time.monotonic()
            result = run_termprobe("check", checks, "--format", "ndjson", "--json", report_path)
            elapsed = time.monotonic() - started
            report = read_report(report_path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertLess(elapsed, 5.0, "the default concurrency did not overlap the probes")
        names = [f"p{i}" for i in range(len(watches))]
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual([line["scenario"] for line in lines], names)
        self.assertEqual([entry["scenario"] for entry in report["results"]], names)
        self.assertEqual([v["scenario"] for v in report["verdicts"]], names)
        # The order was restored, not merely how they happened to end: p0 ended last.
        ended = [datetime.fromisoformat(e["started_at"].replace("Z", "+00:00")).timestamp() * 1e6
                 + e["timings_us"]["ended"] for e in report["results"]]
        self.assertEqual(max(ended), ended[0])

    def test_c_1_runs_them_one_by_one(self):
        with Serve() as server, ReportDir() as d:
            checks = self.file_of(d, server.base_url, [0.4, 0.4, 0.4])
            started = time.monotonic()
            result = run_termprobe("check", checks, "-c", "1")
            elapsed = time.monotonic() - started
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertGreaterEqual(elapsed, 1.2)  # three watches of 0.4 s, one after another


class Fleet(unittest.TestCase):
    def test_a_check_file_naming_several_hosts_judges_each(self):
        down = unused_port()
        with Serve() as live, ReportDir() as d:
            checks = write_file(d, "checks.toml", f"""
[[probe]]
name = "live"
url = "{live.base_url}/termprobe/ok"
watch = 0.5
expect = ["keepalive/200"]

[[probe]]
name = "down"
url = "http://127.0.0.1:{down}/"
expect = ["keepalive"]
""")
            junit = os.path.join(d, "junit.xml")
            result = run_termprobe("check", checks, "--json", os.path.join(d, "r.json"), "--junit", junit)
            report = read_report(os.path.join(d, "r.json"))
            lint = lint_junit(junit)
            cases = {name: case for (_, name), case in testcases(junit).items()}
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertEqual(lint.returncode, 0, lint.stderr)
        self.assertEqual({v["scenario"]: v["verdict"] for v in report["verdicts"]}, {"live": "pass", "down": "fail"})
        self.assertRegex(result.stdout, r"(?m)^down +keepalive +connect_failed x1 +fail$")
        # JUnit: the down host is an infrastructure <error>, not a <failure> of its server;
        # the classname keeps the target whole (no dot a viewer would split at);
        # the live probe's time holds the 0.5 s it watched.
        self.assertIsNone(cases["down"].find("failure"))
        self.assertEqual(cases["down"].find("error").get("type"), "unreachable")
        self.assertEqual(cases["live"].get("classname"), "termprobe." + live.base_url.replace(".", "_"))
        self.assertGreaterEqual(float(cases["live"].get("time")), 0.5)


class Statuses(unittest.TestCase):
    def test_a_proxy_answering_502_fails_a_keepalive_200_expectation(self):
        with Nginx("listen 127.0.0.1:{port}; location / {{ return 502; }}") as nginx, ReportDir() as d:
            checks = write_file(d, "checks.toml", f"""
[[probe]]
name = "home"
url = "{nginx.url()}"
repeat = 3
watch = 0.1
expect = ["keepalive/200"]

[[probe]]
name = "any status"
url = "{nginx.url()}"
watch = 0.1
expect = ["keepalive"]
""")
            junit = os.path.join(d, "junit.xml")
            result = run_termprobe("check", checks, "--json", os.path.join(d, "r.json"), "--junit", junit)
            report = read_report(os.path.join(d, "r.json"))
            cases = testcases(junit)
            lint = lint_junit(junit)
            probe = run_termprobe("probe", nginx.url(), "--watch", "0.1", "--expect", "keepalive/2xx")
            probe_any = run_termprobe("probe", nginx.url(), "--watch", "0.1", "--expect", "keepalive/5xx")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"(?m)^home +keepalive/200 +keepalive/502 x3 +fail$")
        self.assertRegex(result.stdout, r"(?m)^any status +keepalive +keepalive/502 x1 +pass$")
        home = next(v for v in report["verdicts"] if v["scenario"] == "home")
        self.assertEqual(home["status"], {"expected": {"keepalive": ["200"]}, "observed": {"keepalive/502": 3}})
        self.assertEqual(lint.returncode, 0, lint.stderr)
        failure = next(c for (suite, name), c in cases.items() if name == "home").find("failure")
        self.assertEqual(failure.get("message"), "expected keepalive/200, observed keepalive/502 x3")
        self.assertEqual(probe.returncode, 1, probe.stdout + probe.stderr)
        self.assertIn("--expect failed: expected keepalive/2xx, observed keepalive/502 x1", probe.stderr)
        self.assertEqual(probe_any.returncode, 0, probe_any.stdout + probe_any.stderr)


class IdleAndReuse(unittest.TestCase):
    def test_idle_and_reuse_entries_are_judged_in_a_check_file(self):
        with keepalive_server(1) as nginx, ReportDir() as d:
            checks = write_file(d, "checks.toml", idle_entry(nginx.url(), "close:0.8-1.5") + f"""
[[reuse]]
name = "reuse at 0.2 s"
url = "{nginx.url()}"
idle = 200
watch = 0.1
expect = ["answered"]

[[reuse]]
name = "reuse at 1.6 s"
url = "{nginx.url()}"
idle = 1600
watch = 0.1
expect = ["reset", "empty_reply", "send_failed"]
""")
            report_path, junit = os.path.join(d, "r.json"), os.path.join(d, "junit.xml")
            result = run_termprobe("check", checks, "--json", report_path, "--junit", junit)
            report = read_report(report_path)
            lint = lint_junit(junit)
            cases = testcases(junit)
            baseline = run_termprobe("check", checks, "--baseline", report_path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"(?m)^idle close +close 0\.8-1\.5 s +fin after \d+ ms x1 +pass$")
        self.assertRegex(result.stdout, r"(?m)^reuse at 0\.2 s +answered +answered x1 +pass$")
        verdicts = {v["scenario"]: v for v in report["verdicts"]}
        idle = verdicts["idle close"]["idle_close"]
        self.assertEqual(sorted(idle["expected"]["endings"]), ["fin", "rst"])
        self.assertEqual((idle["expected"]["low_s"], idle["expected"]["high_s"]), (0.8, 1.5))
        self.assertEqual(idle["observed"]["fin"]["count"], 1)
        self.assertTrue(800_000 <= idle["observed"]["fin"]["min_us"] <= 1_500_000, idle)
        self.assertEqual(verdicts["reuse at 0.2 s"]["reuse"], {"expected": ["answered"], "observed": {"answered": 1}})
        self.assertEqual(lint.returncode, 0, lint.stderr)
        self.assertEqual({name for (_, name) in cases}, {"idle close", "reuse at 0.2 s", "reuse at 1.6 s"})
        self.assertEqual(baseline.returncode, 0, baseline.stdout + baseline.stderr)


if __name__ == "__main__":
    unittest.main()
