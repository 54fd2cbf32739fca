"""The scripted TLS servers (tls_wire_fixture) through the termprobe binary:
for each way a server ends a TLS session after its response and each way a
handshake fails, the label, the report's tls part (schema-checked), the
exit code and the line printed per connection; that the probe sends
nothing and never closes first after the response; and the fixture's own
usage errors."""

import re
import subprocess
import unittest

from harness import TERMPROBE, TLS_WIRE_FIXTURE, TlsWireFixture, fresh_report

MS = r"\d+\.\d ms"
COMPLETE = r"HTTP 200  body 5/5 B  "  # the fixture's response, whole
CLOSE_NOTIFY = rf"TLSv1\.3 close_notify {MS} after response"
CLEAN_CLOSE = COMPLETE + rf"fin {MS} after response  " + CLOSE_NOTIFY


class ProbeCase(unittest.TestCase):
    def probe(self, server, *flags, url=None, count=2, watch="0.2"):
        """termprobe probe at the server with a --json report: the finished
        process, the report (validated) and the lines per connection (those
        starting with '#')."""
        result, report = fresh_report("probe", url or server.url(), "-n", str(count), "--watch", watch, *flags)
        self.assertIsNotNone(report, result.stderr)
        lines = [line for line in result.stdout.splitlines() if line.startswith("#")]
        self.assertEqual(len(lines), count, result.stdout)
        self.assertEqual(len(report["results"]), count)
        return result, report, lines

    def assert_every_entry(self, report, lines, label, line_pattern):
        for entry, line in zip(report["results"], lines):
            self.assertEqual(entry["outcome"]["label"], label, line)
            self.assertRegex(line, rf"^#\d+\s+{label}\s+{line_pattern}")


# behaviour: label, outcome.ending, tls.ending.kind, what the line says after the label
ENDINGS_AFTER_RESPONSE = {
    "close_notify_then_fin": ("close_after_response", "fin", "close_notify_then_fin", CLEAN_CLOSE),
    "close_notify_then_rst": ("reset_after_response", "rst", "close_notify_then_rst",
                              COMPLETE + rf"rst {MS} after response  " + CLOSE_NOTIFY),
    # The close_notify is the server's close (docs/outcomes.md, rule 3); TCP stays open.
    "close_notify_open": ("close_after_response", "open", "close_notify_open",
                          COMPLETE + "still open after watch  " + CLOSE_NOTIFY),
    "fin_without_close_notify": ("close_after_response", "fin", "fin_without_close_notify",
                                 COMPLETE + rf"fin {MS} after response  TLSv1\.3 no close_notify  "),
    "rst": ("reset_after_response", "rst", "rst",
            COMPLETE + rf"rst {MS} after response  TLSv1\.3  \[Connection reset by peer\]"),
    "alert_then_fin": ("close_after_response", "fin", "alert",
                       COMPLETE + rf"fin {MS} after response  TLSv1\.3 alert bad_record_mac  "),
}


class SessionEndingsAfterTheResponse(ProbeCase):
    def test_each_ending_is_the_servers_with_its_label_report_and_line(self):
        for behaviour, (label, tcp_ending, tls_ending, line_pattern) in ENDINGS_AFTER_RESPONSE.items():
            with self.subTest(behaviour), TlsWireFixture(behaviour) as server:
                result, report, lines = self.probe(server, "--cacert", server.ca)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assert_every_entry(report, lines, label, line_pattern)
                for entry in report["results"]:
                    tls = entry["tls"]
                    self.assertEqual(entry["outcome"]["phase"], "after_response")
                    self.assertEqual(entry["outcome"]["ending"], tcp_ending)
                    self.assertTrue(entry["response"]["complete"])
                    self.assertTrue(tls["established"])
                    self.assertTrue(tls["certificate"]["verified"])
                    self.assertIsNone(tls["failure"])
                    self.assertEqual(tls["ending"]["kind"], tls_ending)
                    self.assertIsNone(tls["ending"]["local_error"])
                    saw_close_notify = tls_ending.startswith("close_notify")
                    self.assertEqual(tls["ending"]["close_notify_after_response_us"] is not None, saw_close_notify)
                    if saw_close_notify:
                        self.assertGreaterEqual(tls["ending"]["close_notify_after_response_us"], 0)
                    if tls_ending != "alert":
                        self.assertIsNone(tls["ending"]["alert"])

    def test_the_fatal_alert_is_bad_record_mac_after_the_response(self):
        with TlsWireFixture("alert_then_fin") as server:
            result, report, _ = self.probe(server, "--cacert", server.ca)
        # The alert is the server's close (docs/outcomes.md, rule 3), and the label's meaning says so.
        self.assertIn("  close_after_response: clean close: the server closed (FIN, or over TLS close_notify or a "
                      "fatal alert) after a complete response\n", result.stdout)
        for entry in report["results"]:
            alert = entry["tls"]["ending"]["alert"]
            self.assertEqual((alert["level"], alert["description"], alert["code"]), ("fatal", "bad_record_mac", 20))
            self.assertGreaterEqual(alert["at_us"], entry["timings_us"]["response_complete"])

    def test_a_close_delimited_body_is_complete_only_with_close_notify(self):
        # RFC 9112 §9.8: a bare FIN could be an attacker's, so the body may be cut short.
        with TlsWireFixture("close_delimited_fin") as server:
            result, report, lines = self.probe(server, "--cacert", server.ca)
        self.assertIn("  truncated_response: the response ended before its body was complete: a FIN (HTTP/2: "
                      "END_STREAM) short of the declared length, no last chunk, or over TLS no close_notify after "
                      "a body without length\n", result.stdout)
        self.assert_every_entry(report, lines, "truncated_response",
                                rf"HTTP 200  body 22 B  fin at {MS}  TLSv1\.3 no close_notify  \(Connection: close\)")
        for entry in report["results"]:
            self.assertTrue(entry["response"]["close_delimited"])
            self.assertFalse(entry["response"]["complete"])
            self.assertEqual(entry["outcome"]["phase"], "mid_response")
            self.assertEqual(entry["tls"]["ending"]["kind"], "fin_without_close_notify")
        with TlsWireFixture("close_delimited_close_notify") as server:
            _, report, lines = self.probe(server, "--cacert", server.ca)
        self.assert_every_entry(report, lines, "close_after_response",
                                rf"HTTP 200  body 22 B  fin {MS} after response  TLSv1\.3 close_notify {MS} after "
                                r"response  \(Connection: close\)")
        for entry in report["results"]:
            self.assertTrue(entry["response"]["complete"])
            self.assertEqual(entry["response"]["body_bytes"], 22)
            self.assertEqual(entry["tls"]["ending"]["kind"], "close_notify_then_fin")

    def test_the_probe_sends_nothing_and_never_closes_first_after_the_response(self):
        # The server holds the session 300 ms, then sends close_notify and FIN;
        # the fixture counts what each client did meanwhile.
        with TlsWireFixture("complete_hold_then_close", "--hold-ms", "300") as server:
            _, report, lines = self.probe(server, "--cacert", server.ca, watch="1")
            summary = server.stop()
        self.assert_every_entry(report, lines, "close_after_response", CLEAN_CLOSE)
        for entry in report["results"]:
            self.assertEqual(entry["tls"]["ending"]["kind"], "close_notify_then_fin")
            # The hold starts after the request arrived, so after the probe's clock did; the time
            # after the response may be 0 on a busy machine that read both in one go.
            self.assertGreaterEqual(entry["tls"]["ending"]["close_notify_us"], 300_000)
            self.assertGreaterEqual(entry["tls"]["ending"]["close_notify_after_response_us"], 0)
        self.assertEqual(summary, {"connections": 2, "client_bytes": 0, "client_fins": 0, "client_resets": 0,
                                   "first_client_close_ms": None, "offered_versions": ["1.3", "1.2"]})

    def test_a_watch_shorter_than_the_hold_is_the_probes_close_and_reported_as_keepalive(self):
        # The other side of the test above: when the probe does leave first,
        # the fixture sees it, and the report does not call it the server's.
        with TlsWireFixture("complete_hold_then_close", "--hold-ms", "2000") as server:
            _, report, lines = self.probe(server, "--cacert", server.ca, watch="0.1")
            summary = server.stop()
        self.assert_every_entry(report, lines, "keepalive", COMPLETE + r"still open after watch  TLSv1\.3  ")
        for entry in report["results"]:
            self.assertEqual(entry["tls"]["ending"]["kind"], "open")
        self.assertEqual(summary["client_fins"], 2)
        self.assertEqual(summary["client_bytes"], 0)  # a FIN, no close_notify
        self.assertGreaterEqual(summary["first_client_close_ms"], 90)


# behaviour: extra flags, tls.failure.kind, its reason, outcome.ending, the alert (code, name) or None
HANDSHAKE_FAILURES = {
    "rst_on_client_hello": ((), "rst", "the server reset the connection during the TLS handshake", "rst", None),
    "fin_on_client_hello": ((), "fin", "the server closed the connection (FIN) during the TLS handshake", "fin", None),
    "hang_in_handshake": (("--connect-timeout", "0.3"), "timeout", "the TLS handshake was not complete within 300 ms",
                          "timeout", None),
    "alert_handshake_failure": ((), "alert", "the server sent alert handshake_failure", "error",
                                (40, "handshake_failure")),
    "alert_protocol_version": (("--tls-max", "1.2"), "alert", "the server sent alert protocol_version", "error",
                               (70, "protocol_version")),
    "alert_unrecognized_name": ((), "alert", "the server sent alert unrecognized_name", "error",
                                (112, "unrecognized_name")),
}

# behaviour: OpenSSL's verdict on the certificate, its subject's CN
UNTRUSTED_CERTIFICATES = {
    "certificate_self_signed": ("self-signed certificate", "localhost"),
    "certificate_expired": ("certificate has expired", "localhost"),
    "certificate_wrong_name": ("IP address mismatch", "other.invalid"),
    "certificate_unknown_ca": ("unable to get local issuer certificate", "localhost"),
}


class HandshakeFailures(ProbeCase):
    def assert_tls_failed(self, result, report, lines, kind, reason, tcp_ending):
        self.assertEqual(result.returncode, 0, result.stderr)  # TCP connected: measured, not unreachable
        self.assert_every_entry(report, lines, "tls_failed", rf"{tcp_ending} at {MS}  TLS failed: {re.escape(reason)}")
        for entry in report["results"]:
            tls = entry["tls"]
            self.assertEqual(entry["outcome"]["phase"], "tls")
            self.assertEqual(entry["outcome"]["ending"], tcp_ending)
            self.assertFalse(tls["established"])
            self.assertEqual(tls["failure"], {"kind": kind, "reason": reason})
            self.assertIsNone(tls["ending"]["kind"])
            self.assertEqual(entry["request"]["bytes_sent"], 0)  # no request went out
            self.assertIsNone(entry["response"]["status"])

    def test_each_failure_is_tls_failed_with_its_kind_reason_and_alert(self):
        for behaviour, (flags, kind, reason, tcp_ending, alert) in HANDSHAKE_FAILURES.items():
            with self.subTest(behaviour), TlsWireFixture(behaviour) as server:
                result, report, lines = self.probe(server, "--cacert", server.ca, *flags, count=1)
                self.assert_tls_failed(result, report, lines, kind, reason, tcp_ending)
                got = report["results"][0]["tls"]["ending"]["alert"]
                if alert is None:
                    self.assertIsNone(got)
                else:
                    self.assertEqual((got["level"], got["code"], got["description"]), ("fatal", *alert))

    def test_the_hang_ends_at_the_connect_timeout(self):
        with TlsWireFixture("hang_in_handshake") as server:
            _, report, _ = self.probe(server, "--cacert", server.ca, "--connect-timeout", "0.3", count=1)
        self.assertGreaterEqual(report["results"][0]["timings_us"]["ended"], 300_000)

    def test_protocol_version_needs_a_client_without_tls_1_3(self):
        with TlsWireFixture("alert_protocol_version") as server:
            _, report, _ = self.probe(server, "--cacert", server.ca, count=1)
        self.assertEqual(report["results"][0]["outcome"]["label"], "close_after_response")
        self.assertEqual(report["results"][0]["tls"]["version"], "TLSv1.3")

    def test_certificates_the_probe_does_not_trust_fail_in_the_tls_phase(self):
        for behaviour, (verdict, common_name) in UNTRUSTED_CERTIFICATES.items():
            with self.subTest(behaviour), TlsWireFixture(behaviour) as server:
                result, report, lines = self.probe(server, "--cacert", server.ca, count=1)
                reason = f"certificate verify failed: {verdict}"
                self.assert_tls_failed(result, report, lines, "certificate", reason, "error")
                certificate = report["results"][0]["tls"]["certificate"]
                self.assertFalse(certificate["verified"])
                self.assertEqual(certificate["verify_result"], verdict)
                self.assertTrue(certificate["subject"].startswith(f"CN={common_name},"), certificate["subject"])
                self.assertIsNone(report["results"][0]["tls"]["ending"]["alert"])  # the server sent none

    def test_the_wrong_name_by_dns_name_is_a_hostname_mismatch(self):
        with TlsWireFixture("certificate_wrong_name") as server:
            result, report, lines = self.probe(server, "--cacert", server.ca, "--resolve", server.resolve(),
                                               url=server.url(host="localhost"), count=1)
        self.assert_tls_failed(result, report, lines, "certificate", "certificate verify failed: hostname mismatch",
                               "error")
        self.assertFalse(report["results"][0]["tls"]["certificate"]["name_matched"])

    def test_the_unknown_ca_given_as_cacert_is_trusted(self):
        with TlsWireFixture("certificate_unknown_ca") as server:
            result, report, lines = self.probe(server, "--cacert", server.issuer)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_every_entry(report, lines, "close_after_response", CLEAN_CLOSE)
        for entry in report["results"]:
            self.assertTrue(entry["tls"]["certificate"]["verified"])
            self.assertEqual(entry["tls"]["ending"]["kind"], "close_notify_then_fin")

    def test_insecure_goes_on_and_still_says_what_was_wrong(self):
        for behaviour, (verdict, _) in UNTRUSTED_CERTIFICATES.items():
            with self.subTest(behaviour), TlsWireFixture(behaviour) as server:
                result, report, lines = self.probe(server, "-k", "--cacert", server.ca, count=1)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assert_every_entry(report, lines, "close_after_response",
                                        CLEAN_CLOSE)
                tls = report["results"][0]["tls"]
                self.assertFalse(tls["certificate"]["verified"])
                self.assertEqual(tls["certificate"]["verify_result"], verdict)
                self.assertEqual(tls["ending"]["kind"], "close_notify_then_fin")


TOO_LONG_RECORD_BYTES = 5 + 2**14 + 2048 + 1  # the fixture's record: its header and the 18,433 bytes it declares
TOO_LONG_REASON = "a record of 18433 bytes, longer than TLS allows (18432): packet length too long"


class UnreadableRecordsAfterTheHandshake(ProbeCase):
    """A record longer than TLS allows instead of a response: bytes that are
    not a valid response (bad_response), decided at the record's header, with
    every byte counted, whatever the server does next."""

    def test_a_record_too_long_is_a_bad_response_however_the_server_goes_on(self):
        for behaviour, tcp_ending, ending_text in (("record_too_long_then_silence", "open", "still open after watch"),
                                                   ("record_too_long_then_fin", "fin", rf"fin at {MS}")):
            with self.subTest(behaviour), TlsWireFixture(behaviour) as server:
                result, report, lines = self.probe(server, "--cacert", server.ca, "--timeout", "10", count=1)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assert_every_entry(report, lines, "bad_response",
                                        rf"unreadable TLS records \({re.escape(TOO_LONG_REASON)}; "
                                        rf"{TOO_LONG_RECORD_BYTES} B\)  {ending_text}  TLSv1\.3")
                self.assertIn("  bad_response: bytes that are not a valid response: not HTTP, HTTP/2 frames that break "
                              "the protocol, or over TLS records the probe cannot read (see response.parse_error)\n",
                              result.stdout)
                entry = report["results"][0]
                self.assertNotIn("plain-http", result.stdout)
                self.assertEqual(entry["outcome"]["ending"], tcp_ending)
                self.assertEqual(entry["response"]["parse_error"], "unreadable TLS record: " + TOO_LONG_REASON)
                self.assertEqual(entry["response"]["wire_bytes"], TOO_LONG_RECORD_BYTES)
                self.assertIsNone(entry["response"]["status"])
                self.assertEqual(entry["tls"]["ending"]["local_error"], TOO_LONG_REASON)
                self.assertIsNone(entry["tls"]["ending"]["alert"])
                # At once: the watch (0.2 s) after the record, not the 10 s deadline.
                self.assertLess(entry["timings_us"]["ended"], 5_000_000)
                summary = server.stop()
                self.assertEqual(summary["client_bytes"], 0)  # no alert went back


class TlsVersionsOffered(ProbeCase):
    """TLS 1.2 and 1.3 by default, as curl and browsers; 1.0 and 1.1 only
    with --tls-min. The fixture records what each ClientHello offered."""

    def test_the_default_offers_tls_1_2_and_1_3_only(self):
        with TlsWireFixture("close_notify_then_fin") as server:
            self.probe(server, "--cacert", server.ca, count=1)
            self.assertEqual(server.stop()["offered_versions"], ["1.3", "1.2"])

    def test_a_tls_1_0_server_fails_the_default_handshake_with_its_version(self):
        with TlsWireFixture("tls1_0_only") as server:
            result, report, lines = self.probe(server, "--cacert", server.ca, count=1)
            summary = server.stop()
        reason = ("the server offered only TLS 1.0 (protocol version): the probe offers TLS 1.2 and up; "
                  "--tls-min 1.0 allows TLS 1.0")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_every_entry(report, lines, "tls_failed", rf"\S+ at {MS}  TLS failed: {re.escape(reason)}")
        tls = report["results"][0]["tls"]
        self.assertEqual(tls["failure"], {"kind": "protocol", "reason": reason})
        self.assertIsNone(tls["ending"]["alert"])
        self.assertEqual(summary["offered_versions"], ["1.3", "1.2"])

    def test_tls_min_1_0_offers_it_and_reaches_the_server(self):
        with TlsWireFixture("tls1_0_only") as server:
            result, report, lines = self.probe(server, "--cacert", server.ca, "--tls-min", "1.0", count=1)
            summary = server.stop()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_every_entry(report, lines, "close_after_response",
                                COMPLETE + rf"fin {MS} after response  TLSv1 close_notify {MS} after response")
        tls = report["results"][0]["tls"]
        self.assertEqual(tls["version"], "TLSv1")
        self.assertTrue(tls["certificate"]["verified"])
        self.assertEqual(summary["offered_versions"], ["1.3", "1.2", "1.1", "1.0"])

    def test_help_says_what_is_offered_by_default(self):
        result = subprocess.run([TERMPROBE, "probe", "--help"], capture_output=True, text=True, timeout=10)
        self.assertIn("default 1.2", result.stdout)


class FixtureExecutable(unittest.TestCase):
    def test_bad_arguments_get_the_usage_and_exit_2(self):
        for arguments in (["no_such_behaviour"], ["rst", "--hold-ms", "x"], ["rst", "--hold-ms", "-1"],
                          ["rst", "--hold-ms"], ["rst", "--write-ca", ""], ["rst", "--no-such-option", "1"], []):
            result = subprocess.run([TLS_WIRE_FIXTURE, *arguments], capture_output=True, text=True, timeout=10)
            self.assertEqual(result.returncode, 2, arguments)
            self.assertTrue(result.stderr.startswith("usage: tls_wire_fixture BEHAVIOUR"), result.stderr)
            self.assertEqual(result.stdout, "")

    def test_an_unwritable_ca_path_is_exit_1(self):
        result = subprocess.run([TLS_WIRE_FIXTURE, "rst", "--write-ca", "/nonexistent-dir/ca.pem"],
                                capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr, "tls_wire_fixture: cannot write the CA file\n")

    def test_the_written_ca_and_issuer_are_pem_certificates(self):
        with TlsWireFixture("certificate_unknown_ca") as server:
            with open(server.ca, encoding="ascii") as ca, open(server.issuer, encoding="ascii") as issuer:
                ca_pem, issuer_pem = ca.read(), issuer.read()
        for pem in (ca_pem, issuer_pem):
            self.assertTrue(pem.startswith("-----BEGIN CERTIFICATE-----"), pem[:40])
        self.assertNotEqual(ca_pem, issuer_pem)  # the unknown CA is a second one


if __name__ == "__main__":
    unittest.main()
