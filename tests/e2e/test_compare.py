"""`termprobe compare`, and the baselines of `run --baseline` and `check
--baseline` that compare in the same step: hand-made reports (reports.py)
compared to the byte; labels, announced closes, reset bytes and the server's
closing time that changed; an upgrade and a fleet; pairing two deployments
(--match scenario, --map); JUnit failing on a baseline change; unusable
reports. Real nginx and the real module host on loopback, started and
stopped here."""

import json
import os
import re
import unittest
import xml.etree.ElementTree as ElementTree

import reports
from harness import (ReportDir, Serve, keepalive_server, lint_junit, report_of, run_termprobe, unused_port,
                     validate_report, write_file)


def probe_report(directory, name, url):
    """Three connections that each wait (up to --watch 5) for nginx to close them."""
    result, _ = report_of(directory, "probe", url, "--count", "3", "-c", "3", "--watch", "5", "-q", name=name)
    if result.returncode != 0:
        raise AssertionError(result.stdout + result.stderr)
    return os.path.join(directory, name)


class Compare(unittest.TestCase):
    def compare(self, directory, before, after, *extra):
        a = reports.write(os.path.join(directory, "a.json"), before)
        b = reports.write(os.path.join(directory, "b.json"), after)
        return run_termprobe("compare", a, b, *extra), a, b

    def test_hand_made_reports_are_schema_valid(self):
        validate_report(reports.baseline())
        validate_report(reports.changed(reports.baseline(), "reset", label="keepalive"))

    def test_identical_reports(self):
        with ReportDir() as d:
            result, a, b = self.compare(d, reports.baseline(), reports.baseline())
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, f"no change: 3 scenario(s) in '{b}' match '{a}'\n")
        self.assertEqual(result.stderr, "")

    def test_one_label_changed(self):
        after = reports.changed(reports.baseline(), "reset", label="keepalive")
        with ReportDir() as d:
            result, a, b = self.compare(d, reports.baseline(), after)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout,
                         f"1 change(s) from '{a}' to '{b}':\n"
                         "http://127.0.0.1:8080 reset  [changed: labels, status]\n"
                         "  baseline: reset_before_response x1; status none x1; announced none; rst after fin none\n"
                         "  current:  keepalive x1; status 200 x1; announced none; rst after fin none\n")

    def test_announced_close_and_reset_bytes_are_key_facts(self):
        after = reports.changed(reports.baseline(), "need-disconnect", label="close_after_response", kind="fin")
        before_reset = reports.changed(reports.baseline(), "reset", label="reset_mid_response", kind="rst",
                                       wire_bytes=500)
        after_reset = reports.changed(reports.baseline(), "reset", label="reset_mid_response", kind="rst",
                                      wire_bytes=900)
        with ReportDir() as d:
            announced, _, _ = self.compare(d, reports.baseline(), after)
            closed = reports.changed(reports.baseline(), "need-disconnect", label="close_after_response", kind="fin")
            then_reset = reports.changed(reports.baseline(), "need-disconnect", label="close_after_response",
                                         kind="fin", rst_after_fin_us=500)
            broken_pipe, _, _ = self.compare(d, closed, then_reset)
            bytes_moved, _, _ = self.compare(d, before_reset, after_reset)
        self.assertIn("need-disconnect  [changed: announced close]", announced.stdout)
        self.assertIn("need-disconnect  [changed: rst after fin]", broken_pipe.stdout)
        self.assertIn("rst after fin all", broken_pipe.stdout)
        self.assertIn("reset  [changed: bytes before reset]", bytes_moved.stdout)
        self.assertIn("500-500 B before reset", bytes_moved.stdout)
        self.assertIn("900-900 B before reset", bytes_moved.stdout)

    def test_scenarios_added_and_removed_are_listed(self):
        t = "http://127.0.0.1:8080"
        after = reports.report([e for e in reports.baseline()["results"] if e["scenario"] != "reset"]
                               + [reports.entry(t, "cancel-io-send", "keepalive")])
        with ReportDir() as d:
            result, _, _ = self.compare(d, reports.baseline(), after, "--json", os.path.join(d, "changes.json"))
            with open(os.path.join(d, "changes.json"), encoding="utf-8") as changes_file:
                changes = json.load(changes_file)
        self.assertEqual(result.returncode, 1)
        self.assertIn("http://127.0.0.1:8080 reset  [only in baseline]\n  baseline: reset_before_response x1",
                      result.stdout)
        self.assertIn("http://127.0.0.1:8080 cancel-io-send  [only in current]\n  baseline: (absent)", result.stdout)
        self.assertEqual([(c["scenario"], c["change"]) for c in changes["changes"]],
                         [("reset", "only in baseline"), ("cancel-io-send", "only in current")])
        self.assertTrue(changes["changed"])

    def test_unusable_input_exits_two(self):
        old = reports.baseline()
        old["schema_version"] = 0
        with ReportDir() as d:
            good = reports.write(os.path.join(d, "good.json"), reports.baseline())
            older = reports.write(os.path.join(d, "old.json"), old)
            corrupt = os.path.join(d, "corrupt.json")
            with open(corrupt, "w", encoding="utf-8") as out:
                out.write("{\"schema_version\": 4, oops}")
            truncated = os.path.join(d, "truncated.json")
            with open(truncated, "w", encoding="utf-8") as out:
                out.write(json.dumps(reports.baseline())[:200])
            cases = [
                (older, "has schema_version 0; this termprobe reads version 4 only"),
                (corrupt, "is not valid JSON (truncated or corrupt)"),
                (truncated, "is not valid JSON (truncated or corrupt)"),
                (os.path.join(d, "missing.json"), "cannot read report"),
            ]
            for path, words in cases:
                with self.subTest(path=os.path.basename(path)):
                    result = run_termprobe("compare", good, path)
                    self.assertEqual(result.returncode, 2)
                    self.assertEqual(result.stdout, "")
                    self.assertEqual(result.stderr.count("\n"), 1)
                    self.assertIn(words, result.stderr)


class RunTargets(unittest.TestCase):
    def test_compare_json_names_the_baseline_by_its_path(self):
        with ReportDir() as d:
            before = os.path.join(d, "before.json")
            self.assertEqual(run_termprobe("run", "--repeat", "1", "--json", before, timeout=60).returncode, 0)
            result = run_termprobe("compare", before, before, "--json", "-", timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["baseline"], before)


class UpgradeWorkflow(unittest.TestCase):
    def test_before_and_after_an_upgrade(self):
        with Serve() as server, ReportDir() as d:
            before = os.path.join(d, "before.json")
            first = run_termprobe("run", "--target", server.base_url, "--repeat", "2", "--json", before)
            self.assertEqual(first.returncode, 0, first.stdout + first.stderr)
            same = run_termprobe("run", "--target", server.base_url, "--repeat", "2", "--baseline", before)
            # Stand-in for an upgrade that changed how reset ends: edit the baseline.
            with open(before, encoding="utf-8") as report_file:
                report = json.load(report_file)
            for e in report["results"]:
                if e["scenario"] == "reset":
                    e["outcome"]["label"] = "empty_reply"
                    e["ending"]["kind"] = "fin"
            reports.write(before, report)
            moved = run_termprobe("run", "--target", server.base_url, "--repeat", "2", "--baseline", before)
        self.assertEqual(same.returncode, 0, same.stdout)
        self.assertIn("no change: 7 scenario(s) in this run match", same.stdout)
        self.assertEqual(moved.returncode, 1)
        self.assertIn(f"{server.base_url} reset  [changed: labels]", moved.stdout)
        self.assertIn("  baseline: empty_reply x2", moved.stdout)


class ClosingTime(unittest.TestCase):
    def test_keepalive_timeout_two_then_one_second_is_a_change(self):
        with ReportDir() as d:
            port = unused_port()
            with keepalive_server(2, port) as nginx:
                before = probe_report(d, "before.json", nginx.url())
            with keepalive_server(1, port):
                after = probe_report(d, "after.json", nginx.url())
            with keepalive_server(2, port):
                again = probe_report(d, "again.json", nginx.url())
            changed = run_termprobe("compare", before, after, "--json", os.path.join(d, "changes.json"))
            same = run_termprobe("compare", before, again)
            loose = run_termprobe("compare", before, after, "--time-tolerance", "60%")
            with open(os.path.join(d, "changes.json"), encoding="utf-8") as f:
                changes = json.load(f)
        self.assertEqual(changed.returncode, 1, changed.stdout + changed.stderr)
        self.assertIn(f"{nginx.url()} probe  [changed: closing time]\n", changed.stdout)
        closing = re.search(r"  closing time: closed (\d+) ms after the response, was (\d+) ms \(median of 3 and 3 "
                            r"connections\); tolerance 25% or 50 ms, whichever is larger\n", changed.stdout)
        self.assertIsNotNone(closing, changed.stdout)
        now, was = int(closing.group(1)), int(closing.group(2))
        self.assertTrue(990 <= now <= 1100, now)
        self.assertTrue(1990 <= was <= 2100, was)
        self.assertEqual(changes["changes"][0]["what"], ["closing time"])
        self.assertEqual(changes["changes"][0]["baseline"]["closed_after_response"]["connections"], 3)
        # The same config again: a few ms of jitter is no change.
        self.assertEqual(same.returncode, 0, same.stdout)
        self.assertIn("no change: 1 scenario(s)", same.stdout)
        # 1 s off 2 s is 50%: within a 60% tolerance.
        self.assertEqual(loose.returncode, 0, loose.stdout)

    def test_a_bad_tolerance_is_one_line_and_exit_two(self):
        with ReportDir() as d:
            with keepalive_server(1) as nginx:
                path = probe_report(d, "a.json", nginx.url())
            result = run_termprobe("compare", path, path, "--time-tolerance", "5s")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "termprobe: error: --time-tolerance: 5s: '5s' must be a percentage (25%) "
                                        "or milliseconds (50ms)\n")


class TwoDeployments(unittest.TestCase):
    def test_match_scenario_and_map_pair_two_ports(self):
        with ReportDir() as d:
            with keepalive_server(1) as blue, keepalive_server(1) as green, keepalive_server(2) as slow:
                a = probe_report(d, "blue.json", blue.url())
                b = probe_report(d, "green.json", green.url())
                c = probe_report(d, "slow.json", slow.url())
            by_target = run_termprobe("compare", a, b)
            by_scenario = run_termprobe("compare", a, b, "--match", "scenario")
            mapped = run_termprobe("compare", a, b, "--map", f"{blue.url()}={green.url()}")
            moved = run_termprobe("compare", a, c, "--match", "scenario")
            typo = run_termprobe("compare", a, b, "--map", f"{blue.url()}=http://127.0.0.1:1/")
        self.assertEqual(by_target.returncode, 1)
        self.assertIn("[only in baseline]", by_target.stdout)
        self.assertEqual(by_scenario.returncode, 0, by_scenario.stdout)
        self.assertIn("no change", by_scenario.stdout)
        self.assertEqual(mapped.returncode, 0, mapped.stdout + mapped.stderr)
        self.assertEqual(moved.returncode, 1, moved.stdout)
        self.assertIn(f"{blue.url()} -> {slow.url()} probe  [changed: closing time]", moved.stdout)
        self.assertEqual(typo.returncode, 2)
        self.assertEqual(typo.stderr, f"termprobe: error: --map: 'http://127.0.0.1:1/' is not a target of '{b}' "
                                      f"(its targets: {green.url()})\n")

    def test_check_baseline_matches_by_scenario_across_targets(self):
        with ReportDir() as d:
            with keepalive_server(1) as blue, keepalive_server(1) as green:
                results = []
                for nginx, name in ((blue, "blue"), (green, "green")):
                    checks = write_file(d, f"{name}.toml", f'[[probe]]\nname = "root"\nurl = "{nginx.url()}"\n'
                                        'repeat = 2\nwatch = 3.0\nexpect = ["close_after_response"]\n')
                    extra = ["--json", os.path.join(d, "blue.json")] if name == "blue" else \
                        ["--baseline", os.path.join(d, "blue.json"), "--match", "scenario"]
                    results.append(run_termprobe("check", checks, *extra))
                unmatched = run_termprobe("check", os.path.join(d, "green.toml"), "--baseline",
                                          os.path.join(d, "blue.json"))
                blue_target, green_target = blue.url().rstrip("/"), green.url().rstrip("/")
                mapped = run_termprobe("check", os.path.join(d, "green.toml"), "--baseline",
                                       os.path.join(d, "blue.json"), "--map", f"{blue_target}={green_target}")
                typo = run_termprobe("check", os.path.join(d, "green.toml"), "--baseline",
                                     os.path.join(d, "blue.json"), "--map", f"{blue_target}=http://127.0.0.1:1")
        self.assertEqual(results[0].returncode, 0, results[0].stdout + results[0].stderr)
        self.assertEqual(results[1].returncode, 0, results[1].stdout + results[1].stderr)
        self.assertIn("no change: 1 scenario(s) in this run match", results[1].stdout)
        self.assertEqual(unmatched.returncode, 1, unmatched.stdout)
        self.assertEqual(mapped.returncode, 0, mapped.stdout + mapped.stderr)
        self.assertIn("no change: 1 scenario(s) in this run match", mapped.stdout)
        # Refused before any probe runs: nothing measured, one line.
        self.assertEqual(typo.returncode, 2, typo.stdout)
        self.assertEqual(typo.stdout, "")
        self.assertEqual(typo.stderr, f"termprobe: error: --map: 'http://127.0.0.1:1' is not a target of this run "
                                      f"(its targets: {green_target})\n")

    def test_match_options_need_a_baseline(self):
        result = run_termprobe("run", "--match", "scenario")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn("--baseline", result.stderr)


class JunitBaseline(unittest.TestCase):
    def test_a_baseline_change_fails_its_testcase(self):
        with ReportDir() as d:
            before, junit = os.path.join(d, "before.json"), os.path.join(d, "junit.xml")
            port = unused_port()
            with Serve(listen=f"127.0.0.1:{port}") as server:
                first = run_termprobe("run", "--target", server.base_url, "--repeat", "1", "--json", before)
            # The "upgrade": the module now wants a token, so every destructive endpoint answers 403.
            with Serve("--token", "s3cret", listen=f"127.0.0.1:{port}") as server:
                second = run_termprobe("run", "--target", server.base_url, "--repeat", "1", "--baseline", before,
                                       "--junit", junit)
            lint = lint_junit(junit)
            tree = ElementTree.parse(junit)
        self.assertEqual(first.returncode, 0, first.stdout + first.stderr)
        self.assertEqual(second.returncode, 1, second.stdout)
        self.assertEqual(lint.returncode, 0, lint.stderr)
        cases = {c.get("name"): c for c in tree.getroot().find("testsuite").findall("testcase")}
        # cancel-io-send is still keepalive: only its status moved (200 -> 403).
        failure = cases["cancel-io-send"].find("failure")
        self.assertIsNotNone(failure)
        self.assertIn("changed from the baseline: status; baseline: keepalive x1; status 200 x1",
                      failure.get("message"))
        self.assertIn("current: keepalive x1; status 403 x1", failure.get("message"))
        # ok did not change and stays a pass.
        self.assertIsNone(cases["ok"].find("failure"))
        self.assertEqual(int(tree.getroot().get("failures")), sum(1 for c in cases.values()
                                                                 if c.find("failure") is not None))


if __name__ == "__main__":
    unittest.main()
