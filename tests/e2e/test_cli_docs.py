"""The front door: the man page and the shell completions the build writes
with `termprobe generate`, `termprobe help COMMAND`, -V, and the message for
arguments a command does not take."""

import os
import re
import shutil
import subprocess
import unittest

from harness import TERMPROBE, CommandTestCase, run_termprobe

BUILD = os.path.dirname(os.path.abspath(TERMPROBE))
MAN_PAGE = os.path.join(BUILD, "man", "termprobe.1")
BASH_COMPLETION = os.path.join(BUILD, "completions", "termprobe.bash")
ZSH_COMPLETION = os.path.join(BUILD, "completions", "_termprobe")


def commands():
    """The commands `termprobe --help` lists."""
    text = run_termprobe("--help", timeout=20).stdout
    listed = text.split("Subcommands:\n", 1)[1]
    return re.findall(r"(?m)^  (\w+)", listed)


def labels():
    """Every label, as `explain` lists them for a word near none."""
    err = run_termprobe("explain", "zzzzzzzzzzzz", timeout=20).stderr
    return re.search(r"\(labels: ([^)]*)\)", err).group(1).split(", ")


def options_in_help(command):
    text = run_termprobe(command, "--help", timeout=20).stdout
    return set(re.findall(r"(?m)^ +(-{1,2}[\w-]+)", text)) | set(re.findall(r"(?m)^ +-\w, (--[\w-]+)", text))


class ManPage(unittest.TestCase):
    def test_the_built_page_is_what_the_binary_writes(self):
        with open(MAN_PAGE, encoding="utf-8") as page:
            self.assertEqual(page.read(), run_termprobe("generate", "man", timeout=20).stdout)

    @unittest.skipUnless(shutil.which("man"), "man (man-db) is not installed")
    def test_man_renders_the_page(self):
        result = subprocess.run(["man", "-P", "cat", "-l", MAN_PAGE], capture_output=True, text=True, timeout=30,
                                env={**os.environ, "MANWIDTH": "100", "LANG": "C.UTF-8"})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        for heading in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXIT STATUS", "FILES"]:
            self.assertRegex(result.stdout, rf"(?m)^{heading}$")
        self.assertIn("termprobe - how did the HTTP server end each connection?", result.stdout)
        self.assertIn("130 interrupted", result.stdout)

    @unittest.skipUnless(shutil.which("groff"), "groff is not installed")
    def test_groff_has_no_warning_for_the_page(self):
        # -Wbreak: "cannot adjust line" is a justification note about a long word, not a fault.
        result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-Wbreak", "-z", MAN_PAGE], capture_output=True,
                                text=True, timeout=30)
        self.assertEqual((result.returncode, result.stderr), (0, ""))

    def test_every_command_and_every_option_of_its_help_is_on_the_page(self):
        with open(MAN_PAGE, encoding="utf-8") as page:
            source = page.read()
        self.assertIn("explain", commands())
        for command in commands():
            with self.subTest(command=command):
                self.assertIn(f'.SS "{command}"', source)
                section = source.split(f'.SS "{command}"', 1)[1].split(".SS ", 1)[0]
                for option in options_in_help(command):
                    self.assertIn("\\fB" + option.replace("-", "\\-") + "\\fR", section, option)


class BashCompletion(unittest.TestCase):
    def complete(self, *words):
        """COMPREPLY for the command line `words`, the cursor at the end of the last word."""
        script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
                  'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _termprobe; printf "%s\\n" "${COMPREPLY[@]}"')
        result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash", BASH_COMPLETION, *words],
                                capture_output=True, text=True, timeout=20)
        self.assertEqual(result.stderr, "")
        return [line for line in result.stdout.splitlines() if line]

    def test_the_built_script_is_what_the_binary_writes(self):
        with open(BASH_COMPLETION, encoding="utf-8") as script:
            self.assertEqual(script.read(), run_termprobe("generate", "bash", timeout=20).stdout)

    def test_a_command(self):
        self.assertEqual(self.complete("termprobe", "pr"), ["probe"])
        self.assertEqual(self.complete("termprobe", "help", "ex"), ["explain"])

    def test_every_listed_command_and_no_hidden_one(self):
        offered = self.complete("termprobe", "")
        self.assertTrue(set(commands()) <= set(offered), offered)
        self.assertNotIn("generate", offered)
        self.assertIn("--version", offered)

    def test_an_option_of_the_command_typed(self):
        self.assertEqual(self.complete("termprobe", "probe", "--tim"), ["--timeout"])
        self.assertIn("--targets-file", self.complete("termprobe", "run", "--tar"))
        self.assertNotIn("--targets-file", self.complete("termprobe", "probe", "--tar"))

    def test_labels_for_explain_and_for_each_item_of_expect(self):
        resets = sorted(label for label in labels() if label.startswith("reset_"))
        self.assertGreater(len(resets), 1)
        self.assertEqual(sorted(self.complete("termprobe", "explain", "reset_")), resets)
        self.assertEqual(sorted(self.complete("termprobe", "probe", "http://127.0.0.1/", "--expect", "keepalive,reset_")),
                         ["keepalive," + label for label in resets])

    def test_a_value_from_the_option_own_set(self):
        self.assertEqual(self.complete("termprobe", "probe", "--format", "nd"), ["ndjson"])


class ZshCompletion(unittest.TestCase):
    @unittest.skipUnless(shutil.which("zsh"), "zsh is not installed (scripts/setup installs it)")
    def test_loads_from_fpath_and_when_sourced(self):
        script = ('autoload -Uz compinit; compinit -u -D; print -r -- "fpath:$_comps[termprobe]"; '
                  'unset "_comps[termprobe]"; source "$1/_termprobe"; print -r -- "sourced:$_comps[termprobe]"; '
                  'whence -w _termprobe')
        result = subprocess.run(["zsh", "-f", "-c", f"fpath=(\"$1\" $fpath); {script}", "zsh",
                                 os.path.dirname(ZSH_COMPLETION)], capture_output=True, text=True, timeout=30)
        self.assertEqual((result.returncode, result.stderr), (0, ""))
        self.assertEqual(result.stdout.split("\n")[:3], ["fpath:_termprobe", "sourced:_termprobe", "_termprobe: function"])

    def test_the_built_script_is_what_the_binary_writes(self):
        with open(ZSH_COMPLETION, encoding="utf-8") as script:
            self.assertEqual(script.read(), run_termprobe("generate", "zsh", timeout=20).stdout)


class Help(CommandTestCase):
    def test_short_version_flag(self):
        short, long = run_termprobe("-V", timeout=20), run_termprobe("--version", timeout=20)
        self.assertEqual((short.returncode, short.stdout), (0, long.stdout))
        self.assertRegex(short.stdout, r"^\d+\.\d+\.\d+\n$")

    def test_help_command_is_the_command_help(self):
        for command in commands():
            with self.subTest(command=command):
                helped = run_termprobe("help", command, timeout=20)
                self.assertEqual((helped.returncode, helped.stdout),
                                 (0, run_termprobe(command, "--help", timeout=20).stdout))
        self.assertEqual(run_termprobe("help", timeout=20).stdout, run_termprobe("--help", timeout=20).stdout)

    def test_help_for_a_mistyped_command(self):
        self.assert_refused(run_termprobe("help", "prob", timeout=20), "help: 'prob' is not a command: did you mean probe?")


class UnexpectedArguments(CommandTestCase):
    def test_listed_in_the_order_typed(self):
        self.assert_refused(run_termprobe("run", "-o", "/tmp/r.json", timeout=20),
                            "-o: not an option of run", "(not expected, in the order typed: -o /tmp/r.json; "
                            "see termprobe run --help)")

    def test_an_unknown_option_gets_the_nearest(self):
        self.assert_refused(run_termprobe("run", "--timout", "5", timeout=20),
                            "termprobe: error: --timout: not an option of run; did you mean --timeout? "
                            "(not expected, in the order typed: --timout 5; see termprobe run --help)")
        self.assert_refused(run_termprobe("probe", "http://127.0.0.1:1/", "--jsno=r.json", timeout=20),
                            "--jsno: not an option of probe; did you mean --json?")
        self.assert_refused(run_termprobe("run", "--versoin", timeout=20),
                            "--versoin: not an option of run; did you mean --version?")

    def test_no_suggestion_when_nothing_is_near(self):
        result = run_termprobe("run", "--zzzzzzzz", timeout=20)
        self.assert_refused(result, "--zzzzzzzz: not an option of run (not expected")
        self.assertNotIn("did you mean", result.stderr)


if __name__ == "__main__":
    unittest.main()
