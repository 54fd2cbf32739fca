"""What a newcomer meets on the command line (issue 12, points 8-12): request
bodies as curl builds them, checked at the server that received them; the
errors for the usual first mistakes, word for word; unit suffixes; [::1]
addresses; the progress line of probe; run's target URLs and -q. The real
binary against servers the tests start on loopback."""

import datetime
import json
import os
import pty
import re
import select
import time
import unittest

from harness import TERMPROBE, Nginx, ReportDir, Serve, run_termprobe, unused_port, validate_report

URL = "http://127.0.0.1:1/"


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


class FirstMistakes(unittest.TestCase):
    def refused(self, *args):
        result = run_termprobe(*args, timeout=20)
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertEqual(result.stdout, "")
        return result.stderr

    def test_each_message_says_what_to_do(self):
        cases = [
            (["prob", URL], "termprobe: error: 'prob' is not a command: did you mean probe? "
                            "(commands: probe, run, serve, check, compare, merge, idle, reuse)\n"),
            (["probe", "127.0.0.1:8080"], "termprobe: error: URL '127.0.0.1:8080' has no scheme: write it with "
                                          "http:// or https:// (e.g. http://127.0.0.1:8080)\n"),
            (["run", "http://127.0.0.1:1/"], "termprobe: error: run: 'http://127.0.0.1:1/' was not expected: give "
                                             "a target with --target (termprobe run --target http://127.0.0.1:1/)"
                                             " (see termprobe --help)\n"),
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
        self.assertEqual(result.stderr, "termprobe: cannot reach http://127.0.0.1:1/: Connection refused\n")

    def test_probe_help_shows_the_defaults(self):
        result = run_termprobe("probe", "--help", timeout=20)
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"--timeout FLOAT:in \[0.001 - 86400\]=10\n")
        self.assertRegex(result.stdout, r"-n,--count UINT:in \[1 - 1000000\]=1\n")
        self.assertIn("--data-binary", result.stdout)


class Addresses(unittest.TestCase):
    def test_ipv6_local_addresses_are_bracketed(self):
        with Serve(listen="[::1]:0") as server:
            result = run_termprobe("probe", server.base_url + "/termprobe/ok", "--watch", "0", timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"(?m)^#1 .*  \[::1\]:\d+$")


class RunTargets(unittest.TestCase):
    def test_the_url_serve_prints_and_the_bare_base_both_work(self):
        with Serve() as server:
            for target in [server.base_url, server.base_url + "/termprobe/", server.base_url + "/termprobe"]:
                with self.subTest(target=target):
                    result = run_termprobe("run", "--target", target, "--repeat", "1", "--json", "-", timeout=60)
                    self.assertEqual(result.returncode, 0, result.stderr)
                    urls = {r["url"] for r in json.loads(result.stdout)["results"]}
                    self.assertIn(server.base_url + "/termprobe/ok", urls)

    def test_run_prefix_follows_serve_prefix(self):
        result = run_termprobe("run", "--prefix", "/p/", "--repeat", "1", "--json", "-", timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stderr, r"embedded module host \(Linux\) on http://127\.0\.0\.1:\d+/p/\n")
        self.assertTrue(all("/p/" in r["url"] for r in json.loads(result.stdout)["results"]))

    def test_targets_file_takes_trailing_comments_and_blank_lines(self):
        with Serve() as server, ReportDir() as d:
            path = os.path.join(d, "targets.txt")
            with open(path, "w", encoding="utf-8") as out:
                out.write(f"\n# the host\n{server.base_url}/termprobe/   # as serve prints it\n\n")
            result = run_termprobe("run", "--targets-file", path, "--repeat", "1", timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_quiet_run_prints_only_what_did_not_pass_and_the_summary(self):
        result = run_termprobe("run", "-q", "--repeat", "1", timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.count("\n"), 1, result.stdout)
        self.assertRegex(result.stdout, r"^7 of 7 connection\(s\)")
        # the iis profile leaves scenarios unverified: those rows stay
        failing = run_termprobe("run", "-q", "--repeat", "1", "--profile", "iis", timeout=60)
        self.assertNotRegex(failing.stdout, r"(?m) pass$")
        self.assertRegex(failing.stdout, r"(?m)^scenario ")

    def test_compare_json_names_the_baseline_by_its_path(self):
        with ReportDir() as d:
            before = os.path.join(d, "before.json")
            self.assertEqual(run_termprobe("run", "--repeat", "1", "--json", before, timeout=60).returncode, 0)
            result = run_termprobe("compare", before, before, "--json", "-", timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["baseline"], before)


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
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(TERMPROBE, [TERMPROBE, "probe", server.base_url + "/termprobe/ok", "-n", "40", "-c", "4",
                                     "--watch", "0", "-q"])
            output = b""
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 1)
                if not ready:
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, output)
        self.assertRegex(output, rb"\r\x1b\[K40/40  \d+ conn/s  keepalive 40")
        self.assertRegex(output, rb"\r\x1b\[K40 of 40 connection\(s\)")  # erased before the summary

    def test_no_progress_without_a_terminal(self):
        with Serve() as server:
            result = run_termprobe("probe", server.base_url + "/termprobe/ok", "-n", "5", "--watch", "0", "-q")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stderr, "")
        self.assertNotIn("\x1b", result.stdout)


if __name__ == "__main__":
    unittest.main()
