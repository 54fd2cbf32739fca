"""Shared pieces of the end-to-end tests: the built binaries, scripted
servers started and stopped by the test, and schema validation."""

import json
import os
import re
import signal
import subprocess
import tempfile

import jsonschema

TERMPROBE = os.environ["TERMPROBE"]
WIRE_FIXTURE = os.environ["WIRE_FIXTURE"]
SCHEMA_PATH = os.environ["TERMPROBE_SCHEMA"]

with open(SCHEMA_PATH, encoding="utf-8") as schema_file:
    SCHEMA = json.load(schema_file)
jsonschema.Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


class WireFixture:
    """One scripted server (tests/fixtures) on 127.0.0.1; stops when stdin closes."""

    def __init__(self, behaviour):
        self.process = subprocess.Popen(
            [WIRE_FIXTURE, behaviour], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())

    def url(self, path="/x"):
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def unused_port():
    out = subprocess.run([WIRE_FIXTURE, "--unused-port"], capture_output=True, text=True, check=True)
    return int(out.stdout)


def run_termprobe(*args, timeout=300):
    return subprocess.run([TERMPROBE, *args], capture_output=True, text=True, timeout=timeout)


def validate_report(report):
    """Raises when the report does not match the shipped schema."""
    VALIDATOR.validate(report)
    return report


class ReportDir:
    """A temporary directory for reports, removed afterwards."""

    def __enter__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="termprobe-e2e-")
        return self._dir.name

    def __exit__(self, *exc):
        self._dir.cleanup()


class Serve:
    """`termprobe serve` in the background on an ephemeral loopback port."""

    def __init__(self, *args):
        self.process = subprocess.Popen([TERMPROBE, "serve", "--listen", "127.0.0.1:0", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.match(r"termprobe serve: listening on (http://127\.0\.0\.1:\d+)/termprobe/", line)
        if not match:
            self.process.kill()
            raise AssertionError(f"serve did not start: {line!r} {self.process.stderr.read()}")
        self.base_url = match.group(1)
        self.port = int(self.base_url.rsplit(":", 1)[1])

    def __enter__(self):
        return self

    def status(self, field):
        """A number from /proc/PID/status: Threads, VmRSS or VmHWM (kB)."""
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name == field:
                    return int(value.split()[0])
        raise KeyError(field)

    def open_files(self):
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def stop(self, sig=signal.SIGINT):
        self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=10)
        return self.process.returncode, out, err

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.stop()
