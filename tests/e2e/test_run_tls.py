"""`termprobe run --tls` and `--tls-both` on the embedded module host, and
`run --target` against `termprobe serve --tls` with the certificate it wrote:
the reference profile with the TLS endings the host was measured to make,
the iis profile's unverified ones, a wrong TLS ending failing the run.
test_run.py's part over TLS, apart for size."""

import json
import os
import unittest

from harness import SCENARIOS, ReportDir, Serve, run_report, run_termprobe

# What the host was measured to do over TLS (the reference profile's "tls" parts).
TLS_ENDINGS = {"ok": "open", "need-disconnect": "close_notify_then_fin", "reset": "rst", "reset-continue": "rst",
               "reset-after-flush": "rst", "cancel-io-read": "rst", "cancel-io-send": "open"}


class RunTls(unittest.TestCase):
    def test_reference_profile_holds_over_tls_with_its_tls_endings(self):
        with ReportDir() as directory, ReportDir() as temporary:
            env = dict(os.environ, TMPDIR=temporary)
            result, report = run_report(directory, "--tls", "--repeat", "20", "--concurrency", "4", env=env)
            self.assertEqual(os.listdir(temporary), [], "the run's certificate file is removed")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("embedded module host (Linux) on https://127.0.0.1:", result.stdout)
        self.assertEqual([t["target"] for t in report["targets"]], ["embedded-tls"])
        self.assertEqual([v["scenario"] for v in report["verdicts"]], SCENARIOS)
        for verdict in report["verdicts"]:
            scenario = verdict["scenario"]
            self.assertEqual(verdict["verdict"], "pass", scenario)
            self.assertEqual(verdict["tls_ending"], {"expected": [TLS_ENDINGS[scenario]],
                                                     "observed": {TLS_ENDINGS[scenario]: 20}}, scenario)
        for entry in report["results"]:
            self.assertTrue(entry["tls"]["certificate"]["verified"], entry["tls"])
            self.assertEqual(entry["tls"]["alpn"], "http/1.1")
        self.assertRegex(result.stdout, r"(?m)^need-disconnect +close_after_response/200, tls close_notify_then_fin +"
                                        r"close_after_response/200 x20; tls close_notify_then_fin x20 +pass$")

    def test_tls_both_runs_plain_and_tls_in_one_report(self):
        with ReportDir() as directory:
            result, report = run_report(directory, "--tls-both", "--repeat", "3")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual([t["target"] for t in report["targets"]], ["embedded", "embedded-tls"])
        self.assertEqual(report["summary"]["total"], 42)
        plain = [v for v in report["verdicts"] if v["target"] == "embedded"]
        tls = [v for v in report["verdicts"] if v["target"] == "embedded-tls"]
        self.assertEqual([v["verdict"] for v in plain + tls], ["pass"] * 14)
        self.assertTrue(all(v["tls_ending"] is None for v in plain))
        self.assertTrue(all(v["tls_ending"]["expected"] for v in tls))
        self.assertTrue(all(e["tls"] is None for e in report["results"] if e["target"] == "embedded"))

    def test_iis_profile_leaves_every_tls_expectation_unverified(self):
        with ReportDir() as directory:
            result, report = run_report(directory, "--tls", "--profile", "iis", "--repeat", "2")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        for verdict in report["verdicts"]:
            self.assertEqual(verdict["verdict"], "unverified", verdict["scenario"])
            self.assertTrue(verdict["note"].startswith("unverified: "), verdict["note"])
            self.assertIsNone(verdict["tls_ending"]["expected"])

    def test_a_wrong_tls_ending_fails_the_run(self):
        with ReportDir() as directory:
            profile = os.path.join(directory, "wrong.json")
            with open(profile, "w", encoding="utf-8") as profile_file:
                json.dump({"profile": "wrong", "scenarios": {"need-disconnect": {
                    "expect": ["close_after_response"],
                    "tls": {"expect": ["close_after_response"], "tls_ending": ["fin_without_close_notify"]}}}},
                          profile_file)
            result, report = run_report(directory, "--tls", "--profile", profile, "--repeat", "2")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        rows = {v["scenario"]: v["verdict"] for v in report["verdicts"]}
        self.assertEqual(rows["need-disconnect"], "fail")

    def test_run_against_serve_tls_with_its_written_certificate(self):
        with ReportDir() as directory:
            cert = os.path.join(directory, "host.pem")
            with Serve("--tls", "--write-cert", cert) as server:
                result, report = run_report(directory, "--target", server.base_url, "--cacert", cert,
                                            "--repeat", "5")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual([v["verdict"] for v in report["verdicts"]], ["pass"] * 7)
        self.assertTrue(all(v["tls_ending"]["observed"] == {TLS_ENDINGS[v["scenario"]]: 5}
                            for v in report["verdicts"]))

    def test_tls_is_for_the_embedded_host(self):
        for flag in ["--tls", "--tls-both"]:
            with self.subTest(flag=flag):
                result = run_termprobe("run", flag, "--target", "https://127.0.0.1:1/")
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stderr,
                                 f"termprobe: error: {flag} runs the embedded host: give https:// URLs to "
                                 "--target instead\n")


if __name__ == "__main__":
    unittest.main()
