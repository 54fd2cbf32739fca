"""Load, a suite across commands (run and probe) rather than one command's
file: at concurrency 100 and 200 every connection keeps the label it gets at
1, nothing lost or counted twice; the summary's share and percentiles per
label; --rate paces new connections."""

import time
import unittest

from harness import ReportDir, WireFixture, report_of


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


if __name__ == "__main__":
    unittest.main()
