"""`termprobe idle`: one request, then how and when the server closes the idle
connection — FIN or RST, timed, or still open at --max; an interrupted idle
says how long it really idled; --expect on idle, and [[idle]] failing in a
check file. Scripted servers and Debian's nginx on loopback."""

import os
import re
import unittest

from harness import (DELAY_TOLERANCE_US, ReportDir, WireFixture, idle_entry, interrupt_after, keepalive_server,
                     read_report, report_of, run_termprobe, testcases, write_file)


class Idle(unittest.TestCase):
    def idle(self, behaviour, max_s="2"):
        with WireFixture(behaviour) as server, ReportDir() as d:
            result, report = report_of(d, "idle", server.url(), "--max", max_s)
        return result, report["results"][0]

    def test_idle_fin_is_timed_within_50_ms(self):
        result, entry = self.idle("idle_fin_300ms")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(entry["ending"]["kind"], "fin")
        self.assertAlmostEqual(entry["ending"]["after_response_us"], 300_000, delta=DELAY_TOLERANCE_US)
        line = re.fullmatch(r"server closed the idle connection with FIN (\d+\.\d) ms after the response\n", result.stdout)
        self.assertIsNotNone(line, result.stdout)
        # The line prints the report's own time (to 0.1 ms), which a loaded
        # machine may put either side of 300 ms.
        self.assertAlmostEqual(float(line.group(1)), entry["ending"]["after_response_us"] / 1000, delta=0.051)

    def test_idle_rst_is_timed_within_50_ms(self):
        result, entry = self.idle("idle_rst_300ms")
        self.assertEqual(entry["ending"]["kind"], "rst")
        self.assertAlmostEqual(entry["ending"]["after_response_us"], 300_000, delta=DELAY_TOLERANCE_US)
        self.assertIn("with RST", result.stdout)

    def test_v_prints_the_connection_and_the_idle_reset(self):
        with WireFixture("idle_rst_300ms") as server:
            result = run_termprobe("idle", server.url(), "--max", "2", "-v")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stderr, r"(?m)^\* +[0-9.]+ [µm]?s connected to 127\.0\.0\.1:[0-9]+ from 127\.0\.0\.1:[0-9]+$")
        self.assertRegex(result.stderr, r"(?m)^< +[0-9.]+ m?s RST from the server, [0-9.]+ m?s after the response ")
        self.assertRegex(result.stderr, r"(?m)^\* +label reset_after_response: after_response ending rst$")

    def test_never_closing_server_stays_open_until_max(self):
        result, entry = self.idle("keepalive", max_s="0.5")
        self.assertEqual(entry["outcome"]["label"], "keepalive")
        self.assertGreaterEqual(entry["ending"]["after_response_us"], 500_000)
        self.assertEqual(result.stdout, "still open after 0.5 s idle (--max)\n")


class Count(unittest.TestCase):
    def test_count_holds_n_connections_and_fin_watch_is_the_probes(self):
        with WireFixture("idle_fin_300ms") as server, ReportDir() as d:
            result, report = report_of(d, "idle", server.url(), "--max", "2", "-n", "2", "-c", "2",
                                       "--fin-watch", "0.25", "--connect-timeout", "1s")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(report["results"]), 2)
        closed = re.findall(r"(?m)^(#\d) server closed the idle connection with FIN", result.stdout)
        self.assertEqual(sorted(closed), ["#1", "#2"], result.stdout)  # in the order they ended
        for entry in report["results"]:
            self.assertEqual(entry["ending"]["kind"], "fin")
            self.assertGreaterEqual(entry["ending"]["fin_watch_us"], 250_000)


class Interrupt(unittest.TestCase):
    def test_an_interrupted_idle_says_how_long_it_really_idled(self):
        with WireFixture("keepalive") as server:
            _, out, _ = interrupt_after(1.0, "idle", server.url(), "--max", "60")
        self.assertRegex(out, r"still open after [12]\.\d s idle, when interrupted \(--max was 60\.0 s\)")


class Expectations(unittest.TestCase):
    def test_a_failing_idle_or_reuse_expectation_exits_1(self):
        with keepalive_server(1) as nginx, ReportDir() as d:
            checks = write_file(d, "checks.toml", idle_entry(nginx.url(), "close:55-80"))
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
