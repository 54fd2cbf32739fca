"""`termprobe serve`: the module's Linux host in the foreground, stopped by
SIGINT or SIGTERM; over HTTPS (--tls, --cert/--key, --write-cert), driven by
Python's own TLS client and by openssl; the listen addresses and certificate
files it refuses. Its limits (stopping at once, memory, idle connections) are
in test_host_limits.py; `run` against it is in test_run*.py."""

import datetime
import http.client
import os
import signal
import ssl
import subprocess
import unittest

from harness import CommandTestCase, ReportDir, Serve, run_termprobe, self_signed_certificate


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
    """A certificate and key of the user's own (CN=own-test), made by the openssl command."""
    return self_signed_certificate(directory, names=("own-test",))


class ServeInTheBackground(unittest.TestCase):
    def test_sigint_stops_serve_cleanly(self):
        with Serve() as server:
            code, out, err = server.stop(signal.SIGINT)
        self.assertEqual(code, 0, err)
        self.assertIn("stopped", out)


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


class BadInput(CommandTestCase):
    def test_port_in_use(self):
        with Serve() as server:
            port = server.base_url.rsplit(":", 1)[1]
            result = run_termprobe("serve", "--listen", f"127.0.0.1:{port}", timeout=10)
        self.assert_one_line_error(result, 2, "Address already in use")

    def test_public_listen_address_needs_allow_remote(self):
        for address in ["0.0.0.0:0", "[::]:0", "192.0.2.1:8080"]:
            with self.subTest(address=address):
                result = run_termprobe("serve", "--listen", address, timeout=10)
                self.assert_one_line_error(result, 2, "add --allow-remote")

    def test_malformed_listen(self):
        result = run_termprobe("serve", "--listen", "localhost", timeout=10)
        self.assert_one_line_error(result, 2, "--listen localhost: the port is missing")


class ServeTlsBadInput(CommandTestCase):
    def serve(self, *args):
        return run_termprobe("serve", "--listen", "127.0.0.1:0", *args, timeout=10)

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
                    self.assert_refused(self.serve(*args), words)

    def test_a_key_of_another_certificate(self):
        with ReportDir() as directory:
            cert, _ = make_key_pair(directory)
            os.makedirs(os.path.join(directory, "other"))
            _, other_key = make_key_pair(os.path.join(directory, "other"))
            result = self.serve("--cert", cert, "--key", other_key)
        self.assert_refused(result, f"--key '{other_key}' is not the key of --cert '{cert}'")


if __name__ == "__main__":
    unittest.main()
