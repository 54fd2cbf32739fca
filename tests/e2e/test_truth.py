"""Truth on HTTP/1.1 through the binary: for each ending a packet capture
shows, the report's JSON says it, with the facts behind the label (schema-
valid every time). Debian's haproxy stands in for a real server that resets
right after the handshake."""

import json
import os
import subprocess
import time
import unittest

from harness import Haproxy, ReportDir, WireFixture, run_termprobe, validate_report

def probe_report(url, *flags, count=20):
    with ReportDir() as d:
        path = os.path.join(d, "r.json")
        result = run_termprobe("probe", url, "--count", str(count), "-q", "--json", path, *flags)
        with open(path, encoding="utf-8") as report_file:
            return result, validate_report(json.load(report_file))


def labels_of(report):
    return {r["outcome"]["label"] for r in report["results"]}


REJECT_AT_ACCEPT = """defaults
  mode tcp
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend reject
  bind 127.0.0.1:{port}
  tcp-request connection reject
  default_backend unused
backend unused
  server unused 127.0.0.1:9
"""


class ResetRightAfterTheHandshake(unittest.TestCase):
    def test_haproxy_connection_reject_is_a_reset_before_response_with_a_local_port(self):
        with Haproxy(REJECT_AT_ACCEPT) as haproxy:
            result, report = probe_report(f"http://127.0.0.1:{haproxy.port}/", "-c", "10", count=50)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(labels_of(report), {"reset_before_response"})
        for entry in report["results"]:
            self.assertEqual(entry["local"]["address"], "127.0.0.1")
            self.assertIsInstance(entry["local"]["port"], int)
            self.assertEqual(entry["ending"]["kind"], "rst")
            self.assertEqual(entry["outcome"]["phase"], "before_response")

    def test_a_fin_at_accept_is_an_empty_reply(self):
        with WireFixture("fin_at_accept") as server:
            _, report = probe_report(server.url())
        self.assertEqual(labels_of(report), {"empty_reply"})


class Endings(unittest.TestCase):
    def test_an_rst_behind_a_fin_is_in_the_report_and_the_line(self):
        with WireFixture("fin_then_rst_after_response") as server:
            _, report = probe_report(server.url())
            line = run_termprobe("probe", server.url()).stdout
        self.assertEqual(labels_of(report), {"close_after_response"})
        for entry in report["results"]:
            # When the probe notices the FIN depends on the machine's load; the RST came after it.
            self.assertGreaterEqual(entry["ending"]["rst_after_fin_us"], 0)
        self.assertRegex(line, r"fin [\d.]+ ms after response, then rst [\d.]+ ms after the fin")

    def test_what_is_not_http_is_a_bad_response_with_its_first_bytes(self):
        with WireFixture("h2c_settings") as server:
            _, report = probe_report(server.url(), "--watch", "0.05")
        self.assertEqual(labels_of(report), {"bad_response"})
        entry = report["results"][0]
        self.assertEqual(entry["response"]["first_bytes_hex"], "000006040000000000000300000064")
        self.assertEqual(entry["response"]["parse_error"], "not an HTTP/1.x status line")

    def test_a_continue_then_a_reset_is_no_final_response(self):
        with WireFixture("continue_then_rst") as server:
            _, report = probe_report(server.url())
        self.assertEqual(labels_of(report), {"reset_before_response"})
        self.assertIsNone(report["results"][0]["response"]["status"])
        self.assertEqual(report["results"][0]["response"]["interim_responses"], 1)

    def test_an_announced_close_is_awaited_even_with_no_watch(self):
        with WireFixture("announced_close_late_fin") as server:
            _, report = probe_report(server.url(), "--watch", "0", count=5)
        self.assertEqual(labels_of(report), {"close_after_response"})
        for entry in report["results"]:
            self.assertGreaterEqual(entry["ending"]["after_response_us"], 150_000)


class Uploads(unittest.TestCase):
    def test_upload_progress_is_what_the_server_acknowledged(self):
        with WireFixture("slow_reader_413") as server:
            _, report = probe_report(server.url(), "-X", "POST", "--body-bytes", "10000000", count=5)
        self.assertEqual(labels_of(report), {"upload_aborted"})
        for entry in report["results"]:
            request = entry["request"]
            self.assertLess(request["body_bytes_acked"], request["body_bytes_sent"])
            self.assertEqual(entry["response"]["status"], 413)

    def test_a_response_during_a_rate_limited_upload_is_read_when_it_arrives(self):
        with WireFixture("early_501") as server:
            _, report = probe_report(server.url(), "-X", "POST", "--body-bytes", "100000",
                                     "--upload-rate", "10000", "--watch", "0.1", count=5)
        self.assertEqual(labels_of(report), {"early_response"})
        for entry in report["results"]:
            self.assertEqual(entry["response"]["status"], 501)
            self.assertLess(entry["timings_us"]["first_byte"], 500_000)


class Interrupts(unittest.TestCase):
    def interrupt_after(self, seconds, *args):
        process = subprocess.Popen([os.environ["TERMPROBE"], *args], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(seconds)
        process.send_signal(2)  # SIGINT
        out, err = process.communicate(timeout=10)
        return process.returncode, out, err

    def test_connections_open_at_an_interrupt_are_recorded(self):
        with WireFixture("no_response") as server, ReportDir() as d:
            path = os.path.join(d, "r.json")
            code, _, _ = self.interrupt_after(1.0, "probe", server.url(), "--count", "20", "-c", "2",
                                              "--timeout", "30", "--json", path)
            with open(path, encoding="utf-8") as report_file:
                report = validate_report(json.load(report_file))
        self.assertEqual(code, 130)
        self.assertEqual(report["summary"]["total"], 2)
        self.assertEqual(labels_of(report), {"interrupted"})

    def test_an_interrupted_idle_says_how_long_it_really_idled(self):
        with WireFixture("keepalive") as server:
            _, out, _ = self.interrupt_after(1.0, "idle", server.url(), "--max", "60")
        self.assertRegex(out, r"still open after [12]\.\d s idle, when interrupted \(--max was 60\.0 s\)")


class Reuse(unittest.TestCase):
    def test_the_second_request_counts_only_its_own_bytes(self):
        with WireFixture("idle_fin_300ms") as server, ReportDir() as d:
            path = os.path.join(d, "r.json")
            result = run_termprobe("reuse", server.url(), "--idle", "400", "--json", path)
            with open(path, encoding="utf-8") as report_file:
                report = validate_report(json.load(report_file))
        entry = report["results"][0]
        self.assertEqual(entry["reuse"]["outcome"], "empty_reply", result.stdout)
        self.assertEqual(entry["response"]["bytes"], 0)
        self.assertEqual(entry["response"]["wire_bytes"], 0)


if __name__ == "__main__":
    unittest.main()
