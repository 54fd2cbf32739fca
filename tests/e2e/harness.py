"""Shared pieces of the end-to-end tests: the built binaries, scripted
servers started and stopped by the test, and schema validation."""

import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xml.etree.ElementTree as ElementTree

import jsonschema

TERMPROBE = os.environ["TERMPROBE"]
WIRE_FIXTURE = os.environ["WIRE_FIXTURE"]
# The suite runs against an ASan+UBSan build (scripts/test's second pass).
SANITIZED = os.environ.get("TERMPROBE_SANITIZED") == "1"
# How far a measured server delay (an idle close 300 ms after the response) may
# stray from the server's own. The release build checks the probe's accuracy;
# under the sanitizers, with the other builds compiling beside the tests, a
# probe has been seen to read a response 172 ms after it came, so there the
# bound only checks that the delay was measured, not how finely.
DELAY_TOLERANCE_US = 250_000 if SANITIZED else 50_000
H2_WIRE_FIXTURE = os.environ["H2_WIRE_FIXTURE"]
TLS_WIRE_FIXTURE = os.environ["TLS_WIRE_FIXTURE"]
SCHEMA_PATH = os.environ["TERMPROBE_SCHEMA"]
JUNIT_XSD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "junit.xsd")

# The module's endpoints over HTTP/1.1, in the order `run` takes them.
SCENARIOS = ["ok", "need-disconnect", "reset", "reset-continue", "reset-after-flush", "cancel-io-read",
             "cancel-io-send"]

with open(SCHEMA_PATH, encoding="utf-8") as schema_file:
    SCHEMA = json.load(schema_file)
jsonschema.Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


class WireFixture:
    """One scripted server (tests/fixtures) on 127.0.0.1; stops when stdin closes."""

    def __init__(self, behaviour, *options, executable=WIRE_FIXTURE):
        self.process = subprocess.Popen(
            [executable, behaviour, *options], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())

    def url(self, path="/x"):
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class H2WireFixture(WireFixture):
    """One scripted HTTP/2 server (tests/fixtures/h2_wire_server.h: h2c with
    prior knowledge) on 127.0.0.1; options as h2_wire_fixture takes them
    ("--custom-code", "1111", "--hold-ms", "200")."""

    def __init__(self, behaviour, *options):
        super().__init__(behaviour, *options, executable=H2_WIRE_FIXTURE)
        self.summary = None

    def stop(self):
        """Stops the server; what its clients did: connections, streams,
        client_closed_first and client_frames_after_response (a list)."""
        if self.summary is None:
            self.process.stdin.close()
            line = self.process.stdout.readline()
            super().__exit__()
            match = re.match(r"connections=(\d+) streams=(\d+) client_closed_first=([01]) "
                             r"client_frames_after_response=(.*)$", line)
            if not match:
                raise AssertionError(f"h2_wire_fixture summary: {line!r}")
            self.summary = {"connections": int(match.group(1)), "streams": int(match.group(2)),
                            "client_closed_first": match.group(3) == "1",
                            "client_frames_after_response": [f for f in match.group(4).split(",") if f]}
        return self.summary

    def __exit__(self, *exc):
        self.stop()


class TlsWireFixture(WireFixture):
    """One scripted HTTPS server (tests/fixtures/tls_wire_server.h) on
    127.0.0.1; options as tls_wire_fixture takes them ("--hold-ms", "300").
    Its test CA is in self.ca (what --cacert trusts) and the CA that signed
    its certificate in self.issuer, both in a folder removed on exit."""

    def __init__(self, behaviour, *options):
        self._pem_dir = tempfile.TemporaryDirectory(prefix="termprobe-tls-fixture-")
        self.ca = os.path.join(self._pem_dir.name, "ca.pem")
        self.issuer = os.path.join(self._pem_dir.name, "issuer.pem")
        super().__init__(behaviour, "--write-ca", self.ca, "--write-issuer", self.issuer, *options,
                         executable=TLS_WIRE_FIXTURE)
        self.summary = None

    def url(self, path="/x", host="127.0.0.1"):
        return f"https://{host}:{self.port}{path}"

    def resolve(self, host="localhost"):
        """--resolve's argument that sends host's URL to this server."""
        return f"{host}:{self.port}:127.0.0.1"

    def stop(self):
        """Stops the server; what its clients did after their responses:
        connections, client_bytes, client_fins, client_resets (numbers) and
        first_client_close_ms (None when no client closed first), and
        offered_versions: the versions the latest ClientHello offered, as
        the client listed them (["1.3", "1.2"]; None before any)."""
        if self.summary is None:
            self.process.stdin.close()
            line = self.process.stdout.readline()
            super().__exit__()
            self.process.stdout.close()
            self._pem_dir.cleanup()
            match = re.match(r"connections=(\d+) client_bytes=(\d+) client_fins=(\d+) client_resets=(\d+) "
                             r"first_client_close_ms=(\d+|-) offered_versions=(\S+)$", line)
            if not match:
                raise AssertionError(f"tls_wire_fixture summary: {line!r}")
            numbers = [None if group == "-" else int(group) for group in match.groups()[:-1]]
            self.summary = dict(zip(("connections", "client_bytes", "client_fins", "client_resets",
                                     "first_client_close_ms"), numbers))
            versions = match.group(6)
            self.summary["offered_versions"] = None if versions == "-" else versions.split(",")
        return self.summary

    def __exit__(self, *exc):
        self.stop()


class RecordingServer:
    """An HTTP/1.1 server on 127.0.0.1 that answers every request "200 ok",
    keeping the connection open, and records what arrived: self.requests, in
    order, each {"line": request line, "headers": [(name, value), ...],
    "body": bytes}. Stops (and closes what is open) on exit. response_fields:
    (name, value) pairs its answers carry besides Content-Length."""

    def __init__(self, response_fields=()):
        self.requests = []
        self._response = ("HTTP/1.1 200 OK\r\n" + "".join(f"{n}: {v}\r\n" for n, v in response_fields)
                          + "Content-Length: 3\r\n\r\nok\n").encode()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._accept)]
        self._threads[0].start()

    def url(self, path="/x", userinfo=""):
        return f"http://{userinfo + '@' if userinfo else ''}127.0.0.1:{self.port}{path}"

    def received(self):
        with self._lock:
            return list(self.requests)

    def _accept(self):
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except socket.timeout:
                continue
            thread = threading.Thread(target=self._serve, args=(connection,))
            self._threads.append(thread)
            thread.start()

    def _read_until(self, connection, pending, done):
        while not done(pending):
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                if self._stopping.is_set():
                    return None
                continue
            if not chunk:
                return None
            pending += chunk
        return pending

    def _serve(self, connection):
        connection.settimeout(0.1)
        pending = b""
        with connection:
            while True:
                pending = self._read_until(connection, pending, lambda p: b"\r\n\r\n" in p)
                if pending is None:
                    return
                head, pending = pending.split(b"\r\n\r\n", 1)
                line, *fields = head.decode("latin-1").split("\r\n")
                headers = [(n.strip(), v.strip()) for n, v in (f.split(":", 1) for f in fields)]
                length = int(next((v for n, v in headers if n.lower() == "content-length"), "0"))
                pending = self._read_until(connection, pending, lambda p, n=length: len(p) >= n)
                if pending is None:
                    return
                with self._lock:
                    self.requests.append({"line": line, "headers": headers, "body": pending[:length]})
                pending = pending[length:]
                connection.sendall(self._response)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stopping.set()
        self._threads[0].join(timeout=10)  # no connection thread starts after the accepting one
        for thread in self._threads[1:]:
            thread.join(timeout=10)
        self._listener.close()


def unused_port():
    out = subprocess.run([WIRE_FIXTURE, "--unused-port"], capture_output=True, text=True, check=True)
    return int(out.stdout)


def run_termprobe(*args, timeout=300, env=None):
    return subprocess.run([TERMPROBE, *args], capture_output=True, text=True, timeout=timeout, env=env)


def peak_rss_mib(*args, output="stdout"):
    """Runs termprobe ARGS in a child of a fresh Python: (exit code, its
    output ("stdout" or "stderr"), its peak RSS in MiB)."""
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[2:], capture_output=True, text=True)\n"
             "sys.stderr.write(getattr(r, sys.argv[1]))\n"
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    # Under AddressSanitizer (scripts/test's second pass) freed memory waits in a
    # quarantine of up to 256 MiB: keep it small, it is not termprobe's memory.
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8")
    out = subprocess.run([sys.executable, "-c", probe, output, TERMPROBE, *args], capture_output=True, text=True,
                         timeout=120, env=env)
    code, kib = out.stdout.split()
    return int(code), out.stderr, int(kib) / 1024


def validate_report(report):
    """Raises when the report does not match the shipped schema."""
    VALIDATOR.validate(report)
    return report


def read_report(path, validate_up_to=None):
    """The report at path, validated against the shipped schema; with
    validate_up_to, its first that many entries only (the schema validator
    takes a minute over 100,000 entries that all share one shape)."""
    with open(path, encoding="utf-8") as report_file:
        report = json.load(report_file)
    if validate_up_to is None:
        return validate_report(report)
    validate_report({**report, "results": report["results"][:validate_up_to]})
    return report


def report_of(directory, *args, name="r.json", env=None):
    """termprobe ARGS --json DIRECTORY/NAME: the finished process and its
    validated report (None when it wrote none)."""
    path = os.path.join(directory, name)
    result = run_termprobe(*args, "--json", path, env=env)
    return result, read_report(path) if os.path.exists(path) else None


def fresh_report(*args):
    """report_of in a temporary directory of its own, removed afterwards."""
    with ReportDir() as directory:
        return report_of(directory, *args)


def run_report(directory, *args, name="run.json", env=None):
    """report_of `termprobe run ARGS`."""
    return report_of(directory, "run", *args, name=name, env=env)


def write_file(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def idle_entry(url, expect):
    """A check file's [[idle]] entry "idle close" for url (up to 5 s idle)."""
    return f'[[idle]]\nname = "idle close"\nurl = "{url}"\nmax = 5\nexpect = "{expect}"\n'


def lint_junit(path):
    """xmllint against junit.xsd, the JUnit shape CI test reporters read."""
    return subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, path], capture_output=True, text=True)


def testcases(path):
    """A JUnit file's testcases by (suite name, case name)."""
    return {(s.get("name"), c.get("name")): c
            for s in ElementTree.parse(path).getroot().findall("testsuite") for c in s.findall("testcase")}


def interrupt_after(seconds, *args):
    """termprobe ARGS, sent SIGINT after `seconds`: (exit code, stdout, stderr)."""
    process = subprocess.Popen([TERMPROBE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(seconds)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    return process.returncode, out, err


def run_in_terminal(args, env=None, seconds=60):
    """termprobe ARGS on a pseudo-terminal, as a user at a shell runs it:
    (exit code, all it wrote), read until it closes the terminal or `seconds` pass."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(TERMPROBE, [TERMPROBE, *args], os.environ if env is None else env)
        finally:
            os._exit(127)  # never back into the test runner in the child
    output = b""
    deadline = time.monotonic() + seconds
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
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output


# Character devices a test makes with mknod in its own folder (tests run as
# root), so that a writer that replaced one breaks nothing but the test:
# (major, minor) of what each is a copy of.
NULL_DEVICE = (1, 3)  # discards what is written, as /dev/null
FULL_DEVICE = (1, 7)  # every write fails with ENOSPC, as /dev/full
TTY_DEVICE = (5, 0)  # the writer's controlling terminal, as /dev/tty: run_in_terminal reads what it got


def device_node(directory, name, device):
    """A character device node DIRECTORY/NAME for device (major, minor)."""
    path = os.path.join(directory, name)
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(*device))
    return path


def stdout_link(directory):
    """DIRECTORY/stdout, a link to /proc/self/fd/1 as /dev/stdout is: a writer
    that replaced links would replace this one, never the machine's."""
    path = os.path.join(directory, "stdout")
    os.symlink("/proc/self/fd/1", path)
    return path


def file_type(path):
    """What path is, its symbolic link not followed: "char", "fifo", "link", "file" or "other"."""
    mode = os.lstat(path).st_mode
    return ("char" if stat.S_ISCHR(mode) else "fifo" if stat.S_ISFIFO(mode) else "link" if stat.S_ISLNK(mode)
            else "file" if stat.S_ISREG(mode) else "other")


def json_in(output):
    """The JSON document that starts on a line of its own in a terminal's output (CR LF as LF)."""
    text = output.decode("utf-8").replace("\r\n", "\n")
    start = re.search(r"^\{$", text, re.M)
    if start is None:
        raise AssertionError(f"no JSON document in {text!r}")
    return json.JSONDecoder().raw_decode(text[start.start():])[0]


class _Drain:
    """A thread that reads a binary file object to its end: .data once joined."""

    def __init__(self, opener):
        self.data = b""
        self._thread = threading.Thread(target=self._read, args=(opener,), daemon=True)
        self._thread.start()

    def _read(self, opener):
        with opener() as source:
            self.data = source.read()

    def join(self, seconds):
        self._thread.join(seconds)
        return not self._thread.is_alive()


class FifoReader:
    """A FIFO DIRECTORY/NAME read as `jq . < FIFO &` reads it: a thread opens
    it at once (and waits there for a writer), then reads to the end."""

    def __init__(self, directory, name="report.fifo"):
        self.path = os.path.join(directory, name)
        os.mkfifo(self.path)
        self._drain = _Drain(lambda: open(self.path, "rb"))

    def received(self):
        """All that came through; a reader still waiting for a writer gets an empty end."""
        if not self._drain.join(5):
            os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            self._drain.join(5)
        return self._drain.data


def run_into_pipe(*args):
    """termprobe ARGS with each "{fd}" in them made /dev/fd/N, the write end
    of a pipe, as a shell passes `>(jq .)`: (the finished process, all that
    came through the pipe)."""
    read_end, write_end = os.pipe()
    args = [a.replace("{fd}", f"/dev/fd/{write_end}") for a in args]
    drain = _Drain(lambda: os.fdopen(read_end, "rb"))
    try:
        process = subprocess.Popen([TERMPROBE, *args], pass_fds=(write_end,), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)  # the pipe ends when termprobe closes its copy
    out, err = process.communicate(timeout=300)
    drain.join(10)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), drain.data


class CommandTestCase(unittest.TestCase):
    """Assertions on a command line termprobe refused (src/cli/diagnostics.h: one line on stderr)."""

    def assert_one_line_error(self, result, code, words):
        self.assertEqual(result.returncode, code, result.stdout + result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn(words, result.stderr)

    def assert_refused(self, result, *words):
        """A usage error: exit 2, nothing on stdout, one "termprobe: error:" line with each of words."""
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertTrue(result.stderr.startswith("termprobe: error: "), result.stderr)
        for w in words:
            self.assertIn(w, result.stderr)


class ReportDir:
    """A temporary directory for reports, removed afterwards."""

    def __enter__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="termprobe-e2e-")
        return self._dir.name

    def __exit__(self, *exc):
        self._dir.cleanup()


class Serve:
    """`termprobe serve` in the background on an ephemeral loopback port."""

    def __init__(self, *args, listen="127.0.0.1:0"):
        self.process = subprocess.Popen([TERMPROBE, "serve", "--listen", listen, *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.match(r"termprobe serve: listening on (https?://(?:127\.0\.0\.1|\[::1\]):\d+)/termprobe/", line)
        if not match:
            self.process.kill()
            raise AssertionError(f"serve did not start: {line!r} {self.process.stderr.read()}")
        self.base_url = match.group(1)
        self.port = int(self.base_url.rsplit(":", 1)[1])
        # over TLS a second line says which certificate
        self.tls_line = self.process.stdout.readline() if self.base_url.startswith("https:") else ""

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


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def self_signed_certificate(directory, names=("localhost",), ips=("127.0.0.1",)):
    """A throwaway EC certificate and key (PEM) for a TLS server under test."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    alt = ",".join([f"DNS:{n}" for n in names] + [f"IP:{ip}" for ip in ips])
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={names[0]}",
                    "-addext", f"subjectAltName={alt}"], check=True, capture_output=True)
    return cert, key


class ServerProcess:
    """A Debian server the test started (self.process, with stderr piped) in
    a temporary folder of its own (self.dir): stopped and removed on exit."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Nginx(ServerProcess):
    """Debian's nginx on a loopback port, started and stopped by the test.

    server_block: the body of one `server {}` block; "{port}", "{cert}" and
    "{key}" in it are filled in (tls=True makes a self-signed certificate)."""

    def __init__(self, server_block, http_block="", tls=False, port=None):
        self.dir = tempfile.mkdtemp(prefix="termprobe-nginx-")
        self.port = port or unused_port()  # a port again: the same target URL after a restart
        self.cert = self.key = None
        if tls:
            self.cert, self.key = self_signed_certificate(self.dir)
        server = server_block.format(port=self.port, cert=self.cert, key=self.key)
        config = os.path.join(self.dir, "nginx.conf")
        with open(config, "w", encoding="ascii") as out:
            out.write(f"""worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}/body;
  {http_block}
  server {{
    {server}
  }}
}}
""")
        self.process = subprocess.Popen([NGINX, "-c", config, "-p", self.dir], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        wait_for_port(self.port, self.process)

    def url(self, path="/", scheme=None, host="127.0.0.1"):
        scheme = scheme or ("https" if self.cert else "http")
        return f"{scheme}://{host}:{self.port}{path}"


def keepalive_server(seconds, port=None):
    """nginx that closes an idle keep-alive connection `seconds` after the response."""
    return Nginx(f"listen 127.0.0.1:{{port}}; keepalive_timeout {seconds}s; "
                 "location / {{ return 200 'ok'; }}", port=port)


HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


class Haproxy(ServerProcess):
    """Debian's haproxy on a loopback port, started and stopped by the test.

    config: everything after haproxy's `global` section; "{port}" and
    "{pem}" (certificate and key in one file, made when tls=True) are filled in."""

    def __init__(self, config, tls=False):
        self.dir = tempfile.mkdtemp(prefix="termprobe-haproxy-")
        self.port = unused_port()
        self.cert = self.pem = None
        if tls:
            self.cert, key = self_signed_certificate(self.dir)
            self.pem = os.path.join(self.dir, "both.pem")
            with open(self.pem, "w", encoding="ascii") as both:
                for part in (self.cert, key):
                    with open(part, encoding="ascii") as text:
                        both.write(text.read())
        path = os.path.join(self.dir, "haproxy.cfg")
        with open(path, "w", encoding="utf-8") as out:
            out.write("global\n  maxconn 1000\n" + config.format(port=self.port, pem=self.pem))
        self.process = subprocess.Popen([HAPROXY, "-f", path, "-db"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        wait_for_port(self.port, self.process)

    def url(self, path="/", scheme="http"):
        return f"{scheme}://127.0.0.1:{self.port}{path}"


def wait_for_port(port, process, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")
