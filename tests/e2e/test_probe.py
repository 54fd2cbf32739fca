"""`termprobe probe`, the real binary against real servers on loopback."""

import json
import os
import signal
import subprocess
import time
import unittest

from harness import (TERMPROBE, ReportDir, WireFixture, run_termprobe, unused_port, validate_report)

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


def probe_report(url, extra, directory, name="report.json"):
    path = os.path.join(directory, name)
    watch = [] if "--watch" in extra else ["--watch", "0.2"]
    result = run_termprobe("probe", url, "--count", REPEATS, *watch, *extra, "--json", path)
    with open(path, encoding="utf-8") as report_file:
        return result, validate_report(json.load(report_file))


class EveryBehaviourFiftyTimes(unittest.TestCase):
    def test_each_fixture_gets_its_label_every_time(self):
        for behaviour, (label, extra) in EXPECTED.items():
            with self.subTest(behaviour=behaviour), WireFixture(behaviour) as server, ReportDir() as directory:
                result, report = probe_report(server.url(), extra, directory)
                self.assertEqual(result.returncode, 0, result.stderr)
                summary = {k: v for k, v in report["summary"].items() if k != "by_label"}
                self.assertEqual(summary, {"total": 50, "requested": 50, "labels": {label: 50}})
                self.assertEqual(report["summary"]["by_label"][label]["count"], 50)
                ports = {entry["local"]["port"] for entry in report["results"]}
                self.assertEqual(len(ports), 50, "every probe uses its own connection")
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


if __name__ == "__main__":
    unittest.main()
