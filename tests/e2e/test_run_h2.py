"""`termprobe run --http2` (h2 over TLS) and `run --http2-prior-knowledge`
(h2c) against the embedded module host, and `run --target` over h2c against
`termprobe serve`: every scenario passes the reference profile, with the
stream ending the host was measured to produce, and the report validates.
test_run.py's part over HTTP/2, apart for size."""

import json
import os
import unittest

from harness import SCENARIOS, ReportDir, Serve, run_report

H2_SCENARIOS = SCENARIOS + ["reset-stream-0", "reset-stream-2", "reset-stream-8", "reset-stream-1111",
                            "reset-stream-after-headers", "reset-stream-mid-data", "goaway"]
# What the host was measured to do over HTTP/2 (the reference profile's "http2" parts).
HTTP2_ENDINGS = {
    "ok": "none", "need-disconnect": "GOAWAY(NO_ERROR, last 1)",
    "reset": "RST_STREAM(INTERNAL_ERROR) before_headers", "reset-continue": "RST_STREAM(INTERNAL_ERROR) before_headers",
    "reset-after-flush": "RST_STREAM(INTERNAL_ERROR) mid_data", "cancel-io-read": "none", "cancel-io-send": "none",
    "reset-stream-0": "RST_STREAM(NO_ERROR) before_headers", "reset-stream-2": "RST_STREAM(INTERNAL_ERROR) before_headers",
    "reset-stream-8": "RST_STREAM(CANCEL) before_headers", "reset-stream-1111": "RST_STREAM(0x457) before_headers",
    "reset-stream-after-headers": "RST_STREAM(CANCEL) after_headers",
    "reset-stream-mid-data": "RST_STREAM(CANCEL) mid_data", "goaway": "GOAWAY(NO_ERROR, last 2147483647)"}


class RunHttp2(unittest.TestCase):
    def assert_reference_holds(self, result, report, repeat):
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual([v["scenario"] for v in report["verdicts"]], H2_SCENARIOS)
        for verdict in report["verdicts"]:
            scenario = verdict["scenario"]
            self.assertEqual(verdict["verdict"], "pass", scenario)
            self.assertEqual(verdict["http2_ending"], {"expected": [HTTP2_ENDINGS[scenario]],
                                                       "observed": {HTTP2_ENDINGS[scenario]: repeat}}, scenario)
        for entry in report["results"]:
            self.assertIsNotNone(entry["http2"], entry["scenario"])

    def test_prior_knowledge_runs_the_contract_over_h2c(self):
        with ReportDir() as directory:
            result, report = run_report(directory, "--http2-prior-knowledge", "--repeat", "5")
        self.assertIn("embedded module host (Linux) on http://127.0.0.1:", result.stdout)
        self.assert_reference_holds(result, report, 5)
        self.assertTrue(all(entry["tls"] is None for entry in report["results"]))

    def test_http2_runs_the_contract_over_h2_with_the_hosts_tls(self):
        with ReportDir() as directory:
            result, report = run_report(directory, "--http2", "--repeat", "3")
        self.assertIn("embedded module host (Linux) on https://127.0.0.1:", result.stdout)
        self.assertEqual([t["target"] for t in report["targets"]], ["embedded-tls"])
        self.assert_reference_holds(result, report, 3)
        for entry in report["results"]:
            self.assertEqual(entry["tls"]["alpn"], "h2")
        self.assertRegex(result.stdout, r"(?m)^reset-stream-1111 +stream_reset, h2 RST_STREAM\(0x457\) "
                                        r"before_headers +stream_reset x3; tls open x3; h2 RST_STREAM\(0x457\) "
                                        r"before_headers x3 +pass$")

    def test_run_target_over_h2c_against_serve(self):
        with ReportDir() as directory:
            with Serve() as server:
                result, report = run_report(directory, "--target", server.base_url, "--http2-prior-knowledge",
                                            "--repeat", "2")
        self.assert_reference_holds(result, report, 2)

    def test_iis_profile_judges_the_http2_scenarios_by_aspnet_cores_tests(self):
        with ReportDir() as directory:
            result, report = run_report(directory, "--http2-prior-knowledge", "--profile", "iis", "--repeat", "2")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        rows = {v["scenario"]: v for v in report["verdicts"]}
        for name in H2_SCENARIOS[7:]:
            self.assertEqual(rows[name]["verdict"], "pass", name)
            self.assertIn("unverified here", rows[name]["note"])
        for name in H2_SCENARIOS[:7]:
            self.assertEqual(rows[name]["verdict"], "unverified", name)

    def test_a_wrong_stream_ending_fails_the_run(self):
        with ReportDir() as directory:
            profile = os.path.join(directory, "wrong.json")
            with open(profile, "w", encoding="utf-8") as profile_file:
                json.dump({"profile": "wrong", "scenarios": {"reset-stream-8": {
                    "expect": None,
                    "http2": {"expect": ["stream_reset"], "http2_ending": ["RST_STREAM(CANCEL) after_headers"]}}}},
                          profile_file)
            result, report = run_report(directory, "--http2-prior-knowledge", "--profile", profile,
                                        "--repeat", "1")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        rows = {v["scenario"]: v["verdict"] for v in report["verdicts"]}
        self.assertEqual(rows["reset-stream-8"], "fail")


if __name__ == "__main__":
    unittest.main()
