"""Hostile input, a suite across every command rather than one command's
file (issue 13): every number, path, report and message a user or a file can
hand termprobe. Nothing may hang, crash or be lost: bad input is one named
line on stderr and exit 2. The real binary throughout."""

import json
import os
import signal
import subprocess
import time
import unittest

import reports
from harness import TERMPROBE, CommandTestCase, ReportDir, WireFixture, peak_rss_mib, run_termprobe

URL = "http://127.0.0.1:1/"
BAD_NUMBERS = ["nan", "inf", "-inf", "-1", "1e300"]


def extra_rss_mib(*args):
    """Peak RSS of a command beyond that of comparing two tiny reports (the sanitizers' own share)."""
    with ReportDir() as d:
        tiny = reports.write(os.path.join(d, "tiny.json"), reports.baseline())
        _, _, floor = peak_rss_mib("compare", tiny, tiny, output="stderr")
    code, stderr, rss = peak_rss_mib(*args, output="stderr")
    return code, stderr, rss - floor


class Numbers(CommandTestCase):
    # Every numeric option of every command, with what must come before it.
    OPTIONS = [(["probe", URL], flag) for flag in
               ["--body-bytes", "--upload-rate", "--count", "--concurrency", "--rate", "--timeout",
                "--connect-timeout", "--watch"]] + \
              [(["run"], flag) for flag in ["--repeat", "--timeout", "--watch", "--concurrency", "--rate"]] + \
              [(["idle", URL], flag) for flag in ["--max", "--timeout"]] + \
              [(["reuse", URL, "--idle", "5"], flag) for flag in ["--repeat", "--concurrency", "--timeout"]] + \
              [(["reuse", URL], "--idle")]

    def test_non_finite_negative_and_huge_numbers_are_refused_by_name(self):
        for before, flag in self.OPTIONS:
            for value in BAD_NUMBERS:
                with self.subTest(command=before[0], flag=flag, value=value):
                    result = run_termprobe(*before, f"{flag}={value}", timeout=20)
                    self.assert_refused(result, f"{flag}: {value}: ")

    def test_check_takes_the_suite_numbers_too(self):
        with ReportDir() as d:
            path = os.path.join(d, "c.toml")
            with open(path, "w", encoding="utf-8") as out:
                out.write('[[probe]]\nname = "a"\nurl = "http://127.0.0.1:1/"\nexpect = ["keepalive"]\n')
            for flag in ["--concurrency", "--rate"]:
                with self.subTest(flag=flag):
                    self.assert_refused(run_termprobe("check", path, f"{flag}=nan", timeout=20), f"{flag}: nan: ")

    def test_the_messages_say_what_is_wanted(self):
        self.assert_refused(run_termprobe("probe", URL, "--timeout", "nan"),
                            "termprobe: error: --timeout: nan: not a finite number of seconds")
        self.assert_refused(run_termprobe("probe", URL, "--count", "1e300"),
                            "--count: 1e300: must be a whole number from 1 to 1000000 connections")
        # A positive rate below 1 per 1000 s overflowed the engine's nanosecond schedule.
        self.assert_refused(run_termprobe("probe", URL, "--rate", "1e-300"),
                            "--rate: 1e-300: must be 0 (off) or from 0.001 to 1000000 connections per second")

    def test_rate_nan_no_longer_stalls(self):
        # It ran one probe and then waited forever.
        self.assert_refused(run_termprobe("probe", URL, "--rate", "nan", "--count", "3", timeout=20), "--rate")

    def test_listen_ports_are_numbers_in_range(self):
        for listen in ["127.0.0.1:99999", "127.0.0.1:-1", "[::1]:nan", "127.0.0.1:1e3"]:
            with self.subTest(listen=listen):
                self.assert_refused(run_termprobe("serve", "--listen", listen, timeout=10),
                                    f"--listen {listen}: port ")

    def test_every_numeric_key_of_a_check_file(self):
        probe = '[[probe]]\nname = "a"\nurl = "http://127.0.0.1:1/"\nexpect = ["keepalive"]\n'
        with ReportDir() as d:
            path = os.path.join(d, "c.toml")
            for key in ["timeout", "connect_timeout", "watch", "repeat", "body_bytes", "upload_rate"]:
                for value in BAD_NUMBERS:
                    for table in ["defaults", "probe"]:
                        with self.subTest(key=key, value=value, table=table):
                            text = f"[defaults]\n{key} = {value}\n" + probe if table == "defaults" \
                                else probe + f"{key} = {value}\n"
                            with open(path, "w", encoding="utf-8") as out:
                                out.write(text)
                            result = run_termprobe("check", path, timeout=20)
                            line = 2 if table == "defaults" else 5
                            self.assert_refused(result, f"{path}:{line}: '{key}' ")


class EmptyPaths(CommandTestCase):
    def test_an_empty_file_name_is_refused_not_ignored(self):
        with ReportDir() as d:
            check = os.path.join(d, "c.toml")
            with open(check, "w", encoding="utf-8") as out:
                out.write('[[probe]]\nname = "a"\nurl = "http://127.0.0.1:1/"\nexpect = ["keepalive"]\n')
            good = reports.write(os.path.join(d, "a.json"), reports.baseline())
            cases = [
                (["probe", URL, "--json", ""], "--json"),
                (["idle", URL, "--json", ""], "--json"),
                (["reuse", URL, "--idle", "5", "--json", ""], "--json"),
                (["run", "--json", ""], "--json"),
                (["run", "--junit", ""], "--junit"),
                (["run", "--baseline", ""], "--baseline"),
                (["run", "--targets-file", ""], "--targets-file"),
                (["run", "--profile", ""], "--profile"),
                (["check", check, "--json", ""], "--json"),
                (["check", check, "--junit", ""], "--junit"),
                (["check", ""], "file"),
                (["compare", good, good, "--json", ""], "--json"),
                (["compare", "", good], "baseline"),
                (["compare", good, ""], "current"),
            ]
            for args, flag in cases:
                with self.subTest(args=args):
                    self.assert_refused(run_termprobe(*args, timeout=20), f"{flag}: empty file name")


class Messages(CommandTestCase):
    def test_listen_without_a_port_says_so(self):
        # It said "--listen : is not a loopback address".
        self.assert_refused(run_termprobe("serve", "--listen", "::1", timeout=10),
                            "--listen ::1: the port is missing", "[::1]:8080")
        self.assert_refused(run_termprobe("serve", "--listen", "[::1]", timeout=10),
                            "--listen [::1]: the port is missing")

    def test_line_breaks_in_urls_and_headers_are_escaped(self):
        header = "X-A: 1\r\nHost: evil"
        cases = [
            (["probe", "http://127.0.0.1:1/a\r\nb"], "http://127.0.0.1:1/a\\r\\nb"),
            (["run", "--target", "http://127.0.0.1:1/\nx"], "http://127.0.0.1:1/\\nx"),
            (["probe", URL, "-H", header], "X-A: 1\\r\\nHost: evil"),
            (["idle", URL, "-H", header], "must not contain CR, LF or NUL"),
            (["reuse", URL, "--idle", "5", "-H", header], "must not contain CR, LF or NUL"),
            (["probe", URL, "--json", "/nonexistent\x1b[31m/r.json"], "/nonexistent\\x1b[31m/r.json"),
        ]
        for args, words in cases:
            with self.subTest(args=args):
                self.assert_refused(run_termprobe(*args, timeout=20), words)

    def test_directories_are_named_as_such(self):
        with ReportDir() as d:
            good = reports.write(os.path.join(d, "a.json"), reports.baseline())
            self.assert_refused(run_termprobe("check", d), f"expectations file '{d}' is a directory")
            self.assert_refused(run_termprobe("compare", good, d), f"report '{d}' is a directory")
            self.assert_refused(run_termprobe("run", "--baseline", d), f"report '{d}' is a directory")
            self.assert_refused(run_termprobe("run", "--profile", d), f"profile file '{d}' is a directory")


class ReportsFromOutside(CommandTestCase):
    def compare_with(self, document_or_text):
        with ReportDir() as d:
            good = reports.write(os.path.join(d, "good.json"), reports.baseline())
            bad = os.path.join(d, "bad.json")
            with open(bad, "w", encoding="utf-8") as out:
                out.write(document_or_text if isinstance(document_or_text, str) else json.dumps(document_or_text))
            return run_termprobe("compare", good, bad, timeout=60), run_termprobe("run", "--baseline", bad,
                                                                                   timeout=60)

    def edited(self, edit):
        document = reports.baseline()
        edit(document)
        return document

    def test_values_outside_the_schema_are_refused_with_their_path(self):
        def entry(i, part, key, value):
            return lambda r: r["results"][i][part].__setitem__(key, value)

        cases = [
            (entry(0, "outcome", "label", "bogus_label"), 'results[0].outcome.label: "bogus_label" is not a label'),
            (entry(2, "response", "wire_bytes", -5), "results[2].response.wire_bytes: -5 must be"),
            (entry(2, "response", "wire_bytes", "5"), 'results[2].response.wire_bytes: "5" must be'),
            (entry(2, "response", "wire_bytes", 1e23), "results[2].response.wire_bytes: 1e+23 must be"),
            (entry(0, "response", "status", "200"), 'results[0].response.status: "200" must be'),
            (entry(0, "outcome", "announced", 1), "results[0].outcome.announced: 1 must be true or false"),
            (lambda r: r["summary"]["labels"].__setitem__("keepalive", -2), "summary.labels.keepalive: -2"),
            (lambda r: r["targets"][0].__setitem__("total", 1e23), "targets[0].total: 1e+23"),
            (lambda r: r["results"][1]["outcome"].pop("label"), 'results[1].outcome: "label" is missing'),
        ]
        for edit, words in cases:
            with self.subTest(words=words):
                compared, baseline = self.compare_with(self.edited(edit))
                self.assert_refused(compared, "bad.json' is not a valid termprobe report: " + words)
                self.assert_refused(baseline, "--baseline: ", words)

    def test_names_from_a_report_cannot_drive_the_terminal(self):
        t = "http://127.0.0.1:8080"
        after = reports.report([reports.entry(t, "ok\x1b[2J\r", "keepalive")])
        with ReportDir() as d:
            a = reports.write(os.path.join(d, "a.json"), reports.baseline())
            b = reports.write(os.path.join(d, "b.json"), after)
            result = run_termprobe("compare", a, b)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f"{t} ok\\x1b[2J\\r  [only in current]", result.stdout)
        self.assertNotIn("\x1b", result.stdout)

    def test_deep_nesting_is_refused_in_little_memory(self):
        # 20 MB of "[" took 1.5 GB before being refused.
        with ReportDir() as d:
            good = reports.write(os.path.join(d, "good.json"), reports.baseline())
            for name, text in [("brackets.json", "[" * (20 << 20)),
                               ("nested.json", '{"schema_version": 4, "command": ' + "[" * (20 << 20))]:
                with self.subTest(name=name):
                    path = os.path.join(d, name)
                    with open(path, "w", encoding="utf-8") as out:
                        out.write(text)
                    code, stderr, extra = extra_rss_mib("compare", good, path)
                    self.assertEqual(code, 2, stderr)
                    self.assertEqual(stderr.count("\n"), 1, stderr)
                    self.assertLess(extra, 48, f"{extra:.0f} MiB more than for a tiny report")

    def test_a_large_valid_report_is_read_in_bounded_memory(self):
        # A 145 MB report took 958 MiB; this one is ~35 MB (about 240 MiB before).
        t = "http://127.0.0.1:8080"
        labels = ["keepalive", "close_after_response", "reset_before_response", "reset_mid_response"]
        entries = [reports.entry(t, f"s{i % 7}", labels[i % 4], wire_bytes=i % 1000) for i in range(40000)]
        with ReportDir() as d:
            big = reports.write(os.path.join(d, "big.json"), reports.report(entries))
            code, stderr, extra = extra_rss_mib("compare", big, big)
        self.assertEqual(code, 0, stderr)
        self.assertLess(extra, 48, f"{extra:.0f} MiB more than for a tiny report")


class ReportFiles(unittest.TestCase):
    def test_a_255_character_report_name_is_written(self):
        # The temporary name was the report's name plus 12 characters: over NAME_MAX.
        with ReportDir() as d:
            path = os.path.join(d, "r" * 250 + ".json")
            result = run_termprobe("probe", URL, "--json", path)
            self.assertEqual(result.returncode, 3, result.stderr)
            self.assertEqual(os.listdir(d), [os.path.basename(path)])

    def test_sigkill_leaves_no_temporary_file(self):
        with WireFixture("keepalive") as server, ReportDir() as d:
            process = subprocess.Popen([TERMPROBE, "probe", server.url(), "--count", "1000", "--rate", "5",
                                        "--json", os.path.join(d, "r.json")],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            self.assertEqual(os.listdir(d), [])


if __name__ == "__main__":
    unittest.main()
