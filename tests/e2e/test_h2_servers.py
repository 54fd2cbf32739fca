"""A real-server suite across commands (probe, idle, reuse), not one command's
file. HTTP/2 against Debian's nginx and haproxy, h2c (prior knowledge) and h2
over TLS (ALPN): each stream's ending with its RST_STREAM code, the GOAWAYs
on the connection and the TCP ending under them, as the real servers make
them. Every case runs over both transports and over several connections."""

import os
import unittest

from harness import H2WireFixture, Haproxy, Nginx, ReportDir, fresh_report, peak_rss_mib, read_report

NGINX_LOCATIONS = """
    keepalive_timeout 1s;
    keepalive_requests 3;
    client_max_body_size 1k;
    location / {{ return 200 "hello\\n"; }}
    location /cut {{ return 444; }}
"""
NGINX_H2C = "listen 127.0.0.1:{port} http2;" + NGINX_LOCATIONS
NGINX_H2 = """listen 127.0.0.1:{port} ssl http2;
    ssl_certificate {cert};
    ssl_certificate_key {key};""" + NGINX_LOCATIONS
NGINX_TLS_WITHOUT_H2 = """listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location / {{ return 200 "hello\\n"; }}"""

HAPROXY_FRONTEND = """defaults
  mode http
  timeout connect 1s
  timeout client 1s
  timeout server 5s
  timeout http-keep-alive 1s
frontend h2
  {bind}
  http-request reject if {{ path /reject }}
  http-request return status 200 content-type text/plain string "hello" if {{ path / }}
"""
HAPROXY_H2C = HAPROXY_FRONTEND.replace("{bind}", "bind 127.0.0.1:{port} proto h2")
HAPROXY_H2 = HAPROXY_FRONTEND.replace("{bind}", "bind 127.0.0.1:{port} ssl crt {pem} alpn h2,http/1.1")

CONNECTIONS = "10"


def termprobe_report(command, url, *flags):
    return fresh_report(command, url, *flags)


class Http2Servers(unittest.TestCase):
    """Starts each server once; `transports` gives (name, url of path, flags)."""

    @classmethod
    def setUpClass(cls):
        cls.servers = []

        def start(server):
            cls.servers.append(server)
            return server

        nginx_h2c, nginx_h2 = start(Nginx(NGINX_H2C)), start(Nginx(NGINX_H2, tls=True))
        haproxy_h2c, haproxy_h2 = start(Haproxy(HAPROXY_H2C)), start(Haproxy(HAPROXY_H2, tls=True))
        cls.nginx_without_h2 = start(Nginx(NGINX_TLS_WITHOUT_H2, tls=True))
        cls.nginx = [("h2c", nginx_h2c.url, ("--http2-prior-knowledge",)),
                     ("h2", nginx_h2.url, ("--http2", "--cacert", nginx_h2.cert))]
        cls.haproxy = [("h2c", haproxy_h2c.url, ("--http2-prior-knowledge",)),
                       ("h2", lambda path: haproxy_h2.url(path, "https"), ("--http2", "--cacert", haproxy_h2.cert))]

    @classmethod
    def tearDownClass(cls):
        for server in cls.servers:
            server.__exit__(None, None, None)

    def test_the_fields_sent_are_http2s_and_the_server_field_is_nginxs(self):
        for transport, url, flags in self.nginx:
            with self.subTest(transport=transport):
                _, report = termprobe_report("probe", url("/"), "--count", "1", "--watch", "0.1",
                                             "-H", "X-Trace: abc", *flags)
                entry = report["results"][0]
                sent = [(field["name"], field["value"]) for field in entry["request"]["headers"]]
                scheme = "https" if transport == "h2" else "http"
                self.assertEqual(sent[:4], [(":method", "GET"), (":scheme", scheme),
                                            (":authority", url("/").split("/")[2]), (":path", "/")])
                self.assertIn(("x-trace", "abc"), sent)  # HTTP/2 names are lowercase
                self.assertRegex(entry["response"]["headers"]["server"], r"^nginx/\d")
                self.assertIsNone(entry["response"]["headers"]["connection"])  # forbidden in HTTP/2

    def test_nginx_return_444_is_rst_stream_protocol_error_before_headers(self):
        for transport, url, flags in self.nginx:
            with self.subTest(transport=transport):
                result, report = termprobe_report("probe", url("/cut"), "--count", CONNECTIONS, "-c", "5",
                                                  "--watch", "0.3", *flags)
                self.assertEqual(result.returncode, 0, result.stderr)
                for entry in report["results"]:
                    self.assertEqual(entry["outcome"]["label"], "stream_reset")
                    reset = entry["http2"]["reset"]
                    self.assertEqual((reset["code"], reset["name"], reset["when"]), (1, "PROTOCOL_ERROR", "before_headers"))
                    self.assertEqual(entry["ending"]["kind"], "open", "a stream reset leaves the connection open")
                self.assertIn("RST_STREAM(PROTOCOL_ERROR) before_headers", result.stdout)

    def test_nginx_idle_is_goaway_no_error_then_fin_at_keepalive_timeout(self):
        for transport, url, flags in self.nginx:
            with self.subTest(transport=transport):
                result, report = termprobe_report("idle", url("/"), "--max", "5", *flags)
                self.assertEqual(result.returncode, 0, result.stderr)
                entry = report["results"][0]
                self.assertEqual(entry["outcome"]["label"], "close_after_response")
                self.assertEqual(entry["ending"]["kind"], "fin")
                self.assertGreater(entry["ending"]["after_response_us"], 900_000)
                self.assertLess(entry["ending"]["after_response_us"], 1_900_000)
                goaways = entry["http2"]["goaways"]
                self.assertEqual([(g["last_stream_id"], g["name"]) for g in goaways], [(1, "NO_ERROR")])
                # nginx times keepalive_timeout from its cached clock, which can
                # be a few ms older than the probe's reading of the response:
                # 997.8 ms was seen for 1 s, as the bounds above allow.
                ms = r"(9\d\d|1\d\d\d)\.\d ms"
                close_notify = rf"sent close_notify {ms} after the response, then " if transport == "h2" else ""
                self.assertRegex(result.stdout, rf"^server sent GOAWAY\(NO_ERROR, last stream 1\) {ms} after the "
                                                r"response, then " + close_notify +
                                                rf"closed the idle connection with FIN {ms}")

    def test_nginx_keepalive_requests_refuses_the_streams_above_its_goaway(self):
        # keepalive_requests 3: of 5 streams opened at once, 1, 3 and 5 are
        # answered; 7 and 9 are above the GOAWAY's last stream id.
        for transport, url, flags in self.nginx:
            with self.subTest(transport=transport):
                result, report = termprobe_report("probe", url("/"), "--count", "1", "--streams", "5", *flags)
                self.assertEqual(result.returncode, 0, result.stderr)
                by_stream = {e["http2"]["stream_id"]: e for e in report["results"]}
                self.assertEqual(sorted(by_stream), [1, 3, 5, 7, 9])
                self.assertEqual(len({e["local"]["port"] for e in report["results"]}), 1, "one connection")
                self.assertRegex(result.stdout, r"(?m)^5 of 5 request\(s\) on 1 connection\(s\), ")
                for stream in (1, 3, 5):
                    self.assertEqual(by_stream[stream]["response"]["status"], 200)
                    self.assertEqual(by_stream[stream]["outcome"]["label"], "close_after_response")
                for stream in (7, 9):
                    self.assertEqual(by_stream[stream]["outcome"]["label"], "refused_by_goaway")
                    self.assertTrue(by_stream[stream]["http2"]["refused_by_goaway"])
                self.assertEqual(by_stream[9]["http2"]["goaways"][-1]["last_stream_id"], 5)

    def test_nginx_413_during_an_upload_is_the_answer_then_rst_stream_no_error(self):
        for transport, url, flags in self.nginx:
            with self.subTest(transport=transport):
                result, report = termprobe_report("probe", url("/"), "-X", "POST", "--body-bytes", "2000000",
                                                  "--count", "5", "-c", "5", *flags)
                self.assertEqual(result.returncode, 0, result.stderr)
                for entry in report["results"]:
                    self.assertEqual(entry["response"]["status"], 413)
                    self.assertTrue(entry["http2"]["end_stream"])
                    reset = entry["http2"]["reset"]
                    self.assertEqual((reset["name"], reset["when"]), ("NO_ERROR", "after_end_stream"))
                    self.assertEqual(entry["outcome"]["label"], "upload_aborted")
                    self.assertLess(entry["request"]["body_bytes_sent"], 2_000_000)

    def test_nginx_reuse_is_answered_below_the_idle_timeout_and_refused_above_it(self):
        for transport, url, flags in self.nginx:
            with self.subTest(transport=transport):
                result, report = termprobe_report("reuse", url("/"), "--idle", "100,1500", *flags)
                self.assertEqual(result.returncode, 0, result.stderr)
                second = {e["scenario"]: e for e in report["results"] if e["reused"]}
                self.assertEqual(second["reuse after 100 ms"]["reuse"]["outcome"], "answered")
                late = second["reuse after 1500 ms"]
                self.assertEqual(late["reuse"]["outcome"], "refused_by_goaway")
                self.assertEqual(late["http2"]["stream_id"], 3)
                self.assertEqual(late["reuse"]["closed_before_reuse"], "fin")

    def test_http2_falls_back_to_http1_when_alpn_declines_h2(self):
        server = self.nginx_without_h2
        result, report = termprobe_report("probe", server.url("/"), "--http2", "--cacert", server.cert, "--count", "3",
                                          "-c", "3")
        self.assertEqual(result.returncode, 0, result.stderr)
        for entry in report["results"]:
            self.assertEqual(entry["tls"]["alpn_offered"], ["h2", "http/1.1"])
            self.assertEqual(entry["tls"]["alpn"], "http/1.1")
            self.assertIsNone(entry["http2"])
            self.assertEqual(entry["outcome"]["label"], "keepalive")
        self.assertIn("TLSv1.2 (h2 declined, ALPN http/1.1)", result.stdout)

    def test_haproxy_reject_is_rst_stream_and_goaway_enhance_your_calm_then_fin(self):
        for transport, url, flags in self.haproxy:
            with self.subTest(transport=transport):
                result, report = termprobe_report("probe", url("/reject"), "--count", CONNECTIONS, "-c", "5", *flags)
                self.assertEqual(result.returncode, 0, result.stderr)
                for entry in report["results"]:
                    self.assertEqual(entry["outcome"]["label"], "stream_reset")
                    self.assertEqual(entry["http2"]["reset"]["name"], "ENHANCE_YOUR_CALM")
                    self.assertEqual([g["name"] for g in entry["http2"]["goaways"]], ["ENHANCE_YOUR_CALM"])
                    self.assertEqual(entry["ending"]["kind"], "fin")

    def test_haproxy_idle_is_goaway_no_error_then_fin(self):
        for transport, url, flags in self.haproxy:
            with self.subTest(transport=transport):
                result, report = termprobe_report("idle", url("/"), "--max", "5", *flags)
                self.assertEqual(result.returncode, 0, result.stderr)
                entry = report["results"][0]
                self.assertEqual(entry["ending"]["kind"], "fin")
                self.assertGreater(entry["ending"]["after_response_us"], 900_000)
                self.assertLess(entry["ending"]["after_response_us"], 1_900_000)
                self.assertEqual([g["name"] for g in entry["http2"]["goaways"]], ["NO_ERROR"])


class HostileHttp2Servers(unittest.TestCase):
    """Scripted h2c servers (tests/fixtures/h2_wire_server.h) that break
    HTTP/2 or repeat a frame without end, against the real binary (issue 24)."""

    def test_a_protocol_violation_is_a_bad_response_at_once_with_the_violation_named(self):
        cases = [("window_update_overflow",
                  "HTTP/2 FLOW_CONTROL_ERROR: the server's WINDOW_UPDATE frame on stream 0 broke the protocol; "),
                 ("data_beyond_content_length", "HTTP/2: 1000 DATA bytes for content-length 100"),
                 ("push_promise_despite_disabled", "HTTP/2 PROTOCOL_ERROR: PUSH_PROMISE: push disabled; "),
                 ("rst_stream_zero", "HTTP/2 PROTOCOL_ERROR: RST_STREAM: stream_id == 0; "),
                 ("frame_over_max_size", "HTTP/2 FRAME_SIZE_ERROR: the server's frame header (type 0, stream 1) "
                                         "declares 16777215 bytes"),
                 ("data_on_unopened_stream", "HTTP/2 PROTOCOL_ERROR: DATA: stream in idle; ")]
        for behaviour, words in cases:
            with self.subTest(behaviour=behaviour), H2WireFixture(behaviour) as server:
                result, report = fresh_report("probe", server.url(), "--http2-prior-knowledge", "--count", "3",
                                              "--timeout", "10s", "--watch", "100ms")
                self.assertEqual(result.returncode, 0, result.stderr)
                for entry in report["results"]:
                    self.assertEqual(entry["outcome"]["label"], "bad_response")
                    self.assertTrue(entry["response"]["parse_error"].startswith(words), entry["response"])
                    # At once, not at the 10 s timeout: the watch ended it, the connection open.
                    self.assertEqual(entry["ending"]["kind"], "open")
                    self.assertLess(entry["timings_us"]["ended"], 5_000_000)
                self.assertIn(f"[{words}", result.stdout)
                self.assertNotIn("not HTTP/2", result.stdout)
                if behaviour == "data_beyond_content_length":
                    self.assertIn("HTTP 200  body 1000/100 B", result.stdout)

    def test_a_million_goaways_cost_no_more_memory_than_one(self):
        def probe(count):
            with H2WireFixture("goaway_repeated", "--goaways", str(count)) as server, ReportDir() as d:
                path = os.path.join(d, "r.json")
                code, stdout, rss = peak_rss_mib("probe", server.url(), "--http2-prior-knowledge", "--count", "1",
                                                 "--watch", "30s", "--timeout", "30s", "--json", path)
                self.assertEqual(code, 0, stdout)
                return read_report(path)["results"][0], stdout, rss, os.path.getsize(path)

        one, _, rss_one, _ = probe(1)
        many, line, rss_many, size = probe(1_000_000)
        self.assertEqual((one["http2"]["goaways_total"], one["http2"]["goaways_dropped"]), (1, 0))
        h2 = many["http2"]
        self.assertEqual(h2["goaways_total"], 1_000_000)
        self.assertEqual(len(h2["goaways"]), 9)
        self.assertEqual(h2["goaways_dropped"], 1_000_000 - 9)
        self.assertEqual(h2["goaways"][-1]["debug"], "last")
        self.assertEqual(many["outcome"]["label"], "close_after_response")  # the FIN behind them
        self.assertLess(rss_many - rss_one, 8, f"{rss_one:.1f} MiB for 1 GOAWAY, {rss_many:.1f} MiB for 1,000,000")
        self.assertLess(size, 64 * 1024)
        self.assertIn("999991 more GOAWAY not kept, GOAWAY(NO_ERROR, last stream 1)", line)
        self.assertLess(max(len(text) for text in line.splitlines()), 2000)


if __name__ == "__main__":
    unittest.main()
