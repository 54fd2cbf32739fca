"""The options a curl user types (issue 25): -u, --connect-to, -4/-6,
--local-port, --cert/--key, --max-time, and probe's --expect and summary
lines. The real binary against servers on loopback that each test starts and
stops: what the server received, what the report and lines say, and bad
input word for word."""

import base64
import json
import os
import socket
import subprocess
import unittest

from harness import (CommandTestCase, Nginx, RecordingServer, ReportDir, WireFixture, fresh_report, report_of,
                     run_termprobe, self_signed_certificate, unused_port, wait_for_port, write_file)

SECRET = "s3cret-pw"


def header(request, name):
    return next((v for n, v in request["headers"] if n.lower() == name.lower()), None)


def basic(user_password):
    return "Basic " + base64.b64encode(user_password.encode()).decode()


class UserOption(CommandTestCase):
    def test_sends_basic_credentials_over_the_urls_and_hides_the_password_everywhere(self):
        with RecordingServer() as server, ReportDir() as d:
            result, report = report_of(d, "-v", "probe", server.url(userinfo="url:userpw"), "-u", f"alice:{SECRET}",
                                       "--watch", "0")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(header(server.received()[0], "Authorization"), basic(f"alice:{SECRET}"))
            with open(os.path.join(d, "r.json"), encoding="utf-8") as text:
                everything = text.read() + result.stdout + result.stderr
            self.assertNotIn(SECRET, everything)
            self.assertNotIn(base64.b64encode(f"alice:{SECRET}".encode()).decode(), everything)
            self.assertIn(f"alice:<redacted: {len(SECRET)} chars>", report["command"])

    def test_attached_and_long_forms_are_hidden_too(self):
        with RecordingServer() as server:
            for form in ([f"-ualice:{SECRET}"], [f"--user=alice:{SECRET}"], ["-ku", f"alice:{SECRET}"]):
                result, report = fresh_report("probe", server.url(), *form, "--watch", "0")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertNotIn(SECRET, json.dumps(report), form)
            self.assertEqual({header(r, "Authorization") for r in server.received()}, {basic(f"alice:{SECRET}")})

    def test_a_header_of_the_users_wins_as_with_curl(self):
        with RecordingServer() as server:
            result = run_termprobe("probe", server.url(), "-u", "alice:pw", "-H", "Authorization: Bearer t",
                                   "--watch", "0")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual([v for n, v in server.received()[0]["headers"] if n == "Authorization"], ["Bearer t"])

    def test_without_a_password_is_refused_without_echoing_it(self):
        result = run_termprobe("probe", "http://127.0.0.1:1/", "-u", "alice")
        self.assert_refused(result, "USER:PASSWORD", "does not prompt")


class WhereTheSocketGoes(CommandTestCase):
    def test_connect_to_keeps_the_urls_host_header(self):
        with RecordingServer() as server:
            result, report = fresh_report("probe", "http://example.test/x", "--connect-to",
                                          f"example.test:80:127.0.0.1:{server.port}", "--watch", "0")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(header(server.received()[0], "Host"), "example.test")
            self.assertEqual(report["results"][0]["remote"], {"address": "127.0.0.1", "port": server.port})

    def test_connect_to_then_resolve_in_curls_order(self):
        with RecordingServer() as server:
            result = run_termprobe("probe", "http://example.test/x", "--connect-to", f"::backend.test:{server.port}",
                                   "--resolve", f"backend.test:{server.port}:127.0.0.1", "--watch", "0")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(header(server.received()[0], "Host"), "example.test")

    def test_bad_connect_to_is_named(self):
        result = run_termprobe("probe", "http://127.0.0.1:1/", "--connect-to", "a:80:b")
        self.assert_refused(result, "--connect-to 'a:80:b'", "it has 3 parts, not 4")

    def test_ipv4_only_and_ipv6_only(self):
        with RecordingServer() as server:
            result = run_termprobe("probe", server.url(), "-4", "--watch", "0")
            self.assertEqual(result.returncode, 0, result.stderr)
            refused = run_termprobe("probe", server.url(), "-6")
            self.assertEqual(refused.returncode, 3, refused.stderr)
            self.assertIn("(-6: IPv6 only)", refused.stderr)
        both = run_termprobe("probe", "http://127.0.0.1:1/", "-4", "-6")
        self.assertEqual(both.returncode, 2)
        self.assertIn("excludes", both.stderr)

    def test_local_port_is_the_connections_and_a_busy_one_is_refused(self):
        with RecordingServer() as server:
            port = unused_port()
            result, report = fresh_report("probe", server.url(), "--local-port", str(port), "--watch", "0")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(report["results"][0]["local"]["port"], port)
            with socket.create_server(("127.0.0.1", 0)) as busy:
                taken = busy.getsockname()[1]
                refused = run_termprobe("probe", server.url(), "--local-port", str(taken))
            self.assert_refused(refused, f"--local-port {taken}: the port is in use")
            self.assertEqual(len(server.received()), 1)  # the refused run sent nothing

    def test_a_local_port_range_serves_several_connections(self):
        with RecordingServer() as server:
            low = unused_port()
            result, report = fresh_report("probe", server.url(), "--local-port", f"{low}-{low + 20}", "-n", "3",
                                          "--watch", "0")
            self.assertEqual(result.returncode, 0, result.stderr)
            ports = [r["local"]["port"] for r in report["results"]]
            self.assertEqual(len(set(ports)), 3)
            self.assertTrue(all(low <= p <= low + 20 for p in ports), ports)
        bad = run_termprobe("probe", "http://127.0.0.1:1/", "--local-port", "9-3")
        self.assert_refused(bad, "9-3: not a port 1-65535 or a range")
        # a port free now: a fixed one may be another test's ephemeral port, and a busy port is refused first
        with_clients = run_termprobe("clients", "http://127.0.0.1:1/", "--local-port", str(unused_port()))
        self.assert_refused(with_clients, "--local-port does not go with clients", "relay")


MTLS_SERVER = """
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_client_certificate {cert};
    ssl_verify_client on;
    location / {{ return 200 "$ssl_client_s_dn\\n"; }}
"""


class ClientCertificates(CommandTestCase):
    """nginx with ssl_verify_client on, trusting its own self-signed certificate as the client CA: the
    client presents that same certificate and key."""

    @classmethod
    def setUpClass(cls):
        cls.nginx = Nginx(MTLS_SERVER, tls=True)
        cls.trust = ("--cacert", cls.nginx.cert)

    @classmethod
    def tearDownClass(cls):
        cls.nginx.__exit__(None, None, None)

    def test_with_the_certificate_the_server_answers(self):
        result, report = fresh_report("probe", self.nginx.url("/"), *self.trust, "--cert", self.nginx.cert, "--key",
                                      self.nginx.key, "--watch", "0.1")
        self.assertEqual(result.returncode, 0, result.stderr)
        entry = report["results"][0]
        self.assertEqual(entry["outcome"]["label"], "keepalive")
        self.assertEqual(entry["response"]["status"], 200)

    def test_without_one_nginx_answers_400_and_the_label_says_what_it_did(self):
        result, report = fresh_report("probe", self.nginx.url("/"), *self.trust, "--watch", "0.1",
                                      "--expect", "keepalive/200")
        self.assertEqual(result.returncode, 1, result.stderr)
        entry = report["results"][0]
        self.assertEqual(entry["response"]["status"], 400)
        self.assertIn(f"expected keepalive/200, observed {entry['outcome']['label']}/400 x1", result.stderr)

    def test_clients_curl_presents_it_and_a_driver_says_it_cannot(self):
        result, report = fresh_report("clients", self.nginx.url("/"), *self.trust, "--cert", self.nginx.cert, "--key",
                                      self.nginx.key, "--clients", "curl,python-requests", "--watch", "0.1")
        self.assertEqual(result.returncode, 0, result.stderr)
        clients = {c["client"]: c for c in report["results"][0]["clients"]}
        self.assertEqual(clients["curl"]["status"], 200)
        self.assertEqual(clients["python-requests"]["outcome"], "unsupported")
        self.assertIn("client certificates are passed to curl only", clients["python-requests"]["error"]["message"])

    def test_a_tls13_server_that_refuses_in_the_handshake_is_its_alert(self):
        """OpenSSL's s_server -Verify over TLS 1.3: the client's Finished goes out before the server judges
        it, so the refusal is a fatal alert where the response would be, then FIN."""
        with ReportDir() as d:
            cert, key = self_signed_certificate(d)
            port = unused_port()
            server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert, "-key",
                                       key, "-Verify", "1", "-CAfile", cert, "-tls1_3", "-www", "-quiet"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                wait_for_port(port, server)
                result, report = report_of(d, "probe", f"https://127.0.0.1:{port}/", "--cacert", cert, "--watch",
                                           "0.1")
            finally:
                server.terminate()
                server.wait(timeout=10)
        self.assertEqual(result.returncode, 0, result.stderr)
        entry = report["results"][0]
        self.assertEqual(entry["outcome"]["label"], "empty_reply")
        self.assertEqual(entry["tls"]["ending"]["alert"]["description"], "certificate_required")
        self.assertIn("alert certificate_required", result.stdout)

    def test_a_file_that_is_no_certificate_is_one_line(self):
        with ReportDir() as d:
            junk = write_file(d, "junk.pem", "not a certificate\n")
            result = run_termprobe("probe", self.nginx.url("/"), "--cert", junk)
            self.assert_refused(result, f"--cert '{junk}': no PEM certificate there")
            result = run_termprobe("probe", self.nginx.url("/"), "--cert", self.nginx.cert, "--key", junk)
            self.assert_refused(result, f"--key '{junk}'")


class ProbeLines(CommandTestCase):
    def test_max_time_is_timeout(self):
        with WireFixture("no_response") as fixture:
            result, report = fresh_report("probe", fixture.url(), "--max-time", "0.2")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(report["results"][0]["outcome"]["label"], "timeout_before_response")
        help_text = run_termprobe("probe", "--help").stdout
        self.assertIn("--max-time", help_text)

    def test_expect_failing_says_what_was_observed(self):
        with RecordingServer() as server:
            result = run_termprobe("probe", server.url(), "-n", "2", "--watch", "0", "--expect",
                                   "close_after_response")
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn("--expect failed: expected close_after_response, observed keepalive/200 x2",
                          result.stderr)

    def test_summary_has_elapsed_time_and_rate(self):
        with RecordingServer() as server:
            result = run_termprobe("probe", server.url(), "-n", "3", "--watch", "0", "-q")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertRegex(result.stdout, r"3 of 3 connection\(s\), keepalive 3 in \d+(\.\d\d)? m?s, "
                                            r"\d+\.\d connections/s")


class EveryCommand(CommandTestCase):
    def test_check_file_keys(self):
        with RecordingServer() as server, ReportDir() as d:
            path = write_file(d, "c.toml", f"""
[[probe]]
name = "moved"
url = "http://example.test/x"
connect_to = ["example.test:80:127.0.0.1:{server.port}"]
ipv4 = true
user = "alice:{SECRET}"
watch = 0
expect = ["keepalive"]
""")
            result, report = report_of(d, "check", path)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            request = server.received()[0]
            self.assertEqual(header(request, "Host"), "example.test")
            self.assertEqual(header(request, "Authorization"), basic(f"alice:{SECRET}"))
            self.assertNotIn(SECRET, json.dumps(report) + result.stdout + result.stderr)

    def test_idle_and_reuse_take_them(self):
        with RecordingServer() as server:
            for command in (["idle", "--max", "0.2"], ["reuse", "--idle", "10"]):
                result = run_termprobe(command[0], "http://example.test/x", *command[1:], "--connect-to",
                                       f"example.test:80:127.0.0.1:{server.port}", "-u", "bob:pw")
                self.assertIn(result.returncode, (0, 1), result.stderr)
            self.assertGreaterEqual(len(server.received()), 2)
            for request in server.received():
                self.assertEqual(header(request, "Host"), "example.test")
                self.assertEqual(header(request, "Authorization"), basic("bob:pw"))

    def test_curl_client_gets_them_and_the_drivers_say_what_they_cannot(self):
        with RecordingServer() as server:
            result, report = fresh_report("clients", "http://example.test/x", "--clients", "curl", "--connect-to",
                                          f"example.test:80:127.0.0.1:{server.port}", "-u", f"carol:{SECRET}",
                                          "--watch", "0")
            self.assertEqual(result.returncode, 0, result.stderr)
            auth = {header(r, "Authorization") for r in server.received()}
            self.assertEqual(auth, {basic(f"carol:{SECRET}")})
            self.assertNotIn(SECRET, json.dumps(report))


if __name__ == "__main__":
    unittest.main()
