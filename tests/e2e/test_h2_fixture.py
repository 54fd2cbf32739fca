"""The HTTP/2 fixture executable (h2_wire_fixture), a suite about the tests'
own server rather than a termprobe command, as the end-to-end tests use it:
its options, its usage errors, and the summary of what its clients did, seen
with curl (--http2-prior-knowledge) as the client."""

import subprocess
import unittest

from harness import H2_WIRE_FIXTURE, H2WireFixture


def curl(url):
    return subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-m", "5", "-o", "/dev/null",
                           "-w", "%{http_code} %{size_download}", url],
                          capture_output=True, text=True, timeout=30)


class H2FixtureExecutable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        features = subprocess.run(["curl", "-V"], capture_output=True, text=True).stdout
        if "HTTP2" not in features:
            raise unittest.SkipTest("this curl has no HTTP/2")

    def test_complete_response_is_counted_in_the_summary(self):
        with H2WireFixture("complete_keepalive") as server:
            result = curl(server.url())
            summary = server.stop()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "200 100")
        self.assertEqual(summary["connections"], 1)
        self.assertEqual(summary["streams"], 1)

    def test_custom_code_option_reaches_the_reset(self):
        with H2WireFixture("rst_before_headers_custom", "--custom-code", "1111") as server:
            result = curl(server.url())
        self.assertEqual(result.returncode, 92)  # curl: stream not closed cleanly
        self.assertIn("(err 1111)", result.stderr)

    def test_summary_records_a_client_that_closes_first(self):
        # curl closes its connection once the transfer is done, while the
        # server still holds it: the record the probe's tests rely on.
        with H2WireFixture("complete_hold_then_close", "--hold-ms", "2000") as server:
            result = curl(server.url())
            summary = server.stop()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(summary["client_closed_first"])
        self.assertNotIn("GOAWAY", summary["client_frames_after_response"])

    def test_bad_arguments_get_the_usage_and_exit_2(self):
        for arguments in (["no_such_behaviour"], ["complete_keepalive", "--custom-code", "x"],
                          ["complete_keepalive", "--hold-ms"], []):
            result = subprocess.run([H2_WIRE_FIXTURE, *arguments], capture_output=True, text=True, timeout=10)
            self.assertEqual(result.returncode, 2, arguments)
            self.assertTrue(result.stderr.startswith("usage: h2_wire_fixture"), result.stderr)


if __name__ == "__main__":
    unittest.main()
