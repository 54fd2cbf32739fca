"""Upgrade checks and CI: compare, --baseline, check files, JUnit, ndjson,
progress and colour, interrupts, fleets. The real binary throughout."""

import json
import os
import pty
import select
import signal
import subprocess
import time
import unittest
import xml.etree.ElementTree as ElementTree

import reports
from harness import TERMPROBE, VALIDATOR, ReportDir, run_termprobe, unused_port, validate_report
from test_module import Serve

HERE = os.path.dirname(os.path.abspath(__file__))
JUNIT_XSD = os.path.join(HERE, "junit.xsd")


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
                out.write("{\"schema_version\": 2, oops}")
            truncated = os.path.join(d, "truncated.json")
            with open(truncated, "w", encoding="utf-8") as out:
                out.write(json.dumps(reports.baseline())[:200])
            cases = [
                (older, "has schema_version 0; this termprobe reads version 2 only"),
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

    def test_fleet_of_targets_is_grouped_and_compared_by_target(self):
        with Serve() as one, Serve() as two, ReportDir() as d:
            fleet = os.path.join(d, "fleet.json")
            targets_file = reports.write(os.path.join(d, "targets.txt"), None)
            with open(targets_file, "w", encoding="utf-8") as out:
                out.write(f"# the second host\n{two.base_url}\n\n")
            both = run_termprobe("run", "--target", one.base_url, "--targets-file", targets_file, "--repeat", "1",
                                 "--json", fleet)
            with open(fleet, encoding="utf-8") as report_file:
                report = validate_report(json.load(report_file))
            only_one = run_termprobe("run", "--target", one.base_url, "--repeat", "1", "--baseline", fleet)
        self.assertEqual(both.returncode, 0, both.stdout + both.stderr)
        self.assertEqual([t["target"] for t in report["targets"]], [one.base_url, two.base_url])
        self.assertEqual([t["total"] for t in report["targets"]], [7, 7])
        self.assertEqual({v["target"] for v in report["verdicts"]}, {one.base_url, two.base_url})
        self.assertIn(f"target {one.base_url}\n", both.stdout)
        self.assertIn(f"target {two.base_url}\n", both.stdout)
        self.assertEqual(only_one.returncode, 1)
        self.assertEqual(only_one.stdout.count("[only in baseline]"), 7)
        self.assertNotIn(f"{one.base_url} reset  [", only_one.stdout)


class CheckFiles(unittest.TestCase):
    def write(self, directory, text, name="checks.toml"):
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        return path

    def test_a_valid_file_is_run_and_judged(self):
        with Serve() as server, ReportDir() as d:
            path = self.write(d, f"""
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
            with open(report_path, encoding="utf-8") as report_file:
                report = validate_report(json.load(report_file))
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
            path = self.write(d, f"""
[[probe]]
name = "admin port stays closed"
url = "http://127.0.0.1:{port}/"
expect = ["connect_failed"]
""")
            passed = run_termprobe("check", path)
            path = self.write(d, f"""
[[probe]]
name = "admin port answers"
url = "http://127.0.0.1:{port}/"
expect = ["keepalive"]
""", name="unreachable.toml")
            unreachable = run_termprobe("check", path)
        self.assertEqual(passed.returncode, 0, passed.stdout + passed.stderr)
        self.assertRegex(passed.stdout, r"(?m)^admin port stays closed +connect_failed +connect_failed x\d+ +pass$")
        self.assertEqual(unreachable.returncode, 3, unreachable.stdout + unreachable.stderr)

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
            (ok_probe + "timeout = \"soon\"\n", ":5: 'timeout' must be a number"),
            (ok_probe + "\n" + ok_probe, ":6: probe name 'a' is used twice (first at line 1)"),
            ('[defaults]\ncolour = "red"\n' + ok_probe, ":2: unknown key 'colour' in [defaults]"),
            ('[probes]\nname = "a"\n', ":1: unknown table 'probes'"),
            ('[[probe]\nname = "a"\n', ":1: "),
        ]
        with ReportDir() as d:
            for text, words in cases:
                with self.subTest(words=words):
                    path = self.write(d, text)
                    result = run_termprobe("check", path)
                    self.assertEqual(result.returncode, 2, result.stdout)
                    self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
                    self.assertIn(f"termprobe: error: {path}{words}", result.stderr)


class JUnit(unittest.TestCase):
    def test_junit_is_valid_and_states_expected_versus_observed(self):
        with ReportDir() as d:
            profile = reports.write(os.path.join(d, "p.json"), {"profile": "p", "scenarios": {
                "reset": {"expect": ["keepalive"], "note": "deliberately wrong"},
                "ok": {"expect": ["keepalive"]}, "cancel-io-send": {"expect": None, "note": "who knows"}}})
            junit = os.path.join(d, "junit.xml")
            result = run_termprobe("run", "--profile", profile, "--repeat", "2", "--junit", junit)
            lint = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, junit], capture_output=True, text=True)
            tree = ElementTree.parse(junit)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(lint.returncode, 0, lint.stderr)
        suite = tree.getroot().find("testsuite")
        self.assertEqual(suite.get("name"), "termprobe run embedded")
        cases = {c.get("name"): c for c in suite.findall("testcase")}
        self.assertEqual(list(cases), ["ok", "need-disconnect", "reset", "reset-continue", "reset-after-flush",
                                       "cancel-io-read", "cancel-io-send"])
        failure = cases["reset"].find("failure")
        self.assertEqual(failure.get("message"), "expected keepalive, observed reset_before_response x2")
        self.assertIn("deliberately wrong", failure.text)
        self.assertIsNone(cases["ok"].find("failure"))
        self.assertIn("who knows", cases["cancel-io-send"].find("skipped").get("message"))
        self.assertEqual((suite.get("tests"), suite.get("failures"), suite.get("skipped")), ("7", "1", "5"))


class StreamsAndTerminals(unittest.TestCase):
    def test_ndjson_streams_one_object_per_connection(self):
        result = run_termprobe("run", "--repeat", "2", "--format", "ndjson")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 14)
        result_schema = {"$ref": "#/$defs/result", "$defs": VALIDATOR.schema["$defs"]}
        for line in lines:
            VALIDATOR.evolve(schema=result_schema).validate(json.loads(line))
        self.assertIn("verdict", result.stderr)  # the table moved to stderr

    def test_no_progress_and_no_colour_without_a_terminal(self):
        result = subprocess.run([TERMPROBE, "run", "--repeat", "1"], capture_output=True)
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stderr, b"")
        self.assertNotIn(b"\x1b", result.stdout)
        self.assertRegex(result.stdout, rb"\nok +keepalive/200 +keepalive/200 x1 +pass\n")

    def run_in_terminal(self, env_extra):
        env = dict(os.environ, **env_extra)
        env.pop("NO_COLOR", None) if "NO_COLOR" not in env_extra else None
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(TERMPROBE, [TERMPROBE, "run", "--repeat", "30", "--concurrency", "4"], env)
        output = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), output

    def test_progress_and_colour_on_a_terminal(self):
        code, output = self.run_in_terminal({})
        self.assertEqual(code, 0, output)
        self.assertIn(b"\x1b[32mpass\x1b[0m", output)
        self.assertRegex(output, rb"\r\x1b\[K\d+/210  \d+ conn/s ")

    def test_no_color_turns_colour_off_but_keeps_progress(self):
        code, output = self.run_in_terminal({"NO_COLOR": "1"})
        self.assertEqual(code, 0, output)
        self.assertNotIn(b"\x1b[32m", output)
        self.assertIn(b"conn/s", output)


class Interrupt(unittest.TestCase):
    def test_sigint_during_a_long_run_keeps_the_finished_probes(self):
        with ReportDir() as d:
            path = os.path.join(d, "run.json")
            junit = os.path.join(d, "junit.xml")
            process = subprocess.Popen([TERMPROBE, "run", "--repeat", "100000", "--json", path, "--junit", junit],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(1.5)
            sent = time.monotonic()
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=15)
            elapsed = time.monotonic() - sent
            with open(path, encoding="utf-8") as report_file:
                report = validate_report(json.load(report_file))
            lint = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, junit], capture_output=True)
        self.assertEqual(process.returncode, 130, err)
        self.assertLess(elapsed, 3.0)
        self.assertTrue(report["interrupted"])
        self.assertGreater(report["summary"]["total"], 0)
        self.assertEqual(report["summary"]["total"], len(report["results"]))
        self.assertEqual(report["summary"]["requested"], 700000)
        self.assertEqual(lint.returncode, 0)
        self.assertIn("(interrupted)", out)


class Help(unittest.TestCase):
    def test_exit_codes_are_in_the_help(self):
        for args in [["--help"], ["run", "--help"], ["check", "--help"]]:
            with self.subTest(args=args):
                result = run_termprobe(*args)
                self.assertEqual(result.returncode, 0)
                self.assertIn("Exit codes: 0 success (every judged expectation held, no baseline change), 1 an "
                              "expectation did not hold or the baseline changed, 2 usage or input error, 3 no target "
                              "reachable at all, 130 interrupted (the report holds what was measured).",
                              " ".join(result.stdout.split()))


if __name__ == "__main__":
    unittest.main()
