"""compare beyond labels: the server's closing time, JUnit failing on a
baseline change, pairing two deployments (--match scenario, --map), and
merging the reports of sharded jobs. Real nginx and the real module host on
loopback, started and stopped here."""

import json
import os
import re
import subprocess
import unittest
import xml.etree.ElementTree as ElementTree

from harness import Nginx, ReportDir, Serve, run_termprobe, unused_port, validate_report

HERE = os.path.dirname(os.path.abspath(__file__))
JUNIT_XSD = os.path.join(HERE, "junit.xsd")


def keepalive_server(seconds, port=None):
    """nginx that closes an idle keep-alive connection `seconds` after the response."""
    return Nginx(f"listen 127.0.0.1:{{port}}; keepalive_timeout {seconds}s; "
                 "location / {{ return 200 'ok'; }}", port=port)


def probe_report(directory, name, url):
    """Three connections that each wait (up to --watch 5) for nginx to close them."""
    path = os.path.join(directory, name)
    result = run_termprobe("probe", url, "--count", "3", "-c", "3", "--watch", "5", "-q", "--json", path)
    if result.returncode != 0:
        raise AssertionError(result.stdout + result.stderr)
    with open(path, encoding="utf-8") as f:
        validate_report(json.load(f))
    return path


class ClosingTime(unittest.TestCase):
    def test_keepalive_timeout_two_then_one_second_is_a_change(self):
        with ReportDir() as d:
            port = unused_port()
            with keepalive_server(2, port) as nginx:
                before = probe_report(d, "before.json", nginx.url())
            with keepalive_server(1, port):
                after = probe_report(d, "after.json", nginx.url())
            with keepalive_server(2, port):
                again = probe_report(d, "again.json", nginx.url())
            changed = run_termprobe("compare", before, after, "--json", os.path.join(d, "changes.json"))
            same = run_termprobe("compare", before, again)
            loose = run_termprobe("compare", before, after, "--time-tolerance", "60%")
            with open(os.path.join(d, "changes.json"), encoding="utf-8") as f:
                changes = json.load(f)
        self.assertEqual(changed.returncode, 1, changed.stdout + changed.stderr)
        self.assertIn(f"{nginx.url()} probe  [changed: closing time]\n", changed.stdout)
        closing = re.search(r"  closing time: closed (\d+) ms after the response, was (\d+) ms \(median of 3 and 3 "
                            r"connections\); tolerance 25% or 50 ms, whichever is larger\n", changed.stdout)
        self.assertIsNotNone(closing, changed.stdout)
        now, was = int(closing.group(1)), int(closing.group(2))
        self.assertTrue(990 <= now <= 1100, now)
        self.assertTrue(1990 <= was <= 2100, was)
        self.assertEqual(changes["changes"][0]["what"], ["closing time"])
        self.assertEqual(changes["changes"][0]["baseline"]["closed_after_response"]["connections"], 3)
        # The same config again: a few ms of jitter is no change.
        self.assertEqual(same.returncode, 0, same.stdout)
        self.assertIn("no change: 1 scenario(s)", same.stdout)
        # 1 s off 2 s is 50%: within a 60% tolerance.
        self.assertEqual(loose.returncode, 0, loose.stdout)

    def test_a_bad_tolerance_is_one_line_and_exit_two(self):
        with ReportDir() as d:
            with keepalive_server(1) as nginx:
                path = probe_report(d, "a.json", nginx.url())
            result = run_termprobe("compare", path, path, "--time-tolerance", "5s")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "termprobe: error: --time-tolerance: 5s: '5s' must be a percentage (25%) "
                                        "or milliseconds (50ms)\n")


class TwoDeployments(unittest.TestCase):
    def test_match_scenario_and_map_pair_two_ports(self):
        with ReportDir() as d:
            with keepalive_server(1) as blue, keepalive_server(1) as green, keepalive_server(2) as slow:
                a = probe_report(d, "blue.json", blue.url())
                b = probe_report(d, "green.json", green.url())
                c = probe_report(d, "slow.json", slow.url())
            by_target = run_termprobe("compare", a, b)
            by_scenario = run_termprobe("compare", a, b, "--match", "scenario")
            mapped = run_termprobe("compare", a, b, "--map", f"{blue.url()}={green.url()}")
            moved = run_termprobe("compare", a, c, "--match", "scenario")
            typo = run_termprobe("compare", a, b, "--map", f"{blue.url()}=http://127.0.0.1:1/")
        self.assertEqual(by_target.returncode, 1)
        self.assertIn("[only in baseline]", by_target.stdout)
        self.assertEqual(by_scenario.returncode, 0, by_scenario.stdout)
        self.assertIn("no change", by_scenario.stdout)
        self.assertEqual(mapped.returncode, 0, mapped.stdout + mapped.stderr)
        self.assertEqual(moved.returncode, 1, moved.stdout)
        self.assertIn(f"{blue.url()} -> {slow.url()} probe  [changed: closing time]", moved.stdout)
        self.assertEqual(typo.returncode, 2)
        self.assertEqual(typo.stderr, f"termprobe: error: --map: 'http://127.0.0.1:1/' is not a target of '{b}' "
                                      f"(its targets: {green.url()})\n")

    def test_check_baseline_matches_by_scenario_across_targets(self):
        with ReportDir() as d:
            with keepalive_server(1) as blue, keepalive_server(1) as green:
                results = []
                for nginx, name in ((blue, "blue"), (green, "green")):
                    checks = os.path.join(d, f"{name}.toml")
                    with open(checks, "w", encoding="utf-8") as f:
                        f.write(f'[[probe]]\nname = "root"\nurl = "{nginx.url()}"\nrepeat = 2\nwatch = 3.0\n'
                                'expect = ["close_after_response"]\n')
                    extra = ["--json", os.path.join(d, "blue.json")] if name == "blue" else \
                        ["--baseline", os.path.join(d, "blue.json"), "--match", "scenario"]
                    results.append(run_termprobe("check", checks, *extra))
                unmatched = run_termprobe("check", os.path.join(d, "green.toml"), "--baseline",
                                          os.path.join(d, "blue.json"))
                blue_target, green_target = blue.url().rstrip("/"), green.url().rstrip("/")
                mapped = run_termprobe("check", os.path.join(d, "green.toml"), "--baseline",
                                       os.path.join(d, "blue.json"), "--map", f"{blue_target}={green_target}")
                typo = run_termprobe("check", os.path.join(d, "green.toml"), "--baseline",
                                     os.path.join(d, "blue.json"), "--map", f"{blue_target}=http://127.0.0.1:1")
        self.assertEqual(results[0].returncode, 0, results[0].stdout + results[0].stderr)
        self.assertEqual(results[1].returncode, 0, results[1].stdout + results[1].stderr)
        self.assertIn("no change: 1 scenario(s) in this run match", results[1].stdout)
        self.assertEqual(unmatched.returncode, 1, unmatched.stdout)
        self.assertEqual(mapped.returncode, 0, mapped.stdout + mapped.stderr)
        self.assertIn("no change: 1 scenario(s) in this run match", mapped.stdout)
        # Refused before any probe runs: nothing measured, one line.
        self.assertEqual(typo.returncode, 2, typo.stdout)
        self.assertEqual(typo.stdout, "")
        self.assertEqual(typo.stderr, f"termprobe: error: --map: 'http://127.0.0.1:1' is not a target of this run "
                                      f"(its targets: {green_target})\n")

    def test_match_options_need_a_baseline(self):
        result = run_termprobe("run", "--match", "scenario")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn("--baseline", result.stderr)


class JunitBaseline(unittest.TestCase):
    def test_a_baseline_change_fails_its_testcase(self):
        with ReportDir() as d:
            before, junit = os.path.join(d, "before.json"), os.path.join(d, "junit.xml")
            port = unused_port()
            with Serve(listen=f"127.0.0.1:{port}") as server:
                first = run_termprobe("run", "--target", server.base_url, "--repeat", "1", "--json", before)
            # The "upgrade": the module now wants a token, so every destructive endpoint answers 403.
            with Serve("--token", "s3cret", listen=f"127.0.0.1:{port}") as server:
                second = run_termprobe("run", "--target", server.base_url, "--repeat", "1", "--baseline", before,
                                       "--junit", junit)
            lint = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, junit], capture_output=True,
                                  text=True)
            tree = ElementTree.parse(junit)
        self.assertEqual(first.returncode, 0, first.stdout + first.stderr)
        self.assertEqual(second.returncode, 1, second.stdout)
        self.assertEqual(lint.returncode, 0, lint.stderr)
        cases = {c.get("name"): c for c in tree.getroot().find("testsuite").findall("testcase")}
        # cancel-io-send is still keepalive: only its status moved (200 -> 403).
        failure = cases["cancel-io-send"].find("failure")
        self.assertIsNotNone(failure)
        self.assertIn("changed from the baseline: status; baseline: keepalive x1; status 200 x1",
                      failure.get("message"))
        self.assertIn("current: keepalive x1; status 403 x1", failure.get("message"))
        # ok did not change and stays a pass.
        self.assertIsNone(cases["ok"].find("failure"))
        self.assertEqual(int(tree.getroot().get("failures")), sum(1 for c in cases.values()
                                                                 if c.find("failure") is not None))


class Merge(unittest.TestCase):
    def test_two_shards_merge_into_the_fleets_report(self):
        with ReportDir() as d:
            a, b, fleet, merged = (os.path.join(d, n) for n in ("a.json", "b.json", "fleet.json", "all.json"))
            with Serve() as one, Serve() as two:
                shard_a = run_termprobe("run", "--target", one.base_url, "--repeat", "2", "--json", a)
                shard_b = run_termprobe("run", "--target", two.base_url, "--repeat", "2", "--json", b)
                whole = run_termprobe("run", "--target", one.base_url, "--target", two.base_url, "--repeat", "2",
                                      "--json", fleet)
            merge = run_termprobe("merge", a, b, "--json", merged)
            compare = run_termprobe("compare", fleet, merged)
            twice = run_termprobe("merge", a, a, "--json", os.path.join(d, "twice.json"))
            with open(merged, encoding="utf-8") as f:
                document = json.load(f)
            with open(b, encoding="utf-8") as f:
                old = json.load(f)
            old["schema_version"] = 1
            old_path = os.path.join(d, "old.json")
            with open(old_path, "w", encoding="utf-8") as f:
                json.dump(old, f)
            versions = run_termprobe("merge", a, old_path, "--json", os.path.join(d, "mixed.json"))
            left = sorted(os.listdir(d))
        for result in (shard_a, shard_b, whole):
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(merge.returncode, 0, merge.stderr)
        self.assertEqual(merge.stdout, f"merged 2 report(s) into {merged}\n")
        validate_report(document)
        self.assertEqual([t["target"] for t in document["targets"]], [one.base_url, two.base_url])
        self.assertEqual(len(document["results"]), 28)
        self.assertEqual(document["summary"]["total"], 28)
        self.assertEqual(len(document["verdicts"]), 14)
        self.assertEqual([s["file"] for s in document["merged_from"]], [a, b])
        self.assertEqual(compare.returncode, 0, compare.stdout)
        self.assertIn("no change: 14 scenario(s)", compare.stdout)
        self.assertEqual(twice.returncode, 2)
        self.assertEqual(twice.stderr, f"termprobe: error: target '{one.base_url}' is in both '{a}' and '{a}': "
                                       "each target belongs to one shard\n")
        self.assertEqual(versions.returncode, 2)
        self.assertEqual(versions.stderr, f"termprobe: error: '{old_path}' has schema_version 1; this termprobe "
                                          "reads version 2 only (write it again with this version)\n")
        self.assertNotIn("twice.json", left)
        self.assertNotIn("mixed.json", left)


if __name__ == "__main__":
    unittest.main()
