"""--html and `termprobe report --html`: the page each writes, opened in
headless Chromium (Debian's chromium, driven over the DevTools pipe by
html_page.mjs). Every page must load without a single request besides its
own file, show one timeline per connection it says it shows, with the
labels and times of the JSON report, and leave a screenshot in the test's
output folder (TERMPROBE_TEST_OUTPUT: build/tests/e2e_html_report under
ctest), with the pages themselves."""

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import SANITIZED, H2WireFixture, ReportDir, Serve, WireFixture, read_report, run_termprobe, write_file

CHROMIUM = os.environ.get("TERMPROBE_CHROMIUM", "/usr/bin/chromium")
PAGE_DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "html_page.mjs")
# Connections in the sampled run: the size the page is promised to stay small and quick for
# (about 10 s for the probe and its page, 4 s for Python to read the 240 MB report); under the
# sanitizers, which only look for memory and undefined-behaviour errors, 1,000 (past the 300 drawn whole).
LARGE_RUN = 1_000 if SANITIZED else 100_000


def connections_of(report):
    """The report's entries by connection, as the page groups them: over HTTP/2
    one connection's streams share its local and remote address:port and its
    started_at; every other entry is a connection of its own."""
    groups = {}
    for index, entry in enumerate(report["results"]):
        h2 = entry.get("http2")
        key = (json.dumps(entry["local"], sort_keys=True), json.dumps(entry["remote"], sort_keys=True),
               entry["started_at"]) if h2 and h2.get("stream_id") is not None else index
        groups.setdefault(key, []).append(index)
    return list(groups.values())


def open_in_chromium(pages, output_dir):
    """{name: html path} -> {name: what html_page.mjs saw}, one browser for all."""
    job = {"timeout_s": 120, "pages": [{"html": os.path.abspath(path),
                                         "screenshot": os.path.join(output_dir, f"{name}.png")}
                                        for name, path in pages.items()]}
    job_path = os.path.join(output_dir, "pages.json")
    with open(job_path, "w", encoding="utf-8") as f:
        json.dump(job, f)
    result = subprocess.run(["node", PAGE_DRIVER, job_path], capture_output=True, text=True, timeout=150)
    if result.returncode != 0:
        raise AssertionError(f"html_page.mjs failed: {result.stderr}")
    return dict(zip(pages, json.loads(result.stdout)["pages"]))


@unittest.skipUnless(os.path.exists(CHROMIUM) and shutil.which("node"),
                     f"needs {CHROMIUM} and node (scripts/setup installs both)")
class HtmlInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._dir = ReportDir()
        d = cls.directory = cls._dir.__enter__()
        cls.output = os.environ.get("TERMPROBE_TEST_OUTPUT") or d
        os.makedirs(cls.output, exist_ok=True)
        cls.reports, cls.pages, cls.results, cls.seconds = {}, {}, {}, {}

        def made(name, *args, validate_up_to=None):
            json_path, html_path = os.path.join(d, f"{name}.json"), os.path.join(d, f"{name}.html")
            started = time.monotonic()
            cls.results[name] = run_termprobe(*args, "--json", json_path, "--html", html_path)
            cls.seconds[name] = time.monotonic() - started
            cls.reports[name], cls.pages[name] = read_report(json_path, validate_up_to), html_path

        with Serve() as one, Serve() as two:
            made("probe", "probe", f"{one.base_url}/termprobe/ok", "-n", "3", "--watch", "0.1", "--expect",
                 "keepalive", "-H", "Authorization: Bearer sekret-token")
            made("run", "run", "--target", one.base_url, "--watch", "0.1")
            checks = write_file(d, "checks.toml", f"""
[[probe]]
name = "home"
url = "{one.base_url}/termprobe/ok"
watch = 0.1
repeat = 2
expect = ["keepalive"]

[[probe]]
name = "reset"
url = "{two.base_url}/termprobe/reset"
expect = ["keepalive"]
""")
            made("check", "check", checks)
            made("shard_a", "run", "--target", one.base_url, "--watch", "0.1", "--repeat", "1")
            made("shard_b", "run", "--target", two.base_url, "--watch", "0.1", "--repeat", "1")
            made("reuse", "reuse", f"{one.base_url}/termprobe/ok", "--idle", "50", "-n", "2")
            made("clients", "clients", f"{one.base_url}/termprobe/reset", "--clients", "curl,python-requests")
            # The large run: the module host keeps up with 100 connections at once (the wire fixture
            # starts a thread per connection and runs out of them).
            made("large", "probe", f"{one.base_url}/termprobe/need-disconnect", "-n", str(LARGE_RUN), "-c", "100",
                 "--fin-watch", "0.01", "--expect", "close_after_response", "-q", validate_up_to=1000)
        with WireFixture("idle_rst_300ms") as server:
            made("idle", "idle", server.url(), "-n", "2", "--max", "2")
        with H2WireFixture("rst_before_headers_custom", "--custom-code", "1111") as h2:
            made("h2", "probe", h2.url(), "--http2-prior-knowledge", "-n", "2")
        with H2WireFixture("complete_keepalive") as h2:
            made("h2_streams", "probe", h2.url(), "--http2-prior-knowledge", "--streams", "3", "-n", "1",
                 "--watch", "0.1")
        with WireFixture("fin_after_response") as server:
            # As root (CI) the packets are captured; without CAP_NET_RAW the run goes on without them.
            made("capture", "probe", server.url(), "-n", "2", "--capture", os.path.join(d, "capture.pcap"))
        merged = os.path.join(d, "merged.json")
        cls.merge = run_termprobe("merge", os.path.join(d, "shard_a.json"), os.path.join(d, "shard_b.json"),
                                  "--json", merged)
        cls.reports["merged"], cls.pages["merged"] = read_report(merged), os.path.join(d, "merged.html")
        cls.results["merged"] = run_termprobe("report", merged, "--html", cls.pages["merged"])
        # The control: a page that does fetch something, so the request recorder is shown to see one.
        cls.pages["control"] = write_file(d, "control.html",
                                          '<!DOCTYPE html><img src="http://127.0.0.1:9/pixel.png">control')
        cls.seen = open_in_chromium(cls.pages, cls.output)
        for name, path in cls.pages.items():  # beside the screenshots, to open by hand
            if os.path.dirname(path) != cls.output:
                shutil.copy(path, os.path.join(cls.output, f"{name}.html"))

    @classmethod
    def tearDownClass(cls):
        cls._dir.__exit__(None, None, None)

    def assert_page_shows_report(self, name):
        page, report = self.seen[name], self.reports[name]
        self.assertIn(self.results[name].returncode, (0, 1), self.results[name].stderr)
        self.assertEqual(page["requests"], [page["url"]], "the page fetched something besides itself")
        dom = page["dom"]
        self.assertEqual(dom["total"], len(connections_of(report)))
        self.assertEqual(dom["timelines"], dom["shown"])
        self.assertEqual(len(dom["connections"]), dom["shown"])
        for shown in dom["connections"]:
            entry = report["results"][shown["index"]]
            self.assertEqual(shown["label"], entry["outcome"]["label"])
            self.assertEqual(shown["ended_us"], entry["timings_us"]["ended"])
            self.assertGreater(shown["drawn_width"], 100)
        self.assertEqual(sorted(dom["summary_labels"]), sorted(report["summary"]["by_label"]))
        with open(page["screenshot"], "rb") as png:
            self.assertEqual(png.read(8), b"\x89PNG\r\n\x1a\n")
        return dom

    def test_probe_page_draws_every_connection_with_secrets_hidden(self):
        dom = self.assert_page_shows_report("probe")
        self.assertEqual(dom["shown"], 3)
        self.assertFalse(dom["sampled"])
        self.assertEqual(dom["verdict_rows"], 2)  # the header and probe --expect's verdict
        self.assertIn("Bearer <redacted: 12 chars>", dom["command"])
        with open(self.pages["probe"], encoding="utf-8") as f:
            self.assertNotIn("sekret", f.read())
        self.assertIn("connect", dom["connections"][0]["marks"])

    def test_run_and_check_pages_show_their_verdicts(self):
        for name in ("run", "check"):
            with self.subTest(name):
                dom = self.assert_page_shows_report(name)
                self.assertEqual(dom["shown"], len(self.reports[name]["results"]))
                self.assertEqual(dom["verdict_rows"], len(self.reports[name]["verdicts"]) + 1)

    def test_merged_report_is_drawn_by_the_report_command(self):
        self.assertEqual(self.merge.returncode, 0, self.merge.stderr)
        self.assertEqual(self.results["merged"].returncode, 0, self.results["merged"].stderr)
        dom = self.assert_page_shows_report("merged")
        self.assertEqual(dom["shown"], len(self.reports["shard_a"]["results"]) + len(self.reports["shard_b"]["results"]))

    def test_http2_streams_get_a_lane_under_the_connection(self):
        dom = self.assert_page_shows_report("h2")
        self.assertEqual(dom["stream_lanes"], 2)
        self.assertIn("RST_STREAM", dom["connections"][0]["marks"])

    def test_one_http2_connection_is_one_timeline_with_a_lane_per_stream(self):
        dom = self.assert_page_shows_report("h2_streams")
        report = self.reports["h2_streams"]
        self.assertEqual(len(report["results"]), 3)
        self.assertEqual(connections_of(report), [[0, 1, 2]])
        self.assertEqual(dom["shown"], 1)
        (connection,) = dom["connections"]
        self.assertEqual(connection["lanes"], ["connection"] + [f"stream {e['http2']['stream_id']}"
                                                                for e in report["results"]])
        self.assertEqual(connection["streams"], [
            {"stream": e["http2"]["stream_id"], "index": i, "label": e["outcome"]["label"],
             "first_byte_us": e["timings_us"]["first_byte"], "complete_us": e["timings_us"]["response_complete"]}
            for i, e in enumerate(report["results"])])
        # A tick per event, its line as its tooltip (a word that would overwrite another is left out).
        self.assertEqual(sum("connected to" in tick for tick in connection["ticks"]), 1)
        self.assertEqual(sum("response complete" in tick for tick in connection["ticks"]), 3)

    def test_the_capture_verdict_and_counts_are_shown(self):
        report = self.reports["capture"]
        if "capture" not in report["summary"]:
            self.skipTest(f"no packet capture (needs CAP_NET_RAW): {self.results['capture'].stderr.strip()}")
        dom = self.assert_page_shows_report("capture")
        counts = report["summary"]["capture"]
        self.assertEqual(dom["capture_summary"], {"compared": counts["compared"],
                                                  "disagreements": counts["disagreements"]})
        for shown in dom["connections"]:
            captured = report["results"][shown["index"]]["capture"]
            (verdict,) = shown["capture"]
            self.assertTrue(verdict["shown"])
            self.assertEqual(verdict["packet_ending"], captured["packet_ending"])
            self.assertEqual(verdict["agrees"], captured["agrees"])
            self.assertIn("agrees with the entry" if captured["agrees"] else "DISAGREES", verdict["text"])

    def test_a_large_run_is_sampled_and_has_histograms(self):
        dom = self.assert_page_shows_report("large")
        report = self.reports["large"]
        unexpected = sum(1 for e in report["results"] if e["outcome"]["label"] != "close_after_response")
        self.assertTrue(dom["sampled"])
        self.assertLess(dom["shown"], LARGE_RUN)
        self.assertGreaterEqual(dom["histograms"], 1)
        if unexpected <= 500:  # every unexpected one is drawn, up to 500
            self.assertEqual(sum(1 for c in dom["connections"] if c["label"] != "close_after_response"), unexpected)
        size = os.path.getsize(self.pages["large"])
        print(f"\n{LARGE_RUN} connections: probe, JSON and page {self.seconds['large']:.1f} s, page {size} bytes, "
              f"Chromium load {self.seen['large']['load_ms']} ms")
        self.assertEqual(dom["total"], LARGE_RUN)
        self.assertLess(size, 2 * 1024 * 1024)
        self.assertLess(self.seen["large"]["load_ms"], 10_000)

    def test_idle_reuse_and_clients_pages_draw_their_connections(self):
        for name in ("idle", "reuse", "clients"):
            with self.subTest(name):
                self.assert_page_shows_report(name)
        labels = {e["outcome"]["label"] for e in self.reports["idle"]["results"]}
        self.assertEqual(labels, {"reset_after_response"})
        self.assertTrue(all(e["reused"] for e in self.reports["reuse"]["results"]))
        # Each client's line as the command printed it: the user's own client's error, on the page.
        with open(self.pages["clients"], encoding="utf-8") as f:
            page = f.read()
        printed = self.results["clients"].stdout
        for client in self.reports["clients"]["results"][0]["clients"]:
            line = next(l.strip() for l in printed.splitlines() if l.strip().startswith(client["client"] + " "))
            shown = re.search(f'<li data-client="{client["client"]}" data-outcome="{client["outcome"]}"><code>'
                              '(.*?)</code></li>', page)
            self.assertIsNotNone(shown, client["client"])
            self.assertEqual(html.unescape(shown.group(1)).strip(), line)

    def test_the_request_recorder_sees_a_page_that_fetches(self):
        page = self.seen["control"]
        self.assertIn("http://127.0.0.1:9/pixel.png", page["requests"])


class ReportCommandInput(unittest.TestCase):
    def test_bad_input_is_one_line_and_exit_2(self):
        with ReportDir() as d:
            not_json = write_file(d, "bad.json", "{ not json")
            not_report = write_file(d, "other.json", '{"hello": 1}')
            cases = {
                "missing": (os.path.join(d, "none.json"), os.path.join(d, "a.html"), "cannot read report"),
                "not json": (not_json, os.path.join(d, "b.html"), "bad.json"),
                "not a report": (not_report, os.path.join(d, "c.html"), "other.json"),
            }
            for case, (report, html, words) in cases.items():
                with self.subTest(case):
                    result = run_termprobe("report", report, "--html", html)
                    self.assertEqual(result.returncode, 2, result.stderr)
                    self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
                    self.assertIn(words, result.stderr)
            self.assertEqual(sorted(os.listdir(d)), ["bad.json", "other.json"])


if __name__ == "__main__":
    unittest.main()
