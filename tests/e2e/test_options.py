"""Options that mean the same everywhere: one table lists each option, the
commands that take it and the check-file key (and entry kinds) that match
it. Every probing command is run with each option against a `termprobe
serve` on loopback; one that takes it must accept it, one that does not
must refuse it (exit 2). Every entry kind is written with each key; the
kinds listed take it, the others refuse it by name. A new option or key
that is not in the table, or that one command takes and a sibling does
not, shows here. (tests/cli/request_table_test.cpp checks that probe's
options and [[probe]]'s keys build the same request.)"""

import unittest
from concurrent.futures import ThreadPoolExecutor

from harness import ReportDir, Serve, run_termprobe, write_file

COMMANDS = ("probe", "idle", "reuse", "run", "check")
KINDS = ("probe", "idle", "reuse")
ALL = set(COMMANDS)

# (option and its value, the commands that take it, the check key = its value, the entry kinds with that key)
TABLE = [
    (["--timeout", "2s"], ALL - {"check"}, 'timeout = "2s"', set(KINDS)),
    (["--connect-timeout", "1500ms"], ALL - {"run", "check"}, 'connect_timeout = "1500ms"', set(KINDS)),
    (["--watch", "0"], {"probe", "reuse", "run"}, "watch = 0", {"probe", "reuse"}),
    (["--fin-watch", "50ms"], ALL - {"check"}, 'fin_watch = "50ms"', set(KINDS)),
    (["--count", "2"], ALL - {"check"}, "repeat = 2", set(KINDS)),
    (["--repeat", "2"], ALL - {"check"}, "repeat = 2", set(KINDS)),
    (["-n", "2"], ALL - {"check"}, "repeat = 2", set(KINDS)),
    (["-c", "2"], ALL, None, set()),
    (["--concurrency", "2"], ALL, None, set()),
    (["--format", "text"], {"probe", "run", "check"}, None, set()),
    (["--format", "ndjson"], {"probe", "run", "check"}, None, set()),
    (["-H", "X-A: 1"], {"probe", "idle", "reuse"}, 'headers = ["X-A: 1"]', set(KINDS)),
    (["-X", "GET"], {"probe", "reuse"}, 'method = "GET"', {"probe", "reuse"}),
    (["--body-bytes", "1kB"], {"probe"}, 'body_bytes = "1kB"', {"probe"}),
    (["--rounds", "1"], {"probe"}, "rounds = 1", {"probe"}),
    (["-k"], ALL, "insecure = true", set(KINDS)),
    (["--tls-min", "1.2"], ALL, 'tls_min = "1.2"', set(KINDS)),
    (["--resolve", "a.test:1:127.0.0.1"], ALL, 'resolve = ["a.test:1:127.0.0.1"]', set(KINDS)),
    (["--redact", "X-A"], ALL, 'redact = ["X-A"]', set(KINDS)),
    (["--max-time", "2s"], ALL - {"check"}, None, set()),
    (["--connect-to", "a.test:1:127.0.0.1:1"], ALL, 'connect_to = ["a.test:1:127.0.0.1:1"]', set(KINDS)),
    (["-4"], ALL, "ipv4 = true", set(KINDS)),
    (["-u", "alice:pw"], ALL, 'user = "alice:pw"', set(KINDS)),
    (["--max", "0.2"], {"idle"}, "max = 0.2", {"idle"}),
    (["--idle", "10"], {"reuse"}, "idle = 10", {"reuse"}),
]

# What each command needs besides the option under test, kept quick: no watch, idle 0.2 s at most.
ARGS = {
    "probe": lambda url: ["probe", f"{url}/termprobe/ok", "--watch", "0"],
    "idle": lambda url: ["idle", f"{url}/termprobe/ok", "--max", "0.2"],
    "reuse": lambda url: ["reuse", f"{url}/termprobe/ok", "--idle", "10", "--watch", "0"],
    "run": lambda url: ["run", "--target", url, "--watch", "0"],
}

# An entry of each kind, quick as above; the key under test goes last.
ENTRY = {
    "probe": '[[probe]]\nname = "p"\nurl = "{url}/termprobe/ok"\nexpect = "keepalive"\n',
    "idle": '[[idle]]\nname = "i"\nurl = "{url}/termprobe/ok"\nmax = 0.2\nexpect = "open"\n',
    "reuse": '[[reuse]]\nname = "r"\nurl = "{url}/termprobe/ok"\nidle = 10\nexpect = "answered"\n',
}


def run_all(commands):
    """Each argument list run by termprobe, several at once (each run is independent, and quick)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda args: run_termprobe(*args), commands))


class OptionsAcrossCommands(unittest.TestCase):
    def command_with(self, command, option, url, directory, number):
        if command == "check":
            path = write_file(directory, f"option-{number}.toml", ENTRY["probe"].format(url=url) + "watch = 0\n")
            return ["check", path, *option]
        args = ARGS[command](url)
        # the option under test wins over the quick defaults above
        if option[0] in args:
            at = args.index(option[0])
            del args[at:at + 2]
        return [*args, *option]

    def test_each_option_is_taken_by_the_commands_listed_and_refused_by_the_others(self):
        cases = [(option, takers, command) for option, takers, _, _ in TABLE for command in COMMANDS]
        with Serve() as server, ReportDir() as d:
            results = run_all([self.command_with(command, option, server.base_url, d, n)
                               for n, (option, _, command) in enumerate(cases)])
        for (option, takers, command), result in zip(cases, results):
            with self.subTest(option=option, command=command):
                if command in takers:
                    self.assertNotEqual(result.returncode, 2, result.stderr)
                else:
                    self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                    self.assertIn(option[0], result.stderr)

    def test_each_key_is_taken_by_the_entry_kinds_listed_and_refused_by_the_others(self):
        cases = [(key, kinds, kind) for _, _, key, kinds in TABLE if key is not None for kind in KINDS]
        with Serve() as server, ReportDir() as d:
            commands = []
            for n, (key, _, kind) in enumerate(cases):
                name = key.split(" ")[0]
                entry = ENTRY[kind].format(url=server.base_url)
                if kind in ("probe", "reuse"):
                    entry += "watch = 0\n"
                # the key under test replaces the entry's own (idle's max, reuse's idle)
                entry = "".join(line + "\n" for line in entry.splitlines() if not line.startswith(name + " ="))
                commands.append(["check", write_file(d, f"key-{n}.toml", f"{entry}{key}\n")])
            results = run_all(commands)
        for (key, kinds, kind), result in zip(cases, results):
            with self.subTest(key=key, kind=kind):
                if kind in kinds:
                    self.assertNotEqual(result.returncode, 2, result.stderr)
                else:
                    self.assertEqual(result.returncode, 2, result.stderr)
                    self.assertIn(f"unknown key '{key.split(' ')[0]}' in [[{kind}]]", result.stderr)

    def test_the_old_format_names_still_work_where_they_were_and_others_name_the_new_one(self):
        with Serve() as server:
            url = f"{server.base_url}/termprobe/ok"
            lines = run_termprobe("probe", url, "--watch", "0", "--format", "lines")
            table = run_termprobe("run", "--target", server.base_url, "--watch", "0", "--format", "table")
            wrong = run_termprobe("probe", url, "--format", "table")
        self.assertEqual(lines.returncode, 0, lines.stderr)
        self.assertRegex(lines.stdout, r"(?m)^#1 +keepalive")
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertRegex(table.stdout, r"(?m)^ok +keepalive")
        self.assertEqual(wrong.returncode, 2)
        self.assertIn("'table' is not a format: use text or ndjson", wrong.stderr)


if __name__ == "__main__":
    unittest.main()
