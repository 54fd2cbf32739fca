"""`--capture FILE.pcap`: the probe captures its own connections and checks
each entry's ending against the packets. Every behaviour of the three wire
fixtures (HTTP/1.1, h2c, TLS) is probed with --capture and every entry whose
ending the packets can check must agree; idle and reuse too. The file opens in
tcpdump; Ctrl-C keeps what was captured; without CAP_NET_RAW the run goes on
after one line. (A planted disagreement is detected in
tests/capture/capture_check_test.cpp, on packets that test records: the
shipped binary has no way to make the probe lie.)"""

import concurrent.futures
import os
import re
import shutil
import subprocess
import unittest

from harness import (TERMPROBE, H2WireFixture, ReportDir, TlsWireFixture, WireFixture, interrupt_after, read_report,
                     run_termprobe)

UPLOAD = ["--method", "POST", "--body-bytes", "65536", "--upload-rate", "524288"]
UPLOADING = ("upload", "413", "501", "continue", "slow_reader")

WIRE = ["rst_before_response", "rst_after_headers", "rst_mid_body", "fin_after_response",
        "fin_after_response_announced", "close_delimited_body", "keepalive", "rst_after_response",
        "fin_before_response", "fin_mid_body_length", "fin_mid_body_chunked", "rst_during_upload",
        "early_413_then_rst", "no_response", "stall_mid_body", "not_found", "idle_fin_300ms", "idle_rst_300ms",
        "rst_at_accept", "fin_at_accept", "fin_then_rst_after_response", "early_413_fin_then_rst",
        "slow_reader_413", "h2c_settings", "garbage_then_fin", "http09_body_then_fin", "bad_chunk_size_then_fin",
        "huge_header_line", "continue_then_rst", "announced_close_late_fin", "early_501",
        "early_413_then_linger", "early_413_then_quiet_fin", "close_on_reused_request",
        "early_hints_then_response"]
H2 = ["complete_keepalive", "rst_before_headers_no_error", "rst_before_headers_internal_error",
      "rst_before_headers_refused_stream", "rst_before_headers_cancel", "rst_before_headers_custom",
      "rst_after_headers", "rst_mid_data", "data_then_rst_no_error", "complete_then_rst_no_error",
      "short_end_stream_then_rst_no_error", "goaway_graceful_then_final", "goaway_below_ours",
      "goaway_error_then_fin", "idle_goaway_then_fin_300ms", "fin_under_open_stream", "rst_under_open_stream",
      "settings_then_silence", "http1_answer", "complete_hold_then_close", "window_update_overflow",
      "data_beyond_content_length", "push_promise_despite_disabled", "rst_stream_zero", "frame_over_max_size",
      "data_on_unopened_stream", "goaway_repeated"]
TLS = ["close_notify_then_fin", "close_notify_then_rst", "close_notify_open", "fin_without_close_notify", "rst",
       "alert_then_fin", "close_delimited_fin", "close_delimited_close_notify", "rst_on_client_hello",
       "fin_on_client_hello", "hang_in_handshake", "alert_handshake_failure", "alert_protocol_version",
       "alert_unrecognized_name", "certificate_self_signed", "certificate_expired", "certificate_wrong_name",
       "certificate_unknown_ca", "complete_hold_then_close", "record_too_long_then_silence",
       "record_too_long_then_fin", "tls1_0_only"]

# Short bounds: every behaviour ends (or is cut) well within them; the probe's
# own timeout is an ending the capture checks like any other.
BOUNDS = ["--timeout", "0.5", "--connect-timeout", "0.5", "--watch", "0.2", "-n", "2"]
# Labels the fixtures must produce between them, so the test covers each.
LABELS = {"keepalive", "close_after_response", "reset_after_response", "reset_before_response",
          "reset_mid_response", "empty_reply", "truncated_response", "upload_aborted", "timeout_before_response",
          "timeout_mid_response", "bad_response", "stream_reset", "refused_by_goaway", "tls_failed"}


def capture_probe(directory, name, url, *flags):
    """termprobe probe URL --capture NAME.pcap --json NAME.json: (process, report, pcap path)."""
    pcap = os.path.join(directory, name + ".pcap")
    report = os.path.join(directory, name + ".json")
    result = run_termprobe("probe", url, *BOUNDS, *flags, "--capture", pcap, "--capture-strict", "--json", report,
                           timeout=60)
    return result, read_report(report) if os.path.exists(report) else None, pcap


def probe_fixture(kind, behaviour, directory):
    name = f"{kind}-{behaviour}"
    if kind == "wire":
        extra = UPLOAD if any(word in behaviour for word in UPLOADING) else []
        with WireFixture(behaviour) as server:
            return name, capture_probe(directory, name, server.url(), *extra)
    if kind == "h2":
        with H2WireFixture(behaviour) as server:
            return name, capture_probe(directory, name, server.url(), "--http2-prior-knowledge")
    with TlsWireFixture(behaviour) as server:
        return name, capture_probe(directory, name, server.url(), "--cacert", server.ca)


class CaptureChecksEveryLabel(unittest.TestCase):
    def assert_agrees(self, name, result, report):
        self.assertIsNotNone(report, f"{name}: {result.stderr}")
        # 1 would be --capture-strict's disagreement; 3 a fixture no probe got an answer from.
        self.assertIn(result.returncode, (0, 3), f"{name}: {result.stderr}")
        summary = report["summary"]["capture"]
        self.assertEqual(summary["interface"], "lo")
        self.assertEqual(summary["disagreements"], 0, name)
        # A loaded machine (CI: tests two at a time beside a compiler) can leave the capture thread
        # behind the kernel's ring: once, 113 packets of one case. What was dropped must be said.
        if summary["dropped"]:
            self.assertIn(f"({summary['dropped']} dropped by the kernel)", result.stdout + result.stderr, name)
        compared = 0
        for entry in report["results"]:
            capture = entry["capture"]
            self.assertTrue(capture["found"], f"{name}: {capture}")
            if capture["compared"]:
                compared += 1
                self.assertIs(capture["agrees"], True, f"{name} ({entry['outcome']['label']}): {capture['why']}")
            else:
                # Only an entry that claims no TCP ending goes unchecked.
                self.assertEqual(entry["outcome"]["ending"], "error", f"{name}: {capture}")
                self.assertIsNone(capture["agrees"])
        self.assertEqual(summary["compared"], compared, name)
        self.assertRegex(result.stdout + result.stderr,
                         rf"capture: {summary['packets']} packets in \S+( \(\d+ dropped by the kernel\))?; "
                         rf"{compared} connections checked, 0 disagree")

    def test_every_fixture_behaviour_agrees_with_its_capture(self):
        jobs = [("wire", b) for b in WIRE] + [("h2", b) for b in H2] + [("tls", b) for b in TLS]
        labels = set()
        with ReportDir() as directory, concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            for name, (result, report, _) in pool.map(lambda job: probe_fixture(*job, directory), jobs):
                with self.subTest(name):
                    self.assert_agrees(name, result, report)
                    labels |= {entry["outcome"]["label"] for entry in report["results"]}
        self.assertLessEqual(LABELS, labels)

    def test_the_capture_opens_in_tcpdump_with_every_packet(self):
        with ReportDir() as directory, WireFixture("rst_after_response") as server:
            result, report, pcap = capture_probe(directory, "rst", server.url())
            self.assertEqual(result.returncode, 0, result.stderr)
            dump = subprocess.run(["tcpdump", "-nn", "-r", pcap], capture_output=True, text=True, check=True)
            lines = dump.stdout.splitlines()
            self.assertEqual(len(lines), report["summary"]["capture"]["packets"])
            self.assertEqual(sum(f".{server.port} > " in line and "Flags [R" in line for line in lines), 2, dump.stdout)
            for entry in report["results"]:
                self.assertEqual(entry["capture"]["packet_ending"], "rst")
                self.assertTrue(entry["capture"]["bytes_compared"])
                self.assertEqual(entry["capture"]["server_bytes_before_end"], entry["response"]["wire_bytes"])

    def test_idle_and_reuse_check_their_connections(self):
        with ReportDir() as directory:
            for command, behaviour, flags in (("idle", "idle_rst_300ms", ["--max", "1"]),
                                              ("reuse", "close_on_reused_request", ["--idle", "0"])):
                with self.subTest(command), WireFixture(behaviour) as server:
                    pcap, path = os.path.join(directory, command + ".pcap"), os.path.join(directory, command + ".json")
                    result = run_termprobe(command, server.url(), *flags, "--capture", pcap, "--capture-strict",
                                           "--json", path, timeout=60)
                    self.assert_agrees(command, result, read_report(path))

    def test_ctrl_c_keeps_what_was_captured(self):
        with ReportDir() as directory, WireFixture("no_response") as server:
            pcap, path = os.path.join(directory, "int.pcap"), os.path.join(directory, "int.json")
            code, _, err = interrupt_after(1.0, "probe", server.url(), "--timeout", "30", "--capture", pcap,
                                           "--json", path)
            self.assertEqual(code, 130, err)
            report = read_report(path)
            self.assertGreaterEqual(report["summary"]["capture"]["packets"], 3)  # the handshake, at least
            self.assertEqual(report["results"][0]["outcome"]["label"], "interrupted")
            self.assertTrue(report["results"][0]["capture"]["found"])
            dump = subprocess.run(["tcpdump", "-nn", "-r", pcap], capture_output=True, text=True, check=True)
            self.assertIn("Flags [S]", dump.stdout)

    def test_without_the_privilege_one_line_and_the_run_goes_on(self):
        with ReportDir() as directory, WireFixture("fin_after_response") as server:
            pcap, path = os.path.join(directory, "nocap.pcap"), os.path.join(directory, "nocap.json")
            result = subprocess.run(["setpriv", "--bounding-set=-all", "--inh-caps=-all", TERMPROBE, "probe",
                                     server.url(), "--capture", pcap, "--json", path],
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stderr, "termprobe: capture: no permission to capture on lo (needs CAP_NET_RAW); "
                                            "running without it\n")
            self.assertFalse(os.path.exists(pcap))
            report = read_report(path)
            self.assertNotIn("capture", report["summary"])
            self.assertEqual(report["results"][0]["outcome"]["label"], "close_after_response")
            self.assertNotIn("capture", report["results"][0])

    def test_a_capture_that_cannot_be_read_back_is_refused_before_probing(self):
        result = run_termprobe("probe", "http://127.0.0.1:9/", "--capture", "-")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn("--capture: give a regular file", result.stderr)


if __name__ == "__main__":
    unittest.main()
