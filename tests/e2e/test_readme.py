"""The documents' commands, run as shown: every command in a ```sh block of
README.md and docs/guide.md, in order, in one scratch folder per document
where `termprobe` (on PATH) and `build/termprobe` are the binary under test,
each with the exit status the document states. A suite about a property
across commands (the docs), so a file of its own.

The rules, each explicit and reviewed:
- a placeholder host ("your server") becomes the base URL of a loopback
  server this test starts (PLACEHOLDERS); a *.example host without a rule
  fails the test;
- a command exits 0 unless its comment says `exits N`;
- `termprobe serve` is a server in the foreground: it is started, must
  print its URL, and is stopped with SIGINT (exit 0) before the next
  `serve` or at the end of its block; 127.0.0.1:8080 (its default address,
  and the URL the documents give for it) becomes a free port the test
  picked, and a `serve` without `--listen` is given `--listen` with it;
- NOT_RUN and DROPPED_PREFIXES list, with reasons, the only commands (or
  parts) that do not run: those that install packages or run the whole
  test suite.
Every JSON report the commands wrote must validate against the schema."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

from harness import TERMPROBE, Nginx, Serve, read_report, unused_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCUMENTS = ["README.md", "docs/guide.md"]

# Placeholder -> which server stands for it: "nginx" (Debian's nginx; it
# closes idle connections after 2 s, so `idle` ends in 2 s while `probe`'s
# 1 s watch still sees each connection kept open, the same label in every
# report `compare` reads) or "module" (a `termprobe serve --token s3cret`,
# the module the IIS recipe installs).
PLACEHOLDERS = {"http://server.example": "nginx", "http://iis-test.example": "module"}
NGINX_SERVER = "listen 127.0.0.1:{port}; keepalive_timeout 2s; location / {{ return 200 'ok'; }}"
SERVE_DEFAULT = "127.0.0.1:8080"

NOT_RUN = {
    "scripts/test": "runs the whole suite, which includes this test: CI's job (.ci/run), not one test's",
}
DROPPED_PREFIXES = {
    "scripts/setup && ": "installs Debian packages and builds; what follows runs against the build under test",
}

COMMAND_SECONDS = 20  # the slowest command shown (`run --tls-both`) takes about 4 s on a loaded 2-core machine
EXIT_COMMENT = re.compile(r"#.*\bexits (\d+)\b")
PLACEHOLDER_HOST = re.compile(r"\b[a-z]+://[a-z0-9.-]+\.example\b")


def sh_blocks(path):
    """The commands of each ```sh block in the file, as (line number,
    command): continuation lines joined, a here-document kept with the
    command that reads it, comment-only lines left out."""
    with open(path, encoding="utf-8") as text:
        lines = text.read().splitlines()
    blocks, block, i = [], None, 0
    while i < len(lines):
        line, start = lines[i], i
        i += 1
        if block is None:
            if line.strip() == "```sh":
                block = []
            continue
        if line.strip() == "```":
            blocks.append(block)
            block = None
            continue
        while line.endswith("\\") and i < len(lines):
            line, i = line + "\n" + lines[i], i + 1
        heredoc = re.search(r"<<-?\s*'?(\w+)'?", line)
        if heredoc:
            end = lines.index(heredoc.group(1), i)
            line, i = "\n".join([line, *lines[i:end + 1]]), end + 1
        if line.strip() and not line.lstrip().startswith("#"):
            block.append((start + 1, line))
    return blocks


def expected_exit(command):
    comment = EXIT_COMMENT.search(command.splitlines()[0])
    return int(comment.group(1)) if comment else 0


class Scratch:
    """A folder where `termprobe` and `build/termprobe` are the binary under test."""

    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="termprobe-readme-")
        self.path = self._dir.name
        for folder in ("bin", "build"):
            os.mkdir(os.path.join(self.path, folder))
            os.symlink(TERMPROBE, os.path.join(self.path, folder, "termprobe"))
        self.env = dict(os.environ, PATH=os.path.join(self.path, "bin") + os.pathsep + os.environ["PATH"])

    def reports(self):
        """Every JSON file the commands wrote."""
        for folder, _, files in os.walk(self.path):
            yield from (os.path.join(folder, f) for f in files if f.endswith(".json"))

    def cleanup(self):
        self._dir.cleanup()


class DocumentRun:
    """One document's commands, block after block, in a scratch folder of
    its own: what went wrong, as lines naming the document's line."""

    def __init__(self, document, urls, serve_port):
        self.document, self.urls, self.serve_port = document, urls, serve_port
        self.problems = []
        self.summary = ""

    def as_run(self, command):
        """The command with the placeholder rules applied."""
        for placeholder, server in PLACEHOLDERS.items():
            command = command.replace(placeholder, self.urls[server])
        command = command.replace(SERVE_DEFAULT, f"127.0.0.1:{self.serve_port}")
        if command.startswith("termprobe serve") and "--listen" not in command:
            command = command.replace("termprobe serve", f"termprobe serve --listen 127.0.0.1:{self.serve_port}", 1)
        for prefix in DROPPED_PREFIXES:
            command = command.removeprefix(prefix)
        return command

    def start_serve(self, where, command, scratch):
        server = subprocess.Popen(["bash", "-c", "exec " + command], cwd=scratch.path, env=scratch.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = server.stdout.readline()
        if line.startswith("termprobe serve: listening on "):
            return server
        server.kill()
        server.wait()
        self.problems.append(f"{where}: {command}\ndid not start: {line!r} {server.stderr.read()}")
        return None

    def stop_serve(self, where, server):
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=10)
        if server.returncode != 0:
            self.problems.append(f"{where}: serve stopped with exit {server.returncode}\n{out}{err}")

    def run_command(self, where, shown, command, scratch):
        try:
            result = subprocess.run(["bash", "-c", command], cwd=scratch.path, env=scratch.env,
                                    capture_output=True, text=True, timeout=COMMAND_SECONDS)
        except subprocess.TimeoutExpired:
            self.problems.append(f"{where}: still running after {COMMAND_SECONDS} s: {command}")
            return
        if result.returncode != expected_exit(shown):
            self.problems.append(f"{where}: exit {result.returncode}, expected {expected_exit(shown)}: "
                                 f"{command}\n{result.stdout}{result.stderr}")

    def run_block(self, block, scratch):
        server = None
        for line, shown in block:
            where = f"{self.document}:{line}"
            command = self.as_run(shown)
            if PLACEHOLDER_HOST.search(command):
                self.problems.append(f"{where}: a placeholder host with no rule in PLACEHOLDERS: {shown}")
            elif shown.split("#")[0].strip() in NOT_RUN:
                continue
            elif command.startswith("termprobe serve"):
                if server:
                    self.stop_serve(where, server)
                server = self.start_serve(where, command, scratch)
            else:
                self.run_command(where, shown, command, scratch)
        if server:
            self.stop_serve(f"{self.document}: end of block", server)

    def run(self):
        blocks = sh_blocks(os.path.join(ROOT, self.document))
        if not any(blocks):
            self.problems.append(f"{self.document} shows no ```sh command")
        scratch = Scratch()
        try:
            started = time.monotonic()
            for block in blocks:
                self.run_block(block, scratch)
            for path in scratch.reports():
                try:
                    read_report(path)
                except Exception as error:  # pylint: disable=broad-except
                    self.problems.append(f"{self.document}: {os.path.basename(path)}: {error}")
            commands = sum(len(block) for block in blocks)
            self.summary = f"{self.document}: {commands} commands in {time.monotonic() - started:.1f} s"
        finally:
            scratch.cleanup()
        return self


class DocumentCommands(unittest.TestCase):
    def test_every_command_of_the_readme_and_the_guide_runs_as_shown(self):
        # The documents run side by side: their commands mostly wait (on
        # watch windows, an idle close), so together they take what the
        # longer one takes. Each has its own folder and the servers below.
        with Nginx(NGINX_SERVER) as nginx, Serve("--token", "s3cret") as module:
            urls = {"nginx": nginx.url("").rstrip("/"), "module": module.base_url}
            runs = [DocumentRun(document, urls, unused_port()) for document in DOCUMENTS]
            with ThreadPoolExecutor(len(runs)) as pool:
                done = list(pool.map(DocumentRun.run, runs))
        for run in done:
            print(run.summary, file=sys.stderr)
        self.assertEqual([], [problem for run in done for problem in run.problems])


def heading_anchors(path):
    """The anchors GitHub gives the file's headings: lower case, punctuation
    but '-' and '_' dropped, spaces as '-'."""
    with open(path, encoding="utf-8") as text:
        headings = re.findall(r"(?m)^#+ (.+)$", re.sub(r"(?ms)^```.*?^```", "", text.read()))
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


class ReadmeShape(unittest.TestCase):
    """The front door stays one: the two commands first, and short."""

    def readme_lines(self):
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as text:
            return text.read().splitlines()

    def test_the_two_commands_come_first(self):
        lines = self.readme_lines()
        self.assertEqual(lines[2], "```sh")
        self.assertTrue(lines[3].startswith("scripts/setup && build/termprobe run "), lines[3])
        self.assertTrue(lines[4].startswith("scripts/test "), lines[4])
        self.assertEqual(lines[5], "```")

    def test_at_most_250_lines(self):
        self.assertLessEqual(len(self.readme_lines()), 250)

    def test_every_link_finds_its_file_and_heading(self):
        for document in DOCUMENTS + ["CONTRIBUTING.md", "docs/design.md"]:
            path = os.path.join(ROOT, document)
            with open(path, encoding="utf-8") as text:
                links = re.findall(r"\]\(([^)\s]+)\)", text.read())
            for link in links:
                if re.match(r"[a-z]+:", link):
                    continue
                target, _, anchor = link.partition("#")
                target = os.path.normpath(os.path.join(os.path.dirname(path), target)) if target else path
                self.assertTrue(os.path.exists(target), f"{document}: {link}: no such file")
                if anchor:
                    self.assertIn(anchor, heading_anchors(target), f"{document}: {link}: no such heading")

    def test_the_rules_find_commands_where_they_are(self):
        blocks = sh_blocks(os.path.join(ROOT, "README.md"))
        first = blocks[0]
        self.assertEqual([line for line, _ in first], [4, 5])
        joined = [command for block in blocks for _, command in block]
        self.assertTrue(any("<<'EOF'" in c and c.rstrip().endswith("\nEOF") for c in joined), joined)
        self.assertFalse(any(c.lstrip().startswith("#") for c in joined))


if __name__ == "__main__":
    unittest.main()
