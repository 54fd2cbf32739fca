"""`termprobe serve --tls` (and --cert/--key, --write-cert): the module host
over HTTPS, driven by Python's own TLS client and by openssl."""

import datetime
import http.client
import json
import os
import signal
import ssl
import subprocess
import unittest

from harness import ReportDir, Serve, run_termprobe, validate_report

SCENARIOS = ["ok", "need-disconnect", "reset", "reset-continue", "reset-after-flush", "cancel-io-read",
             "cancel-io-send"]
# What the host was measured to do over TLS (the reference profile's "tls" parts).
TLS_ENDINGS = {"ok": "open", "need-disconnect": "close_notify_then_fin", "reset": "rst", "reset-continue": "rst",
               "reset-after-flush": "rst", "cancel-io-read": "rst", "cancel-io-send": "open"}


def https_get(server, cafile, path="/termprobe/ok", host="127.0.0.1"):
    """(status, body, the certificate as Python's ssl module reads it)."""
    context = ssl.create_default_context(cafile=cafile)
    connection = http.client.HTTPSConnection(host, server.port, context=context, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), connection.sock.getpeercert()
    finally:
        connection.close()


def make_key_pair(directory):
    """A certificate and key of the user's own, made by the openssl command."""
    cert, key = os.path.join(directory, "own.pem"), os.path.join(directory, "own.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=own-test",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


class ServeTls(unittest.TestCase):
    def test_tls_serves_https_with_the_written_self_signed_certificate(self):
        with ReportDir() as directory:
            cert = os.path.join(directory, "host.pem")
            with Serve("--tls", "--write-cert", cert) as server:
                self.assertTrue(server.base_url.startswith("https://127.0.0.1:"), server.base_url)
                status, body, peer = https_get(server, cert)
                localhost_status, _, _ = https_get(server, cert, host="localhost")
                code, _, err = server.stop(signal.SIGTERM)
            with open(cert, encoding="ascii") as pem:
                self.assertTrue(pem.read().startswith("-----BEGIN CERTIFICATE-----\n"))
        self.assertEqual((status, body), (200, b"termprobe ok\n"))
        self.assertEqual(localhost_status, 200)
        self.assertEqual(sorted(peer["subjectAltName"]),
                         [("DNS", "localhost"), ("IP Address", "0:0:0:0:0:0:0:1"), ("IP Address", "127.0.0.1")])
        not_after = datetime.datetime.fromtimestamp(ssl.cert_time_to_seconds(peer["notAfter"]),
                                                    tz=datetime.timezone.utc)
        days_left = (not_after - datetime.datetime.now(tz=datetime.timezone.utc)).total_seconds() / 86400
        self.assertTrue(6.9 < days_left <= 7.0, days_left)
        self.assertEqual(code, 0, err)
        self.assertEqual(server.tls_line, "termprobe serve: TLS with a self-signed certificate for localhost, "
                                          f"127.0.0.1 and ::1, valid 7 days, written to {cert}\n")

    def test_each_start_makes_a_new_certificate(self):
        with ReportDir() as directory:
            pems = []
            for name in ["one.pem", "two.pem"]:
                path = os.path.join(directory, name)
                with Serve("--write-cert", path):
                    pass
                with open(path, encoding="ascii") as pem:
                    pems.append(pem.read())
        self.assertNotEqual(pems[0], pems[1])

    def test_the_certificate_is_not_trusted_without_it(self):
        with Serve("--tls") as server:
            with self.assertRaises(ssl.SSLCertVerificationError):
                https_get(server, cafile=None)

    def test_ipv6_loopback(self):
        with ReportDir() as directory:
            cert = os.path.join(directory, "host.pem")
            with Serve("--write-cert", cert, listen="[::1]:0") as server:
                self.assertTrue(server.base_url.startswith("https://[::1]:"), server.base_url)
                status, _, _ = https_get(server, cert, host="::1")
        self.assertEqual(status, 200)

    def test_cert_and_key_of_ones_own(self):
        with ReportDir() as directory:
            cert, key = make_key_pair(directory)
            written = os.path.join(directory, "written.pem")
            with Serve("--cert", cert, "--key", key, "--write-cert", written) as server:
                status, _, peer = https_get(server, cert)
            with open(cert, encoding="ascii") as own, open(written, encoding="ascii") as copy:
                self.assertEqual(own.read(), copy.read())
        self.assertEqual(status, 200)
        self.assertIn((("commonName", "own-test"),), peer["subject"])
        self.assertIn(f"TLS with the certificate of --cert {cert}", server.tls_line)

    def test_plain_serve_prints_no_tls_line(self):
        with Serve() as server:
            _, out, _ = server.stop()
        self.assertTrue(server.base_url.startswith("http://"))
        self.assertEqual(out, "termprobe serve: stopped\n")


def run_report(directory, *args, env=None):
    path = os.path.join(directory, "run.json")
    result = subprocess.run([os.environ["TERMPROBE"], "run", *args, "--json", path], capture_output=True,
                            text=True, timeout=300, env=env)
    report = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as report_file:
            report = validate_report(json.load(report_file))
    return result, report


class RunTls(unittest.TestCase):
    def test_reference_profile_holds_over_tls_with_its_tls_endings(self):
        with ReportDir() as directory, ReportDir() as temporary:
            env = dict(os.environ, TMPDIR=temporary)
            result, report = run_report(directory, "--tls", "--repeat", "20", "--concurrency", "4", env=env)
            self.assertEqual(os.listdir(temporary), [], "the run's certificate file is removed")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("embedded module host (Linux) on https://127.0.0.1:", result.stdout)
        self.assertEqual([t["target"] for t in report["targets"]], ["embedded-tls"])
        self.assertEqual([v["scenario"] for v in report["verdicts"]], SCENARIOS)
        for verdict in report["verdicts"]:
            scenario = verdict["scenario"]
            self.assertEqual(verdict["verdict"], "pass", scenario)
            self.assertEqual(verdict["tls_ending"], {"expected": [TLS_ENDINGS[scenario]],
                                                     "observed": {TLS_ENDINGS[scenario]: 20}}, scenario)
        for entry in report["results"]:
            self.assertTrue(entry["tls"]["certificate"]["verified"], entry["tls"])
            self.assertEqual(entry["tls"]["alpn"], "http/1.1")
        self.assertRegex(result.stdout, r"(?m)^need-disconnect +close_after_response/200, tls close_notify_then_fin +"
                                        r"close_after_response/200 x20; tls close_notify_then_fin x20 +pass$")

    def test_tls_both_runs_plain_and_tls_in_one_report(self):
        with ReportDir() as directory:
            result, report = run_report(directory, "--tls-both", "--repeat", "3")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual([t["target"] for t in report["targets"]], ["embedded", "embedded-tls"])
        self.assertEqual(report["summary"]["total"], 42)
        plain = [v for v in report["verdicts"] if v["target"] == "embedded"]
        tls = [v for v in report["verdicts"] if v["target"] == "embedded-tls"]
        self.assertEqual([v["verdict"] for v in plain + tls], ["pass"] * 14)
        self.assertTrue(all(v["tls_ending"] is None for v in plain))
        self.assertTrue(all(v["tls_ending"]["expected"] for v in tls))
        self.assertTrue(all(e["tls"] is None for e in report["results"] if e["target"] == "embedded"))

    def test_iis_profile_leaves_every_tls_expectation_unverified(self):
        with ReportDir() as directory:
            result, report = run_report(directory, "--tls", "--profile", "iis", "--repeat", "2")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        for verdict in report["verdicts"]:
            self.assertEqual(verdict["verdict"], "unverified", verdict["scenario"])
            self.assertTrue(verdict["note"].startswith("unverified: "), verdict["note"])
            self.assertIsNone(verdict["tls_ending"]["expected"])

    def test_a_wrong_tls_ending_fails_the_run(self):
        with ReportDir() as directory:
            profile = os.path.join(directory, "wrong.json")
            with open(profile, "w", encoding="utf-8") as profile_file:
                json.dump({"profile": "wrong", "scenarios": {"need-disconnect": {
                    "expect": ["close_after_response"],
                    "tls": {"expect": ["close_after_response"], "tls_ending": ["fin_without_close_notify"]}}}},
                          profile_file)
            result, report = run_report(directory, "--tls", "--profile", profile, "--repeat", "2")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        rows = {v["scenario"]: v["verdict"] for v in report["verdicts"]}
        self.assertEqual(rows["need-disconnect"], "fail")

    def test_run_against_serve_tls_with_its_written_certificate(self):
        with ReportDir() as directory:
            cert = os.path.join(directory, "host.pem")
            with Serve("--tls", "--write-cert", cert) as server:
                result, report = run_report(directory, "--target", server.base_url, "--cacert", cert,
                                            "--repeat", "5")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual([v["verdict"] for v in report["verdicts"]], ["pass"] * 7)
        self.assertTrue(all(v["tls_ending"]["observed"] == {TLS_ENDINGS[v["scenario"]]: 5}
                            for v in report["verdicts"]))

    def test_tls_is_for_the_embedded_host(self):
        for flag in ["--tls", "--tls-both"]:
            with self.subTest(flag=flag):
                result = run_termprobe("run", flag, "--target", "https://127.0.0.1:1/")
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stderr,
                                 f"termprobe: error: {flag} runs the embedded host: give https:// URLs to "
                                 "--target instead\n")


class ServeTlsBadInput(unittest.TestCase):
    def serve(self, *args):
        return run_termprobe("serve", "--listen", "127.0.0.1:0", *args, timeout=10)

    def assert_one_line_error(self, result, words):
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn(words, result.stderr)
        self.assertEqual(result.stdout, "")

    def test_bad_files(self):
        with ReportDir() as directory:
            cert, key = make_key_pair(directory)
            text = os.path.join(directory, "text.pem")
            with open(text, "w", encoding="ascii") as out:
                out.write("hello\n")
            encrypted = os.path.join(directory, "encrypted.key")
            subprocess.run(["openssl", "pkcs8", "-topk8", "-in", key, "-out", encrypted, "-passout", "pass:x"],
                           check=True, capture_output=True)
            cases = [
                (["--cert", os.path.join(directory, "missing.pem"), "--key", key], "cannot read --cert"),
                (["--cert", directory, "--key", key], "is a directory"),
                (["--cert", text, "--key", key], "holds no PEM certificate"),
                (["--cert", cert, "--key", cert], "holds no PEM private key"),
                (["--cert", cert, "--key", encrypted], "is encrypted: give the key unencrypted"),
                (["--cert", cert], "--cert needs --key"),
                (["--key", key], "--key needs --cert"),
                (["--tls", "--write-cert", os.path.join(directory, "no", "such.pem")], "cannot write --write-cert"),
            ]
            for args, words in cases:
                with self.subTest(args=args):
                    self.assert_one_line_error(self.serve(*args), words)

    def test_a_key_of_another_certificate(self):
        with ReportDir() as directory:
            cert, _ = make_key_pair(directory)
            os.makedirs(os.path.join(directory, "other"))
            _, other_key = make_key_pair(os.path.join(directory, "other"))
            result = self.serve("--cert", cert, "--key", other_key)
        self.assert_one_line_error(result, f"--key '{other_key}' is not the key of --cert '{cert}'")


if __name__ == "__main__":
    unittest.main()
