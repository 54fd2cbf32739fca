"""Load and diagnosis: concurrency keeps every connection's label, idle
keep-alive timing, the reuse race."""

import json
import os
import time
import unittest

from harness import ReportDir, WireFixture, run_termprobe, validate_report


def report_of(directory, *args, name="r.json"):
    path = os.path.join(directory, name)
    result = run_termprobe(*args, "--json", path)
    with open(path, encoding="utf-8") as report_file:
        return result, validate_report(json.load(report_file))


class Concurrency(unittest.TestCase):
    def test_concurrency_100_and_200_classify_like_concurrency_1(self):
        with ReportDir() as d:
            seq, sequential = report_of(d, "run", "--repeat", "30", "--watch", "0.1", "--concurrency", "1", name="a.json")
            for concurrency in ("100", "200"):
                with self.subTest(concurrency=concurrency):
                    par, parallel = report_of(d, "run", "--repeat", "30", "--watch", "0.1", "--concurrency",
                                              concurrency, name=f"c{concurrency}.json")
                    self.assertEqual(par.returncode, 0, par.stdout)
                    self.assertEqual(parallel["summary"]["labels"], sequential["summary"]["labels"])
                    self.assertEqual(parallel["summary"]["total"], 210)
                    self.assertEqual(parallel["summary"]["requested"], 210)
                    keys = {(e["scenario"], e["repeat"]) for e in parallel["results"]}
                    self.assertEqual(len(keys), 210, "no connection lost or counted twice")
                    ports = {e["local"]["port"] for e in parallel["results"]}
                    self.assertEqual(len(ports), 210)
        self.assertEqual(seq.returncode, 0, seq.stdout)

    def test_summary_has_share_and_percentiles_per_label(self):
        with WireFixture("fin_after_response") as server, ReportDir() as d:
            result, report = report_of(d, "probe", server.url(), "--count", "200", "--concurrency", "20")
        self.assertEqual(result.returncode, 0)
        stats = report["summary"]["by_label"]["close_after_response"]
        self.assertEqual(stats["count"], 200)
        self.assertEqual(stats["share"], 1.0)
        self.assertLessEqual(stats["first_byte_us"]["p50"], stats["first_byte_us"]["p90"])
        self.assertLessEqual(stats["first_byte_us"]["p90"], stats["first_byte_us"]["p99"])
        self.assertLessEqual(stats["first_byte_us"]["p99"], stats["ended_us"]["p99"])
        self.assertRegex(result.stdout, r"(?m)^close_after_response +200 +100\.0% ")

    def test_rate_paces_new_connections(self):
        # 20 starts at 100/s cannot take less than 0.19 s (a lower bound only: no speed target here).
        with WireFixture("fin_after_response") as server, ReportDir() as d:
            started = time.monotonic()
            result, report = report_of(d, "probe", server.url(), "--count", "20", "--rate", "100",
                                       "--concurrency", "5")
            elapsed = time.monotonic() - started
        self.assertEqual(result.returncode, 0)
        self.assertEqual(report["summary"]["total"], 20)
        self.assertGreaterEqual(elapsed, 0.19)


class Idle(unittest.TestCase):
    def idle(self, behaviour, max_s="2"):
        with WireFixture(behaviour) as server, ReportDir() as d:
            result, report = report_of(d, "idle", server.url(), "--max", max_s)
        return result, report["results"][0]

    def test_idle_fin_is_timed_within_50_ms(self):
        result, entry = self.idle("idle_fin_300ms")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(entry["ending"]["kind"], "fin")
        self.assertAlmostEqual(entry["ending"]["after_response_us"], 300_000, delta=50_000)
        self.assertRegex(result.stdout, r"^server closed the idle connection with FIN 3\d\d\.\d ms after the response\n$")

    def test_idle_rst_is_timed_within_50_ms(self):
        result, entry = self.idle("idle_rst_300ms")
        self.assertEqual(entry["ending"]["kind"], "rst")
        self.assertAlmostEqual(entry["ending"]["after_response_us"], 300_000, delta=50_000)
        self.assertIn("with RST", result.stdout)

    def test_never_closing_server_stays_open_until_max(self):
        result, entry = self.idle("keepalive", max_s="0.5")
        self.assertEqual(entry["outcome"]["label"], "keepalive")
        self.assertGreaterEqual(entry["ending"]["after_response_us"], 500_000)
        self.assertEqual(result.stdout, "still open after 0.5 s idle (--max)\n")


class Reuse(unittest.TestCase):
    def test_delays_below_the_idle_timeout_are_answered_above_it_are_not(self):
        for behaviour, dead in [("idle_fin_300ms", "fin"), ("idle_rst_300ms", "rst")]:
            with self.subTest(behaviour=behaviour), WireFixture(behaviour) as server, ReportDir() as d:
                result, report = report_of(d, "reuse", server.url(), "--idle", "50,200,450,600", "--repeat", "3")
                self.assertEqual(result.returncode, 0, result.stderr)
                by_delay = {}
                for e in report["results"]:
                    by_delay.setdefault(e["scenario"], []).append(e)
                for delay in ("50", "200"):
                    for e in by_delay[f"reuse after {delay} ms"]:
                        self.assertEqual(e["reuse"]["outcome"], "answered")
                        self.assertTrue(e["reused"])
                        self.assertIsNone(e["reuse"]["closed_before_reuse"])
                        self.assertEqual(e["response"]["status"], 200)
                for delay in ("450", "600"):
                    for e in by_delay[f"reuse after {delay} ms"]:
                        self.assertIn(e["reuse"]["outcome"], {"reset", "empty_reply", "send_failed"})
                        self.assertEqual(e["reuse"]["closed_before_reuse"], dead)
                        self.assertAlmostEqual(e["reuse"]["closed_before_reuse_us"], 300_000, delta=50_000)
                self.assertRegex(result.stdout, r"(?m)^ +50  answered x3 +kept it open x3$")


if __name__ == "__main__":
    unittest.main()
