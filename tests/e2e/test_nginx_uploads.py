"""A real-server suite: Debian's nginx refusing a large upload with 413
(client_max_body_size 1k), over http and https, 5 connections sequentially
and 20 at concurrency 20. One server behaviour gets one label, whatever the
probe's own timing, and no label says what its own entry refutes:

- default lingering close, which outlasts the probe's deadline: a complete
  413 during the upload and a connection still open at the deadline is
  early_response with announced_close_missed, never upload_stalled ("sent
  no response byte");
- a short lingering_timeout (nginx discards a refused body for up to that
  long, whatever lingering_close says): nginx answers and closes; whether
  its FIN or RST reached the probe while it was still sending or after it
  stopped (it stops once the answer is in), the label is upload_aborted."""

import unittest

from harness import Nginx, fresh_report, validate_report

LIMIT = "client_max_body_size 1k; location / {{ return 200 'ok'; }}"
BODY = ["--body-bytes", str(64 << 20)]


def server_block(tls, extra):
    listen = "listen 127.0.0.1:{port} ssl; ssl_certificate {cert}; ssl_certificate_key {key};" if tls \
        else "listen 127.0.0.1:{port};"
    return f"{listen} {extra} {LIMIT}"


class NginxUploadEndings(unittest.TestCase):
    def probe_both_ways(self, nginx, *flags):
        """20 sequential and 20 concurrent probes; each report's entries."""
        trust = ("--cacert", nginx.cert) if nginx.cert else ()
        entries = []
        for concurrency, count in (("1", "5"), ("20", "20")):
            result, report = fresh_report("probe", nginx.url("/"), *trust, *BODY, "--count", count,
                                          "--concurrency", concurrency, *flags)
            self.assertEqual(result.returncode, 0, result.stderr)
            validate_report(report)
            self.assertEqual(len(report["results"]), int(count))
            entries += [(entry, result.stdout) for entry in report["results"]]
        return entries

    def check_lingering_past_the_deadline(self, tls):
        # lingering_timeout 5 s (nginx's default) against a 1 s deadline.
        with Nginx(server_block(tls, ""), tls=tls) as nginx:
            entries = self.probe_both_ways(nginx, "--timeout", "1")
        for entry, stdout in entries:
            outcome = entry["outcome"]
            self.assertEqual(entry["response"]["status"], 413)
            self.assertTrue(entry["response"]["complete"])
            self.assertFalse(entry["request"]["complete"])
            self.assertEqual((outcome["phase"], outcome["label"]), ("upload", "early_response"))
            # The deadline ends the wait for the announced close, or the
            # default 1 s --watch when it outlasts the time left: either
            # way the connection was open when the probe stopped.
            self.assertIn(outcome["ending"], ("timeout", "open"))
            self.assertTrue(outcome["announced"])
            self.assertTrue(outcome["announced_close_missed"])
            self.assertTrue(outcome["response_before_abort"])
        self.assertRegex(stdout, r"(?m)^#\d+ +early_response +HTTP 413 ")
        self.assertIn("early_response: a complete answer arrived before the request body was all sent", stdout)
        self.assertNotIn("upload_stalled", stdout)

    def check_close_without_lingering(self, tls):
        with Nginx(server_block(tls, "lingering_close off; lingering_timeout 200ms;"), tls=tls) as nginx:
            entries = self.probe_both_ways(nginx, "--timeout", "5")
        for entry, _ in entries:
            outcome = entry["outcome"]
            self.assertEqual(entry["response"]["status"], 413)
            self.assertFalse(entry["request"]["complete"])
            self.assertEqual(outcome["phase"], "upload")
            self.assertIn(outcome["ending"], ("fin", "rst"))
            self.assertEqual(outcome["label"], "upload_aborted", entry)
            self.assertTrue(outcome["response_before_abort"])
            self.assertFalse(outcome["announced_close_missed"], entry)

    def test_an_answer_during_an_upload_that_lingers_past_the_deadline_is_early_response(self):
        self.check_lingering_past_the_deadline(tls=False)

    def test_the_same_over_tls(self):
        self.check_lingering_past_the_deadline(tls=True)

    def test_an_answer_then_a_close_is_upload_aborted_whoever_stopped_sending_first(self):
        self.check_close_without_lingering(tls=False)

    def test_the_same_close_over_tls(self):
        self.check_close_without_lingering(tls=True)


if __name__ == "__main__":
    unittest.main()
