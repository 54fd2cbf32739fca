"""Judging in CI: a fleet with a target down, status codes in expectations,
idle and reuse entries in check files and --expect on idle and reuse. The
real binary against servers on loopback that the tests start and stop."""

import json
import os
import re
import subprocess
import unittest
import xml.etree.ElementTree as ElementTree

from harness import Nginx, ReportDir, WireFixture, run_termprobe, unused_port, validate_report
from test_module import Serve

HERE = os.path.dirname(os.path.abspath(__file__))
JUNIT_XSD = os.path.join(HERE, "junit.xsd")
SCENARIOS = ["ok", "need-disconnect", "reset", "reset-continue", "reset-after-flush", "cancel-io-read",
             "cancel-io-send"]


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def read_report(path):
    with open(path, encoding="utf-8") as report_file:
        return validate_report(json.load(report_file))


def lint_junit(path):
    lint = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, path], capture_output=True, text=True)
    return lint.returncode, lint.stderr


def testcases(path):
    return {(s.get("name"), c.get("name")): c
            for s in ElementTree.parse(path).getroot().findall("testsuite") for c in s.findall("testcase")}


class Fleet(unittest.TestCase):
    def test_a_down_target_fails_its_scenarios_and_the_others_run(self):
        down = f"http://127.0.0.1:{unused_port()}"  # just bound and closed: refused
        with Serve() as live, ReportDir() as d:
            targets = write(d, "targets.txt", f"{live.base_url}\n{down}\n")
            report_path, junit = os.path.join(d, "fleet.json"), os.path.join(d, "junit.xml")
            result = run_termprobe("run", "--targets-file", targets, "--repeat", "1", "--json", report_path,
                                   "--junit", junit)
            report = read_report(report_path)
            lint = lint_junit(junit)
            cases = testcases(junit)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertRegex(result.stderr, rf"^termprobe: cannot reach {re.escape(down)}/termprobe/ok: .+\n$")
        self.assertEqual([t["target"] for t in report["targets"]], [live.base_url, down])
        verdicts = {(v["target"], v["scenario"]): v for v in report["verdicts"]}
        for scenario in SCENARIOS:
            self.assertEqual(verdicts[(live.base_url, scenario)]["verdict"], "pass", scenario)
            self.assertEqual(verdicts[(down, scenario)]["verdict"], "fail", scenario)
            self.assertEqual(verdicts[(down, scenario)]["observed"], {"connect_failed": 1}, scenario)
        self.assertRegex(result.stdout, rf"target {re.escape(down)}\nok +keepalive/200 +connect_failed x1 +fail\n")
        self.assertEqual(lint, (0, lint[1]))
        failure = cases[(f"termprobe run {down}", "ok")].find("failure")
        self.assertEqual(failure.get("message"), "expected keepalive/200, observed connect_failed x1")
        self.assertIsNone(cases[(f"termprobe run {live.base_url}", "ok")].find("failure"))

    def test_a_fleet_member_without_the_module_is_judged_not_fatal(self):
        with Serve() as live, WireFixture("not_found") as other:
            stray = f"http://127.0.0.1:{other.port}"
            result = run_termprobe("run", "--target", live.base_url, "--target", stray, "--repeat", "1")
            alone = run_termprobe("run", "--target", stray, "--repeat", "1")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertRegex(result.stderr, r"^termprobe: no termprobe module at .+HTTP 404.+\n$")
        self.assertRegex(result.stdout, rf"target {re.escape(stray)}\nok +keepalive/200 +\S+/404 x1 +fail\n")
        self.assertEqual(alone.returncode, 2, alone.stdout + alone.stderr)
        self.assertRegex(alone.stderr, r"^termprobe: error: no termprobe module at .+\n$")

    def test_exit_3_only_when_no_target_was_reachable(self):
        with ReportDir() as d:
            report_path = os.path.join(d, "down.json")
            result = run_termprobe("run", "--target", f"http://127.0.0.1:{unused_port()}", "--target",
                                   f"http://127.0.0.1:{unused_port()}", "--repeat", "1", "--json", report_path)
            report = read_report(report_path)
        self.assertEqual(result.returncode, 3, result.stdout + result.stderr)
        self.assertEqual(result.stderr.count("termprobe: cannot reach"), 2, result.stderr)
        self.assertEqual(report["summary"]["labels"], {"connect_failed": 14})

    def test_a_check_file_naming_several_hosts_judges_each(self):
        down = unused_port()
        with Serve() as live, ReportDir() as d:
            checks = write(d, "checks.toml", f"""
[[probe]]
name = "live"
url = "{live.base_url}/termprobe/ok"
watch = 0.1
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
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertEqual(lint, (0, lint[1]))
        self.assertEqual({v["scenario"]: v["verdict"] for v in report["verdicts"]}, {"live": "pass", "down": "fail"})
        self.assertRegex(result.stdout, r"(?m)^down +keepalive +connect_failed x1 +fail$")


class Statuses(unittest.TestCase):
    def test_a_proxy_answering_502_fails_a_keepalive_200_expectation(self):
        with Nginx("listen 127.0.0.1:{port}; location / {{ return 502; }}") as nginx, ReportDir() as d:
            checks = write(d, "checks.toml", f"""
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
        self.assertEqual(lint, (0, lint[1]))
        failure = next(c for (suite, name), c in cases.items() if name == "home").find("failure")
        self.assertEqual(failure.get("message"), "expected keepalive/200, observed keepalive/502 x3")
        self.assertEqual(probe.returncode, 1, probe.stdout + probe.stderr)
        self.assertIn("expected keepalive/2xx but observed otherwise", probe.stderr)
        self.assertEqual(probe_any.returncode, 0, probe_any.stdout + probe_any.stderr)

    def test_a_wrong_token_fails_visibly(self):
        with Serve("--token", "s3cret") as server, ReportDir() as d:
            report_path = os.path.join(d, "r.json")
            wrong = run_termprobe("run", "--target", server.base_url, "--token", "wrong", "--repeat", "1",
                                  "--json", report_path)
            report = read_report(report_path)
            right = run_termprobe("run", "--target", server.base_url, "--token", "s3cret", "--repeat", "1")
        self.assertEqual(wrong.returncode, 1, wrong.stdout + wrong.stderr)
        verdicts = {v["scenario"]: v for v in report["verdicts"]}
        # ok needs no token; every other endpoint answers 403 and fails, also
        # those whose label alone (keepalive, upload_aborted) would pass.
        self.assertEqual(verdicts["ok"]["verdict"], "pass")
        for scenario in SCENARIOS[1:]:
            self.assertEqual(verdicts[scenario]["verdict"], "fail", scenario)
        self.assertRegex(wrong.stdout, r"(?m)^cancel-io-send +keepalive/200 +keepalive/403 x1 +fail$")
        self.assertRegex(wrong.stdout, r"(?m)^cancel-io-read +upload_aborted/200 +upload_aborted/403 x1 +fail$")
        self.assertEqual(right.returncode, 0, right.stdout + right.stderr)
        self.assertRegex(right.stdout, r"(?m)^reset +reset_before_response +reset_before_response x1 +pass$")

    def test_bad_statuses_are_one_line_errors(self):
        result = run_termprobe("probe", "http://127.0.0.1:1/", "--expect", "keepalive/20")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn("'keepalive/20': the status must be a code from 100 to 599 or a class such as 2xx",
                      result.stderr)


NGINX_IDLE_1S = "listen 127.0.0.1:{port}; keepalive_timeout 1; location / {{ return 200 'ok'; }}"


class IdleAndReuse(unittest.TestCase):
    def test_idle_and_reuse_entries_are_judged_in_a_check_file(self):
        with Nginx(NGINX_IDLE_1S) as nginx, ReportDir() as d:
            checks = write(d, "checks.toml", f"""
[[idle]]
name = "idle close"
url = "{nginx.url()}"
max = 5
expect = "close:0.8-1.5"

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
        self.assertEqual(lint, (0, lint[1]))
        self.assertEqual({name for (_, name) in cases}, {"idle close", "reuse at 0.2 s", "reuse at 1.6 s"})
        self.assertEqual(baseline.returncode, 0, baseline.stdout + baseline.stderr)

    def test_a_failing_idle_or_reuse_expectation_exits_1(self):
        with Nginx(NGINX_IDLE_1S) as nginx, ReportDir() as d:
            checks = write(d, "checks.toml", f"""
[[idle]]
name = "idle close"
url = "{nginx.url()}"
max = 5
expect = "close:55-80"
""")
            junit = os.path.join(d, "junit.xml")
            check = run_termprobe("check", checks, "--junit", junit)
            failure = testcases(junit)[(f"termprobe check {nginx.url()[:-1]}", "idle close")].find("failure")
            idle_pass = run_termprobe("idle", nginx.url(), "--max", "5", "--expect", "fin:0.8-1.5")
            idle_fail = run_termprobe("idle", nginx.url(), "--max", "5", "--expect", "open",
                                      "--json", os.path.join(d, "idle.json"))
            idle_report = read_report(os.path.join(d, "idle.json"))
            reuse_pass = run_termprobe("reuse", nginx.url(), "--idle", "200", "--expect", "answered")
            reuse_fail = run_termprobe("reuse", nginx.url(), "--idle", "200,1600", "--expect", "answered",
                                       "--json", os.path.join(d, "reuse.json"))
            reuse_report = read_report(os.path.join(d, "reuse.json"))
        self.assertEqual(check.returncode, 1, check.stdout + check.stderr)
        self.assertRegex(check.stdout, r"(?m)^idle close +close 55-80 s +fin after \d+ ms x1 +fail$")
        self.assertRegex(failure.get("message"), r"^expected close 55-80 s, observed fin after \d+ ms x1$")
        self.assertEqual(idle_pass.returncode, 0, idle_pass.stdout + idle_pass.stderr)
        self.assertRegex(idle_pass.stdout, r"(?m)^idle +fin 0\.8-1\.5 s +fin after \d+ ms x1 +pass$")
        self.assertEqual(idle_fail.returncode, 1, idle_fail.stdout + idle_fail.stderr)
        self.assertEqual(idle_report["verdicts"][0]["verdict"], "fail")
        self.assertEqual(reuse_pass.returncode, 0, reuse_pass.stdout + reuse_pass.stderr)
        self.assertEqual(reuse_fail.returncode, 1, reuse_fail.stdout + reuse_fail.stderr)
        self.assertEqual([v["verdict"] for v in reuse_report["verdicts"]], ["pass", "fail"])

    def test_bad_idle_and_reuse_expectations_are_one_line_errors(self):
        for args, words in [(["idle", "http://127.0.0.1:1/", "--expect", "close:2-1"], "'close:2-1': LOW is above HIGH"),
                            (["reuse", "http://127.0.0.1:1/", "--idle", "10", "--expect", "fine"],
                             "'fine' is not a reuse outcome")]:
            with self.subTest(args=args):
                result = run_termprobe(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
                self.assertIn(words, result.stderr)


if __name__ == "__main__":
    unittest.main()
