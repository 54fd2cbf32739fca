"""`termprobe probe`, the real binary against real servers on loopback: each
scripted ending fifty times over, with the facts behind its label that a
packet capture shows (Debian's haproxy stands in for a real server that resets
right after the handshake); request bodies as curl builds them, checked at the
nginx that received them; output channels, where the report goes (a device,
a FIFO, a link, /dev/fd), termprobe's own failures (exit 4), the progress
line, the report's facts, interrupts; the first mistakes and bad input, word
for word."""

import datetime
import json
import os
import re
import resource
import signal
import subprocess
import time
import unittest

from harness import (FULL_DEVICE, NULL_DEVICE, SANITIZED, TERMPROBE, TTY_DEVICE, CommandTestCase, FifoReader,
                     H2WireFixture, Haproxy, Nginx, ReportDir, Serve, TlsWireFixture, WireFixture, device_node,
                     file_type,
                     fresh_report, interrupt_after, json_in, read_report, report_of, run_in_terminal, run_into_pipe,
                     run_termprobe, stdout_link, unused_port, validate_report)

REPEATS = "50"

# behaviour -> (expected label, extra probe arguments)
UPLOAD = ["--method", "POST", "--body-bytes", "1048576", "--upload-rate", "1048576"]
EXPECTED = {
    "rst_before_response": ("reset_before_response", []),
    "rst_after_headers": ("reset_mid_response", []),
    "rst_mid_body": ("reset_mid_response", []),
    "fin_after_response": ("close_after_response", []),
    "fin_after_response_announced": ("close_after_response", []),
    "close_delimited_body": ("close_after_response", []),
    "keepalive": ("keepalive", ["--watch", "0.1"]),
    "rst_after_response": ("reset_after_response", []),
    "fin_before_response": ("empty_reply", []),
    "fin_mid_body_length": ("truncated_response", []),
    "fin_mid_body_chunked": ("truncated_response", []),
    "rst_during_upload": ("upload_aborted", UPLOAD),
    "early_413_then_rst": ("upload_aborted", UPLOAD),
    "no_response": ("timeout_before_response", ["--timeout", "0.1"]),
    "stall_mid_body": ("timeout_mid_response", ["--timeout", "0.1"]),
}
URL = "http://127.0.0.1:1/"


def probe_report(url, extra, directory, name="report.json"):
    """Fifty connections, each watched 0.2 s after the response unless extra says otherwise."""
    watch = [] if "--watch" in extra else ["--watch", "0.2"]
    return report_of(directory, "probe", url, "--count", REPEATS, *watch, *extra, name=name)


def quiet_probe_report(url, *flags, count=20):
    return fresh_report("probe", url, "--count", str(count), "-q", *flags)


def labels_of(report):
    return {r["outcome"]["label"] for r in report["results"]}


def body_nginx(log_dir, http2=False):
    """nginx that logs method|content type|body of each request it proxies to a second server of its own
    (proxy_pass makes nginx read the body, which $request_body then holds)."""
    sink = unused_port()
    server = (f"listen 127.0.0.1:{{port}}{' http2' if http2 else ''};\n"
              f"access_log {log_dir}/body.log body;\n"
              f"location / {{{{ proxy_pass http://127.0.0.1:{sink}/; }}}}\n"
              "}}\nserver {{\n"
              f"listen 127.0.0.1:{sink};\n"
              "location / {{ return 200 \"ok\\n\"; }}")
    return Nginx(server, http_block="log_format body '$request_method|$content_type|$request_body';")


def logged(log_dir):
    # nginx writes the access log line when the request ends; the probe may return first.
    path = os.path.join(log_dir, "body.log")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, encoding="ascii") as log:
                return log.read().splitlines()
        time.sleep(0.05)
    return []


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


class EveryBehaviourFiftyTimes(unittest.TestCase):
    def test_each_fixture_gets_its_label_every_time(self):
        for behaviour, (label, extra) in EXPECTED.items():
            with self.subTest(behaviour=behaviour), WireFixture(behaviour) as server, ReportDir() as directory:
                result, report = probe_report(server.url(), extra, directory)
                self.assertEqual(result.returncode, 0, result.stderr)
                summary = {k: v for k, v in report["summary"].items() if k != "by_label"}
                self.assertEqual(summary, {"total": 50, "requested": 50, "labels": {label: 50}})
                self.assertEqual(report["summary"]["by_label"][label]["count"], 50)
                # Each its own connection: none reused, each with its local port. (Not
                # 50 distinct ports: the kernel may give a closed connection's port again.)
                self.assertFalse(any(entry["reused"] for entry in report["results"]))
                self.assertTrue(all(entry["local"]["port"] for entry in report["results"]))
                lines = [line for line in result.stdout.splitlines() if line.startswith("#")]
                self.assertEqual(len(lines), 50)
                self.assertTrue(all(line.split()[1] == label for line in lines), lines[0])

    def test_announced_close_and_early_response_facts(self):
        with WireFixture("fin_after_response_announced") as server, ReportDir() as directory:
            _, report = probe_report(server.url(), [], directory)
            self.assertTrue(all(e["outcome"]["announced"] for e in report["results"]))
        with WireFixture("early_413_then_rst") as server, ReportDir() as directory:
            _, report = probe_report(server.url(), UPLOAD, directory)
            for entry in report["results"]:
                self.assertEqual(entry["response"]["status"], 413)
                self.assertTrue(entry["outcome"]["response_before_abort"])
                self.assertFalse(entry["request"]["complete"])
                self.assertEqual(entry["ending"]["kind"], "rst")

    def test_connection_refused_exits_unreachable_with_a_report(self):
        with ReportDir() as directory:
            result, report = probe_report(f"http://127.0.0.1:{unused_port()}/", [], directory)
            self.assertEqual(result.returncode, 3)
            self.assertEqual(report["summary"]["labels"], {"connect_failed": 50})
            self.assertEqual(report["results"][0]["ending"]["kind"], "refused")
            self.assertRegex(result.stderr, r"^termprobe: cannot reach http://127\.0\.0\.1:\d+/: .+\n$")


class ResetRightAfterTheHandshake(unittest.TestCase):
    def test_haproxy_connection_reject_is_a_reset_before_response_with_a_local_port(self):
        with Haproxy(REJECT_AT_ACCEPT) as haproxy:
            result, report = quiet_probe_report(f"http://127.0.0.1:{haproxy.port}/", "-c", "10", count=50)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(labels_of(report), {"reset_before_response"})
        for entry in report["results"]:
            self.assertEqual(entry["local"]["address"], "127.0.0.1")
            self.assertIsInstance(entry["local"]["port"], int)
            self.assertEqual(entry["ending"]["kind"], "rst")
            self.assertEqual(entry["outcome"]["phase"], "before_response")

    def test_a_fin_at_accept_is_an_empty_reply(self):
        with WireFixture("fin_at_accept") as server:
            _, report = quiet_probe_report(server.url())
        self.assertEqual(labels_of(report), {"empty_reply"})


class Endings(unittest.TestCase):
    def test_an_rst_behind_a_fin_is_in_the_report_and_the_line(self):
        with WireFixture("fin_then_rst_after_response") as server:
            _, report = quiet_probe_report(server.url())
            line = run_termprobe("probe", server.url()).stdout
        self.assertEqual(labels_of(report), {"close_after_response"})
        for entry in report["results"]:
            # When the probe notices the FIN depends on the machine's load; the RST came after it.
            self.assertGreaterEqual(entry["ending"]["rst_after_fin_us"], 0)
        self.assertRegex(line, r"fin [\d.]+ ms after response, then rst [\d.]+ ms after the fin")

    def test_what_is_not_http_is_a_bad_response_with_its_first_bytes(self):
        with WireFixture("h2c_settings") as server:
            _, report = quiet_probe_report(server.url(), "--watch", "0.05")
        self.assertEqual(labels_of(report), {"bad_response"})
        entry = report["results"][0]
        self.assertEqual(entry["response"]["first_bytes_hex"], "000006040000000000000300000064")
        self.assertEqual(entry["response"]["parse_error"], "not an HTTP/1.x status line")

    def test_a_continue_then_a_reset_is_no_final_response(self):
        with WireFixture("continue_then_rst") as server:
            _, report = quiet_probe_report(server.url())
        self.assertEqual(labels_of(report), {"reset_before_response"})
        self.assertIsNone(report["results"][0]["response"]["status"])
        self.assertEqual(report["results"][0]["response"]["interim_responses"], 1)
        timings = report["results"][0]["timings_us"]
        self.assertIsNone(timings["first_byte"])
        self.assertLessEqual(timings["first_interim_byte"], timings["ended"])

    def test_an_announced_close_is_awaited_even_with_no_watch(self):
        with WireFixture("announced_close_late_fin") as server:
            _, report = quiet_probe_report(server.url(), "--watch", "0", count=5)
        self.assertEqual(labels_of(report), {"close_after_response"})
        for entry in report["results"]:
            self.assertGreaterEqual(entry["ending"]["after_response_us"], 150_000)


class Http2Streams(unittest.TestCase):
    def test_a_short_end_stream_is_truncated_with_the_reset_behind_it_as_a_fact(self):
        with H2WireFixture("short_end_stream_then_rst_no_error") as server:
            result, report = fresh_report("probe", server.url("/"), "--http2-prior-knowledge", "--count", "5",
                                          "--watch", "0.1")
        self.assertEqual(result.returncode, 0, result.stderr)
        validate_report(report)
        for entry in report["results"]:
            self.assertEqual(entry["outcome"]["label"], "truncated_response")
            self.assertEqual(entry["outcome"]["phase"], "mid_response")
            self.assertEqual((entry["response"]["body_bytes"], entry["response"]["declared_length"]), (7, 100))
            self.assertFalse(entry["response"]["complete"])
            self.assertTrue(entry["http2"]["end_stream"])
            self.assertEqual((entry["http2"]["reset"]["name"], entry["http2"]["reset"]["when"]),
                             ("NO_ERROR", "after_end_stream"))
            self.assertIsNone(entry["http2"]["local_error"])
        self.assertRegex(result.stdout, r"(?m)^#1 +truncated_response +HTTP 200  body 7/100 B")

    def test_requested_counts_streams_only_where_a_connection_could_carry_them(self):
        with H2WireFixture("complete_keepalive") as server:
            result, report = fresh_report("probe", server.url("/"), "--http2-prior-knowledge", "--streams", "5",
                                          "--count", "2", "--watch", "0.1")
        self.assertEqual(report["summary"]["requested"], 10)
        self.assertIn("10 of 10 request(s) on 2 connection(s)", result.stdout)
        closed = f"http://127.0.0.1:{unused_port()}/"
        result, report = fresh_report("probe", closed, "--http2-prior-knowledge", "--streams", "5", "--count", "2")
        self.assertEqual(report["summary"]["requested"], 2)
        self.assertIn("2 of 2 connection(s)", result.stdout)

    def test_http2_by_alpn_on_an_http_url_is_refused_with_the_way_to_h2c(self):
        for command in (["probe", "http://127.0.0.1:1/", "--http2"],
                        ["idle", "http://127.0.0.1:1/", "--http2"],
                        ["reuse", "http://127.0.0.1:1/", "--idle", "10", "--http2"]):
            with self.subTest(command=command[0]):
                result = run_termprobe(*command)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stdout, "")
                self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
                self.assertIn("needs an https:// URL", result.stderr)
                self.assertIn("--http2-prior-knowledge", result.stderr)


class Uploads(unittest.TestCase):
    def test_upload_progress_is_what_the_server_acknowledged(self):
        with WireFixture("slow_reader_413") as server:
            _, report = quiet_probe_report(server.url(), "-X", "POST", "--body-bytes", "10000000", count=5)
        self.assertEqual(labels_of(report), {"upload_aborted"})
        for entry in report["results"]:
            request = entry["request"]
            self.assertLess(request["body_bytes_acked"], request["body_bytes_sent"])
            self.assertEqual(entry["response"]["status"], 413)

    def test_a_response_during_a_rate_limited_upload_is_read_when_it_arrives(self):
        with WireFixture("early_501") as server:
            _, report = quiet_probe_report(server.url(), "-X", "POST", "--body-bytes", "100000",
                                     "--upload-rate", "10000", "--watch", "0.1", count=5)
        self.assertEqual(labels_of(report), {"early_response"})
        for entry in report["results"]:
            self.assertEqual(entry["response"]["status"], 501)
            self.assertLess(entry["timings_us"]["first_byte"], 500_000)


class Bodies(unittest.TestCase):
    def probe_body(self, *args, http2=False):
        with ReportDir() as d, body_nginx(d, http2) as nginx:
            with open(os.path.join(d, "body.txt"), "wb") as out:
                out.write(b"a=1\r\nb=2\n")
            os.chdir(d)
            try:
                extra = ["--http2-prior-knowledge"] if http2 else []
                result = run_termprobe("probe", nginx.url("/x"), "--watch", "0", "--json", "r.json", *extra,
                                       *args, timeout=30)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                with open("r.json", encoding="utf-8") as f:
                    report = validate_report(json.load(f))
                return logged(d), report
            finally:
                os.chdir("/")

    def test_data_joins_with_ampersand_and_makes_a_form_post(self):
        lines, report = self.probe_body("-d", "x=1", "-d", "@body.txt", "--data-binary", "@body.txt")
        self.assertEqual(lines, [r"POST|application/x-www-form-urlencoded|x=1&a=1b=2&a=1\x0D\x0Ab=2\x0A"])
        self.assertEqual(report["results"][0]["request"]["method"], "POST")
        self.assertEqual(report["results"][0]["request"]["body_bytes"], len("x=1&a=1b=2&a=1\r\nb=2\n"))

    def test_an_explicit_method_wins_over_the_bodys_post(self):
        lines, _ = self.probe_body("-X", "PUT", "--data-binary", "raw")
        self.assertEqual(lines, ["PUT|application/x-www-form-urlencoded|raw"])

    def test_body_bytes_is_a_post_of_x_as_octet_stream(self):
        lines, _ = self.probe_body("--body-bytes", "1k")
        self.assertEqual(lines, ["POST|application/octet-stream|" + "x" * 1024])

    def test_data_at_a_rate_arrives_whole(self):
        started = time.monotonic()
        lines, _ = self.probe_body("-d", "y" * 2000, "--upload-rate", "4k")
        self.assertGreater(time.monotonic() - started, 0.3)  # 2000 B at 4096 B/s: paced, not sent at once
        self.assertEqual(lines, ["POST|application/x-www-form-urlencoded|" + "y" * 2000])

    def test_data_over_http2(self):
        lines, report = self.probe_body("-d", "h2=yes", http2=True)
        self.assertEqual(lines, ["POST|application/x-www-form-urlencoded|h2=yes"])
        self.assertEqual(report["results"][0]["outcome"]["label"], "keepalive")

    def test_a_missing_data_file_is_named(self):
        result = run_termprobe("probe", URL, "-d", "@/nonexistent/body.txt", timeout=20)
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "termprobe: error: --data @/nonexistent/body.txt: cannot read file "
                                        "'/nonexistent/body.txt': No such file or directory\n")


class OutputChannels(unittest.TestCase):
    def test_json_to_stdout_keeps_lines_on_stderr(self):
        with WireFixture("fin_after_response") as server:
            result = run_termprobe("probe", server.url(), "--count", "2", "--json", "-")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = validate_report(json.loads(result.stdout))
        self.assertEqual(report["summary"]["labels"], {"close_after_response": 2})
        self.assertIn("close_after_response", result.stderr)

    def test_ndjson_streams_one_object_per_connection(self):
        with WireFixture("rst_mid_body") as server:
            result = run_termprobe("probe", server.url(), "--count", "3", "--format", "ndjson")
        self.assertEqual(result.returncode, 0, result.stderr)
        objects = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual([o["outcome"]["label"] for o in objects], ["reset_mid_response"] * 3)
        self.assertIn("reset_mid_response", result.stderr)

    def test_expect_mismatch_exits_one(self):
        with WireFixture("rst_before_response") as server:
            held = run_termprobe("probe", server.url(), "--expect", "reset_before_response,empty_reply")
            broken = run_termprobe("probe", server.url(), "--expect", "keepalive")
        self.assertEqual(held.returncode, 0, held.stderr)
        self.assertEqual(broken.returncode, 1)
        self.assertIn("expected keepalive", broken.stderr)


class OutputPlaces(CommandTestCase):
    """--json at what is not a regular file: each is still what it was afterwards, and got the report
    or a one-line refusal (src/report/output_target.h)."""

    def test_a_character_device_is_written_through_and_stays_a_device(self):
        with WireFixture("fin_after_response") as server, ReportDir() as directory:
            tty = device_node(directory, "tty", TTY_DEVICE)
            code, output = run_in_terminal(["probe", server.url(), "-q", "--json", tty])
            null = device_node(directory, "null", NULL_DEVICE)
            discarded = run_termprobe("probe", server.url(), "--json", null)
            self.assertEqual((file_type(tty), file_type(null)), ("char", "char"))
            self.assertEqual(sorted(os.listdir(directory)), ["null", "tty"], "no temporary file beside them")
        self.assertEqual(code, 0, output)
        report = validate_report(json_in(output))
        self.assertEqual(report["summary"]["labels"], {"close_after_response": 1})
        self.assertEqual(discarded.returncode, 0, discarded.stderr)
        self.assertIn("close_after_response", discarded.stdout)

    def test_a_full_device_is_a_write_error_with_exit_4(self):
        with WireFixture("fin_after_response") as server, ReportDir() as directory:
            full = device_node(directory, "full", FULL_DEVICE)
            result = run_termprobe("probe", server.url(), "--json", full)
            self.assertEqual(file_type(full), "char")
        self.assertEqual(result.returncode, 4, result.stdout + result.stderr)
        self.assertEqual(result.stderr, f"termprobe: error: cannot write report '{full}': No space left on device\n")
        self.assertIn("close_after_response", result.stdout)  # the probe ran; only its report failed

    def test_a_fifo_with_a_reader_gets_the_report(self):
        with WireFixture("rst_after_response") as server, ReportDir() as directory:
            reader = FifoReader(directory)
            result = run_termprobe("probe", server.url(), "--count", "2", "--json", reader.path)
            received = reader.received()
            self.assertEqual(file_type(reader.path), "fifo")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = validate_report(json.loads(received))
        self.assertEqual(report["summary"]["labels"], {"reset_after_response": 2})
        self.assertIn("reset_after_response", result.stdout)

    def test_a_fifo_without_a_reader_is_refused_before_probing(self):
        with WireFixture("keepalive") as server, ReportDir() as directory:
            fifo = os.path.join(directory, "report.fifo")
            os.mkfifo(fifo)
            started = time.monotonic()
            result = run_termprobe("probe", server.url(), "--json", fifo)
            waited = time.monotonic() - started
            self.assertEqual(file_type(fifo), "fifo")
        self.assert_refused(result, f"report '{fifo}' is a FIFO that no process opened for reading within 2 s: "
                                    "start its reader first")
        self.assertGreaterEqual(waited, 2)

    def test_a_symlink_is_followed_and_its_target_replaced(self):
        with WireFixture("fin_after_response") as server, ReportDir() as directory:
            os.mkdir(os.path.join(directory, "shared"))
            target = os.path.join(directory, "shared", "r.json")
            with open(target, "w", encoding="utf-8") as old:
                old.write("old")
            link = os.path.join(directory, "report.json")
            os.symlink("shared/r.json", link)
            result = run_termprobe("probe", server.url(), "--json", link)
            self.assertEqual((file_type(link), os.readlink(link), file_type(target)), ("link", "shared/r.json", "file"))
            report = read_report(target)
            self.assertEqual(sorted(os.listdir(directory)), ["report.json", "shared"])
            self.assertEqual(os.listdir(os.path.join(directory, "shared")), ["r.json"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(report["summary"]["labels"], {"close_after_response": 1})

    def test_a_process_substitution_gets_the_report_through_dev_fd(self):
        with WireFixture("fin_after_response") as server:
            result, received = run_into_pipe("probe", server.url(), "--json", "{fd}")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(validate_report(json.loads(received))["summary"]["labels"], {"close_after_response": 1})
        self.assertIn("close_after_response", result.stdout)  # the lines stay on stdout

    def test_dev_stdout_is_stdout_as_a_dash_is(self):
        with WireFixture("fin_after_response") as server, ReportDir() as directory:
            stdout = stdout_link(directory)
            result = run_termprobe("probe", server.url(), "--json", stdout)
            both = run_termprobe("probe", server.url(), "--json", stdout, "--format", "ndjson")
            self.assertEqual(os.readlink(stdout), "/proc/self/fd/1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(validate_report(json.loads(result.stdout))["summary"]["labels"], {"close_after_response": 1})
        self.assertIn("close_after_response", result.stderr)  # the lines moved to stderr
        self.assert_refused(both, f"--format ndjson and --json {stdout} both want stdout")


class OwnFailures(CommandTestCase):
    """What fails in termprobe itself, not in the input or the target, exits 4 (src/cli/exit_status.h)."""

    @unittest.skipIf(SANITIZED, "the sanitizers' runtime needs descriptors of its own: at 4 or 5 UBSan cannot "
                     "read memory to check a type and reports every virtual call ('object has invalid vptr; "
                     "memory cannot be printed', seen under scripts/test's ASan+UBSan pass)")
    def test_too_few_file_descriptors_is_termprobes_own_failure(self):
        # 4 or 5 descriptors: too few for the report's spill or the event loop (3 stops the loader).
        for limit in (4, 5):
            with self.subTest(limit=limit), ReportDir() as directory:
                path = os.path.join(directory, "r.json")
                result = subprocess.run(
                    [TERMPROBE, "probe", "http://127.0.0.1:1/", "--json", path], capture_output=True, text=True,
                    timeout=60, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit)))
                self.assert_one_line_error(result, 4, "Too many open files")
                self.assertEqual(os.listdir(directory), [])

    @unittest.skipIf(SANITIZED, "the sanitizers' runtime needs descriptors of its own")
    def test_watched_connections_wait_for_the_open_file_limit_and_say_so(self):
        # 100 descriptors: 36 connections open at once (64 are kept for the rest of the process).
        # Every FIN is watched for 1 s outside -c, so the limit, not -c 10, is what holds starts back.
        with WireFixture("fin_after_response") as server, ReportDir() as directory:
            path = os.path.join(directory, "r.json")
            result = subprocess.run(
                [TERMPROBE, "probe", server.url(), "-n", "60", "-c", "10", "--fin-watch", "1", "-q", "--json", path],
                capture_output=True, text=True, timeout=120,
                preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (100, 100)))
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
            self.assertRegex(result.stderr, r"^termprobe: note: 36 connections were open at once, all the open-file "
                                            r"limit \(ulimit -n\) allows; new connections waited")
            report = read_report(path)
        self.assertEqual(report["summary"]["total"], 60)
        self.assertEqual(report["summary"]["labels"], {"close_after_response": 60})


class ReportFacts(unittest.TestCase):
    def test_wall_clock_meanings_and_the_expect_verdict_are_in_the_report(self):
        with Serve() as server:
            before = time.time()
            result = run_termprobe("probe", server.base_url + "/termprobe/reset", "-n", "2", "--expect",
                                   "keepalive", "--json", "-", timeout=30)
            after = time.time()
        self.assertEqual(result.returncode, 1, result.stderr)
        report = validate_report(json.loads(result.stdout))
        stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertRegex(report["started_at"], stamp)
        for entry in report["results"]:
            self.assertRegex(entry["started_at"], stamp)
            started = datetime.datetime.strptime(entry["started_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            self.assertTrue(before - 0.001 <= started <= after, (before, started, after))
        meaning = report["summary"]["by_label"]["reset_before_response"]["meaning"]
        self.assertIn("connection reset by peer", meaning)
        self.assertIn(f"  reset_before_response: {meaning}\n", result.stderr)  # the same table, in the human lines
        self.assertEqual(report["profile"], "probe --expect")
        self.assertEqual(len(report["verdicts"]), 1)
        verdict = report["verdicts"][0]
        self.assertEqual((verdict["expected"], verdict["observed"], verdict["verdict"]),
                         (["keepalive"], {"reset_before_response": 2}, "fail"))


class ProbeProgress(unittest.TestCase):
    def test_probe_draws_progress_on_a_terminal_and_erases_it(self):
        with Serve() as server:
            code, output = run_in_terminal(["probe", server.base_url + "/termprobe/ok", "-n", "40", "-c", "4",
                                            "--watch", "0", "-q"])
        self.assertEqual(code, 0, output)
        self.assertRegex(output, rb"\r\x1b\[K40/40  \d+ conn/s  keepalive 40")
        self.assertRegex(output, rb"\r\x1b\[K40 of 40 connection\(s\)")  # erased before the summary

    def test_no_progress_without_a_terminal(self):
        with Serve() as server:
            result = run_termprobe("probe", server.base_url + "/termprobe/ok", "-n", "5", "--watch", "0", "-q")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stderr, "")
        self.assertNotIn("\x1b", result.stdout)


class Addresses(unittest.TestCase):
    def test_ipv6_local_addresses_are_bracketed(self):
        with Serve(listen="[::1]:0") as server:
            result = run_termprobe("probe", server.base_url + "/termprobe/ok", "--watch", "0", timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"(?m)^#1 .*  \[::1\]:\d+$")


class Interrupt(unittest.TestCase):
    def test_sigint_writes_what_was_measured(self):
        with WireFixture("keepalive") as server, ReportDir() as directory:
            path = os.path.join(directory, "r.json")
            process = subprocess.Popen([TERMPROBE, "probe", server.url(), "--count", "100000", "--watch", "0.05",
                                        "--json", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(1.0)
            started = time.monotonic()
            process.send_signal(signal.SIGINT)
            out, _ = process.communicate(timeout=10)
            self.assertLess(time.monotonic() - started, 2.0, "stops within the grace second")
            self.assertEqual(process.returncode, 130)
            with open(path, encoding="utf-8") as report_file:
                report = validate_report(json.load(report_file))
            self.assertTrue(report["interrupted"])
            finished = report["summary"]["total"]
            self.assertGreater(finished, 0)
            self.assertLess(finished, 100000)
            self.assertEqual(report["summary"]["labels"], {"keepalive": finished})
            self.assertEqual(len([line for line in out.splitlines() if line.startswith("#")]), finished)

    def test_connections_open_at_an_interrupt_are_recorded(self):
        with WireFixture("no_response") as server, ReportDir() as d:
            path = os.path.join(d, "r.json")
            code, _, _ = interrupt_after(1.0, "probe", server.url(), "--count", "20", "-c", "2", "--timeout", "30",
                                         "--json", path)
            with open(path, encoding="utf-8") as report_file:
                report = validate_report(json.load(report_file))
        self.assertEqual(code, 130)
        self.assertEqual(report["summary"]["total"], 2)
        self.assertEqual(labels_of(report), {"interrupted"})


class FirstMistakes(unittest.TestCase):
    def refused(self, *args):
        result = run_termprobe(*args, timeout=20)
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertEqual(result.stdout, "")
        return result.stderr

    def test_each_message_says_what_to_do(self):
        cases = [
            (["prob", URL], "termprobe: error: 'prob' is not a command: did you mean probe? "
                            "(commands: probe, clients, run, serve, check, compare, merge, idle, reuse, explain, report, help)\n"),
            (["probe", "127.0.0.1:8080"], "termprobe: error: URL '127.0.0.1:8080' has no scheme: write it with "
                                          "http:// or https:// (e.g. http://127.0.0.1:8080)\n"),
            (["run", "http://127.0.0.1:1/"], "termprobe: error: run: 'http://127.0.0.1:1/' was not expected: give "
                                             "a target with --target (termprobe run --target http://127.0.0.1:1/)"
                                             " (see termprobe run --help)\n"),
            (["probe", URL, "--expect", "keepalve"], "termprobe: error: --expect: 'keepalve' is not a label: did "
                                                     "you mean keepalive? (see termprobe --help)\n"),
            (["probe", URL, "--timeout", "1h"], "termprobe: error: --timeout: 1h: unknown unit 'h': use ms, s or m "
                                                "(a bare number is seconds) (see termprobe --help)\n"),
            (["probe", URL, "--body-bytes", "10XB"],
             "termprobe: error: --body-bytes: 10XB: unknown unit 'XB': use k, M, G (or KiB, MiB, GiB) for 1024s, "
             "kB, MB, GB for 1000s (a bare number is bytes) (see termprobe --help)\n"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                self.assertEqual(self.refused(*args), message)

    def test_unit_suffixes_are_accepted_where_people_type_them(self):
        with Serve() as server:
            ok = server.base_url + "/termprobe/ok"
            result = run_termprobe("probe", ok, "--timeout", "1s", "--watch", "50ms", "--connect-timeout", "2s",
                                   "--json", "-", timeout=30)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(json.loads(result.stdout)["results"][0]["outcome"]["label"], "keepalive")
            reuse = run_termprobe("reuse", ok, "--idle", "100ms,0.2s", timeout=30)
            self.assertEqual(reuse.returncode, 0, reuse.stderr)
            self.assertRegex(reuse.stdout, r"(?m)^ +100  answered x1")
            self.assertRegex(reuse.stdout, r"(?m)^ +200  answered x1")
            idle = run_termprobe("idle", ok, "--max", "300ms", timeout=30)
            self.assertEqual(idle.returncode, 0, idle.stderr)

    def test_global_flags_after_the_subcommand(self):
        result = run_termprobe("probe", "-v", URL, "--connect-timeout", "1", timeout=20)
        self.assertEqual(result.returncode, 3, result.stderr)  # unreachable, not refused as usage
        self.assertTrue(result.stderr.startswith("* connection to http://127.0.0.1:1/ (probe #0):\n"), result.stderr)
        self.assertTrue(result.stderr.endswith("\n*              label connect_failed: connect ending refused\n"
                                               "termprobe: cannot reach http://127.0.0.1:1/: Connection refused\n"),
                        result.stderr)

    def test_probe_help_shows_the_defaults(self):
        result = run_termprobe("probe", "--help", timeout=20)
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"--timeout,--max-time FLOAT:in \[0.001 - 86400\]=10\n")
        self.assertRegex(result.stdout, r"-n,--count,--repeat UINT:in \[1 - 1000000\]=1\n")
        self.assertIn("--data-binary", result.stdout)


class BadInput(unittest.TestCase):
    CASES = [
        (["probe", "not a url"], "has no scheme"),
        (["probe", "http://[::1/"], "malformed URL"),
        (["probe", "ftp://127.0.0.1/"], "unsupported scheme 'ftp'"),
        (["probe", "http://127.0.0.1:0/"], "port 0"),
        (["probe", "http://127.0.0.1:65536/"], "bad port"),
        (["probe", "http://127.0.0.1:1/", "--count", "-3"], "--count"),
        (["probe", "http://127.0.0.1:1/", "--count", "99999999999"], "--count"),
        (["probe", "http://127.0.0.1:1/", "--timeout", "-1"], "--timeout"),
        (["probe", "http://127.0.0.1:1/", "--watch", "1e12"], "--watch"),
        (["probe", "http://127.0.0.1:1/", "--body-bytes", "lots"], "--body-bytes"),
        (["probe", "http://127.0.0.1:1/", "--upload-rate", "100"], "--upload-rate needs a body"),
        (["probe", "http://127.0.0.1:1/", "--header", "NoColon"], "Name: value"),
        (["probe", "http://127.0.0.1:1/", "--method", "GE T"], "method"),
        (["probe", "http://127.0.0.1:1/", "--expect", "fine"], "is not a label"),
        (["probe", "http://127.0.0.1:1/", "--http2"], "--http2-prior-knowledge"),
        (["probe"], "url is required"),
        ([], "subcommand is required"),
    ]

    def test_each_mistake_gives_one_clear_line_and_exit_two(self):
        for args, words in self.CASES:
            with self.subTest(args=args), ReportDir() as directory:
                path = os.path.join(directory, "r.json")
                result = run_termprobe(*args, "--json", path) if args and args[0] == "probe" and len(args) > 1 \
                    else run_termprobe(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stdout, "")
                self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
                self.assertTrue(result.stderr.startswith("termprobe: error: "), result.stderr)
                self.assertIn(words, result.stderr)
                self.assertEqual(os.listdir(directory), [], "no partial report")

    def test_ndjson_and_json_to_stdout_conflict(self):
        for args in (["probe", "http://127.0.0.1:1/"], ["run"]):
            with self.subTest(command=args[0]):
                result = run_termprobe(*args, "--format", "ndjson", "--json", "-")
                self.assertEqual(result.returncode, 2)
                self.assertEqual(result.stdout, "")
                self.assertEqual(result.stderr.count("\n"), 1)
                self.assertIn("both want stdout", result.stderr)

    def test_unwritable_report_path_is_refused_before_probing(self):
        with WireFixture("keepalive") as server, ReportDir() as directory:
            for path in ["/nonexistent-dir/r.json", directory]:
                result = run_termprobe("probe", server.url(), "--json", path)
                self.assertEqual(result.returncode, 2)
                self.assertIn("termprobe: error: ", result.stderr)
                self.assertEqual(result.stderr.count("\n"), 1)
            self.assertEqual(os.listdir(directory), [])

    def test_unresolvable_host_is_unreachable(self):
        with ReportDir() as directory:
            path = os.path.join(directory, "r.json")
            result = run_termprobe("probe", "http://no-such-host.invalid/", "--json", path)
            self.assertEqual(result.returncode, 3)
            self.assertIn("could not resolve host no-such-host.invalid", result.stderr)
            self.assertEqual(result.stderr.count("\n"), 1)
            with open(path, encoding="utf-8") as report_file:
                report = validate_report(json.load(report_file))
            self.assertEqual(report["summary"]["labels"], {"connect_failed": 1})


class Statuses(unittest.TestCase):
    def test_bad_statuses_are_one_line_errors(self):
        result = run_termprobe("probe", "http://127.0.0.1:1/", "--expect", "keepalive/20")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn("'keepalive/20': the status must be a code from 100 to 599 or a class such as 2xx",
                      result.stderr)


class Verbose(unittest.TestCase):
    """-v: each connection's events on stderr as curl -v marks them, read
    from the same entry the report holds (secrets hidden as there)."""

    def verbose(self, *args):
        result = run_termprobe("probe", *args, "-v")
        self.assertIn(result.returncode, (0, 1), result.stderr)
        return result.stderr

    def test_http_lines_show_connect_heads_and_the_reset(self):
        with WireFixture("rst_after_response") as server:
            lines = self.verbose(server.url(), "-H", "Authorization: Bearer sekret-token")
        self.assertRegex(lines, rf"(?m)^\* connection to {re.escape(server.url())} \(probe #0\):$")
        self.assertRegex(lines, rf"(?m)^\* +[0-9.]+ [µm]?s connected to 127\.0\.0\.1:{server.port} from 127\.0\.0\.1:\d+$")
        self.assertRegex(lines, r"(?m)^> GET /x HTTP/1\.1$")
        self.assertRegex(lines, r"(?m)^> Authorization: Bearer <redacted: 12 chars>$")
        self.assertNotIn("sekret", lines)
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s response head: HTTP/1\.1 200$")
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s RST from the server, [0-9.]+ [µm]?s after the response")
        self.assertRegex(lines, r"(?m)^\* +label reset_after_response: after_response ending rst$")

    def test_https_lines_show_tls_version_cipher_alpn_certificate_and_close_notify(self):
        with TlsWireFixture("close_notify_then_fin") as server:
            lines = self.verbose(server.url(), "--cacert", server.ca, "--watch", "0.3")
        self.assertRegex(lines, r"(?m)^\* +[0-9.]+ [µm]?s TLS handshake: TLSv1\.[23], cipher \S+, ALPN \S+")
        self.assertRegex(lines, r"(?m)^\* server certificate: subject .+$")
        self.assertRegex(lines, r"(?m)^\*   expires \S+")
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s TLS close_notify from the server$")
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s FIN from the server")

    def test_h2_lines_put_the_stream_reset_on_its_stream(self):
        with H2WireFixture("rst_before_headers_custom", "--custom-code", "1111") as server:
            lines = self.verbose(server.url(), "--http2-prior-knowledge")
        self.assertRegex(lines, r"(?m)^> +[0-9.]+ [µm]?s \[stream 1\] request sent")
        self.assertRegex(lines, r"(?m)^> :method: GET$")
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s \[stream 1\] RST_STREAM \S+ \(1111\) on stream 1")
        with H2WireFixture("goaway_error_then_fin") as server:
            lines = self.verbose(server.url(), "--http2-prior-knowledge")
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s GOAWAY PROTOCOL_ERROR \(1\), last stream 0, debug: bad$")
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s FIN from the server")

    def test_response_heads_as_received_over_http_https_and_h2(self):
        with WireFixture("rst_after_response") as server:
            lines = self.verbose(server.url())
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s response head: HTTP/1\.1 200\n"
                                r"< HTTP/1\.1 200 OK\n< Content-Type: text/plain\n< Content-Length: 5\n")
        with TlsWireFixture("close_notify_then_fin") as server:
            lines = self.verbose(server.url(), "--cacert", server.ca, "--watch", "0.3")
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s response head: HTTP/1\.1 200\n"
                                r"< HTTP/1\.1 200 OK\n< Content-Type: text/plain\n< Content-Length: 5\n")
        with H2WireFixture("complete_keepalive") as server:
            lines = self.verbose(server.url("/"), "--http2-prior-knowledge", "--watch", "0")
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s \[stream 1\] response head: HTTP/2 200\n"
                                r"< :status: 200\n< content-length: 100\n")

    def test_a_1xx_head_is_shown_with_or_without_a_final_response(self):
        with WireFixture("continue_then_rst") as server:
            lines = self.verbose(server.url())
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s interim response: 1 1xx head\(s\), then no final response\n"
                                r"< HTTP/1\.1 100 Continue\n")
        with WireFixture("early_hints_then_response") as server:
            lines = self.verbose(server.url())
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s interim response: 1 1xx head\(s\)\n")
        self.assertRegex(lines, r"(?m)^< +[0-9.]+ [µm]?s response head: HTTP/1\.1 200\n"
                                r"< HTTP/1\.1 103 Early Hints\n< Link: </style\.css>; rel=preload\n<\s*\n"
                                r"< HTTP/1\.1 200 OK\n")

    def test_a_response_head_is_cut_at_16_kib_and_kept_only_with_v(self):
        with WireFixture("huge_header_line") as server:
            verbose, report = fresh_report("probe", server.url(), "-v")
        head = report["results"][0]["response"]["head"]
        self.assertEqual(head["cut_at"], 16384)
        self.assertEqual(head["lines"][0], "HTTP/1.1 200 OK")
        self.assertEqual(len(head["lines"]), 2)
        self.assertEqual(len(head["lines"][1]) + 2 + len("HTTP/1.1 200 OK\r\n"), 16384)
        self.assertIn("\n< (head cut at 16384 bytes)\n", verbose.stderr)
        with WireFixture("fin_after_response") as server:
            _, report = fresh_report("probe", server.url())
        self.assertNotIn("head", report["results"][0]["response"])

    def test_vv_adds_the_entry_and_no_v_prints_no_events(self):
        with WireFixture("fin_after_response") as server:
            vv = run_termprobe("probe", server.url(), "-vv")
            quiet = run_termprobe("probe", server.url())
        entry = json.loads(re.search(r"(?m)^\* entry: (.*)$", vv.stderr).group(1))
        self.assertEqual(entry["outcome"]["label"], "close_after_response")
        self.assertEqual(quiet.stderr, "")


if __name__ == "__main__":
    unittest.main()
