"""`termprobe run`: the module's contract suite on the embedded Linux host and
against `termprobe serve` over HTTP/1.1 — the profiles, target URLs and
fleets (a target down, one without the module), tokens, JUnit (at a device
too), ndjson, progress and colour on a terminal, interrupts, help and bad
input. Over TLS in test_run_tls.py and over HTTP/2 in test_run_h2.py: one
file would pass 500 lines. The real binary throughout."""

import json
import os
import re
import signal
import subprocess
import time
import unittest
import xml.etree.ElementTree as ElementTree

import reports
from harness import (FULL_DEVICE, NULL_DEVICE, SCENARIOS, TERMPROBE, TTY_DEVICE, VALIDATOR, CommandTestCase,
                     ReportDir, Serve, WireFixture, device_node, file_type, lint_junit, read_report, run_in_terminal,
                     run_report, run_termprobe, stdout_link, testcases, unused_port, validate_report, write_file)


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
        # After the summary, what each label in the table means, once each.
        meanings = result.stdout.split(" connection(s)", 1)[1].splitlines()[1:]
        named = [line.split(":")[0].strip() for line in meanings]
        self.assertEqual(named, sorted(set(named), key=named.index))
        for label in ("keepalive", "reset_before_response", "close_after_response"):
            self.assertIn(label, named)
        meaning = {line.split(":")[0].strip(): line for line in meanings}
        self.assertIn('"connection reset by peer"', meaning["reset_before_response"])


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


class RunTargets(unittest.TestCase):
    def test_the_url_serve_prints_and_the_bare_base_both_work(self):
        with Serve() as server:
            for target in [server.base_url, server.base_url + "/termprobe/", server.base_url + "/termprobe"]:
                with self.subTest(target=target):
                    result = run_termprobe("run", "--target", target, "--repeat", "1", "--json", "-", timeout=60)
                    self.assertEqual(result.returncode, 0, result.stderr)
                    urls = {r["url"] for r in json.loads(result.stdout)["results"]}
                    self.assertIn(server.base_url + "/termprobe/ok", urls)

    def test_run_prefix_follows_serve_prefix(self):
        result = run_termprobe("run", "--prefix", "/p/", "--repeat", "1", "--json", "-", timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stderr, r"embedded module host \(Linux\) on http://127\.0\.0\.1:\d+/p/\n")
        self.assertTrue(all("/p/" in r["url"] for r in json.loads(result.stdout)["results"]))

    def test_targets_file_takes_trailing_comments_and_blank_lines(self):
        with Serve() as server, ReportDir() as d:
            path = write_file(d, "targets.txt",
                              f"\n# the host\n{server.base_url}/termprobe/   # as serve prints it\n\n")
            result = run_termprobe("run", "--targets-file", path, "--repeat", "1", timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_quiet_run_prints_only_what_did_not_pass_and_the_summary(self):
        result = run_termprobe("run", "-q", "--repeat", "1", timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.count("\n"), 1, result.stdout)
        self.assertRegex(result.stdout, r"^7 of 7 connection\(s\)")
        # the iis profile leaves scenarios unverified: those rows stay
        failing = run_termprobe("run", "-q", "--repeat", "1", "--profile", "iis", timeout=60)
        self.assertNotRegex(failing.stdout, r"(?m) pass$")
        self.assertRegex(failing.stdout, r"(?m)^scenario ")


class Fleet(unittest.TestCase):
    def test_a_down_target_fails_its_scenarios_and_the_others_run(self):
        down = f"http://127.0.0.1:{unused_port()}"  # just bound and closed: refused
        with Serve() as live, ReportDir() as d:
            targets = write_file(d, "targets.txt", f"{live.base_url}\n{down}\n")
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
        self.assertEqual(lint.returncode, 0, lint.stderr)
        # Not reached: an infrastructure <error>, not a <failure> of the server's behaviour.
        down_ok = cases[(f"termprobe run {down}", "ok")]
        self.assertIsNone(down_ok.find("failure"))
        error = down_ok.find("error")
        self.assertEqual((error.get("type"), error.get("message")),
                         ("unreachable", "expected keepalive/200, observed connect_failed x1"))
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


    def test_fleet_of_targets_is_grouped_and_compared_by_target(self):
        with Serve() as one, Serve() as two, ReportDir() as d:
            fleet = os.path.join(d, "fleet.json")
            targets_file = write_file(d, "targets.txt", f"# the second host\n{two.base_url}\n\n")
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


class Tokens(unittest.TestCase):
    def test_token_guards_the_destructive_endpoints(self):
        with Serve("--token", "s3cret") as server:
            without = run_termprobe("run", "--target", server.base_url, "--repeat", "1")
            with_token = run_termprobe("run", "--target", server.base_url, "--repeat", "1", "--token", "s3cret")
        self.assertEqual(without.returncode, 1)
        self.assertRegex(without.stdout, r"(?m)^reset +reset_before_response +keepalive/403 x1 +fail$")
        self.assertEqual(with_token.returncode, 0, with_token.stdout)


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


class JUnit(unittest.TestCase):
    def test_junit_is_valid_and_states_expected_versus_observed(self):
        with ReportDir() as d:
            profile = reports.write(os.path.join(d, "p.json"), {"profile": "p", "scenarios": {
                "reset": {"expect": ["keepalive"], "note": "deliberately wrong"},
                "ok": {"expect": ["keepalive"]}, "cancel-io-send": {"expect": None, "note": "who knows"}}})
            junit = os.path.join(d, "junit.xml")
            result = run_termprobe("run", "--profile", profile, "--repeat", "2", "--junit", junit)
            lint = lint_junit(junit)
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


class JUnitAtADevice(CommandTestCase):
    """--junit at a character device is written through, never replaced (src/report/output_target.h)."""

    def test_a_device_gets_the_junit_and_stays_a_device(self):
        with ReportDir() as directory:
            tty = device_node(directory, "tty", TTY_DEVICE)
            code, output = run_in_terminal(["run", "--repeat", "1", "-q", "--junit", tty])
            null = device_node(directory, "null", NULL_DEVICE)
            discarded = run_termprobe("run", "--repeat", "1", "--junit", null)
            self.assertEqual((file_type(tty), file_type(null)), ("char", "char"))
            self.assertEqual(sorted(os.listdir(directory)), ["null", "tty"])
        self.assertEqual(code, 0, output)
        text = output.decode("utf-8").replace("\r\n", "\n")
        xml = text[text.index("<?xml"):text.index("</testsuites>") + len("</testsuites>")]
        cases = [c.get("name") for c in ElementTree.fromstring(xml).iter("testcase")]
        self.assertEqual(cases, SCENARIOS)
        self.assertEqual(discarded.returncode, 0, discarded.stderr)

    def test_a_full_device_is_a_write_error_with_exit_4(self):
        with ReportDir() as directory:
            full = device_node(directory, "full", FULL_DEVICE)
            result = run_termprobe("run", "--repeat", "1", "--junit", full)
            self.assertEqual(file_type(full), "char")
        self.assertEqual(result.returncode, 4, result.stdout + result.stderr)
        self.assertEqual(result.stderr,
                         f"termprobe: error: cannot write --junit '{full}': No space left on device\n")

    def test_junit_on_stdout_is_refused_as_a_dash_is(self):
        with ReportDir() as directory:
            for path in ["-", stdout_link(directory)]:
                with self.subTest(path=path):
                    result = run_termprobe("run", "--junit", path)
                    self.assert_refused(result, f"--junit: give a file name, not {path}")
            self.assertEqual(os.readlink(os.path.join(directory, "stdout")), "/proc/self/fd/1")


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

    def run_suite_in_terminal(self, env_extra):
        env = dict(os.environ, **env_extra)
        env.pop("NO_COLOR", None) if "NO_COLOR" not in env_extra else None
        return run_in_terminal(["run", "--repeat", "30", "--concurrency", "4"], env)

    def test_progress_and_colour_on_a_terminal(self):
        code, output = self.run_suite_in_terminal({})
        self.assertEqual(code, 0, output)
        self.assertIn(b"\x1b[32mpass\x1b[0m", output)
        self.assertRegex(output, rb"\r\x1b\[K\d+/210  \d+ conn/s ")

    def test_no_color_turns_colour_off_but_keeps_progress(self):
        code, output = self.run_suite_in_terminal({"NO_COLOR": "1"})
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
            lint = lint_junit(junit)
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
                              "reachable at all, 4 termprobe itself failed (a report could not be written, the engine "
                              "could not start), 130 interrupted (the report holds what was measured).",
                              " ".join(result.stdout.split()))


class BadInput(CommandTestCase):
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
        result = run_termprobe("run", "--target", f"http://127.0.0.1:{unused_port()}")
        self.assert_one_line_error(result, 3, "cannot reach")


if __name__ == "__main__":
    unittest.main()
