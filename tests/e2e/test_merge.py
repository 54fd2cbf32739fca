"""`termprobe merge`: the reports of jobs that each probed part of a fleet
(CI matrix shards) add up to the report of one job over the whole fleet; a
target in two shards and a report of another schema version are refused, with
nothing written. The real module host on loopback."""

import json
import os
import unittest

from harness import ReportDir, Serve, run_termprobe, validate_report


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
                                          "reads version 4 only (write it again with this version)\n")
        self.assertNotIn("twice.json", left)
        self.assertNotIn("mixed.json", left)


if __name__ == "__main__":
    unittest.main()
