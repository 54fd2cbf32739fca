"""`termprobe reuse`: after each idle delay the same request again on the same
connection — answered below the server's idle timeout; reset, empty reply or
send failed above it, with when and how the server had closed — and the
second request counting only its own bytes. Scripted servers on loopback."""

import re
import unittest

from harness import DELAY_TOLERANCE_US, ReportDir, WireFixture, report_of, run_termprobe


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
                        self.assertAlmostEqual(e["reuse"]["closed_before_reuse_us"], 300_000, delta=DELAY_TOLERANCE_US)
                self.assertRegex(result.stdout, r"(?m)^ +50  answered x3 +kept it open x3$")

    def test_v_prints_the_second_request_and_the_idle_before_it(self):
        with WireFixture("idle_rst_300ms") as server:
            result = run_termprobe("reuse", server.url(), "--idle", "50,400", "-v")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stderr
        self.assertRegex(lines, r"(?m)^\* connection to .* \(reuse after 50 ms #0\):$")
        # Idle times are at least what was asked for; a loaded machine adds to them (52.7 and 437 ms in CI).
        soon = re.search(r"(?m)^\* +second request after ([0-9.]+) ms idle: answered$", lines)
        self.assertIsNotNone(soon, lines)
        self.assertGreaterEqual(float(soon.group(1)), 50)
        late = re.search(r"(?m)^\* +second request after ([0-9.]+) ms idle, the server's rst came first: "
                         r"(reset|empty_reply|send_failed)$", lines)
        self.assertIsNotNone(late, lines)
        self.assertGreaterEqual(float(late.group(1)), 400)
        self.assertRegex(lines, r"(?m)^< HTTP/1\.1 200 OK$")

    def test_the_second_request_counts_only_its_own_bytes(self):
        with WireFixture("idle_fin_300ms") as server, ReportDir() as d:
            result, report = report_of(d, "reuse", server.url(), "--idle", "400")
        entry = report["results"][0]
        self.assertEqual(entry["reuse"]["outcome"], "empty_reply", result.stdout)
        self.assertEqual(entry["response"]["bytes"], 0)
        self.assertEqual(entry["response"]["wire_bytes"], 0)


if __name__ == "__main__":
    unittest.main()
