"""Hand-made termprobe reports for the compare tests: schema-valid, small,
and exact, so the tests can assert compare's output to the byte."""

import copy
import json


def entry(target, scenario, label, status=200, announced=False, kind="open", wire_bytes=100, rst_after_fin_us=None):
    phase = {"keepalive": "after_response", "close_after_response": "after_response",
             "reset_before_response": "before_response", "reset_mid_response": "mid_response"}[label]
    return {
        "target": target, "scenario": scenario, "url": target + "/termprobe/" + scenario, "repeat": 0,
        "local": {"address": "127.0.0.1", "port": 40000}, "remote": {"address": "127.0.0.1", "port": 8080},
        "request": {"method": "GET", "head_bytes": 60, "head_complete": True, "bytes_sent": 60,
                    "bytes_acked": 60, "body_bytes": 0, "body_bytes_sent": 0, "body_bytes_acked": 0,
                    "complete": True},
        "response": {"status": status, "http_version": None if status is None else "1.1",
                     "interim_responses": 0, "bytes": wire_bytes, "header_bytes": 0 if status is None else 90,
                     "body_bytes": 0, "wire_bytes": wire_bytes, "declared_length": None, "chunked": False,
                     "close_delimited": False, "complete": phase == "after_response",
                     "connection_close": announced, "bytes_after_response": 0, "parse_error": None,
                     "first_bytes_hex": None, "module": "termprobe-module/1"},
        "ending": {"kind": kind, "errno": 104 if kind == "rst" else 0,
                   "error": "Connection reset by peer" if kind == "rst" else None, "after_response_us": None,
                   "rst_after_fin_us": rst_after_fin_us, "fin_watch_us": 0, "watch_cut_short": False, "interrupted": False},
        "timings_us": {"connect": 10, "tls": None, "request_sent": 20, "first_byte": 30,
                       "response_complete": None, "ended": 40},
        "tls": None,
        "http2": None,
        "reused": False,
        "reuse": None,
        "outcome": {"phase": phase, "ending": kind, "label": label, "announced": announced,
                    "announced_close_missed": False},
    }


def report(entries):
    targets = []
    for e in entries:
        if e["target"] not in targets:
            targets.append(e["target"])
    labels = {}
    for e in entries:
        labels[e["outcome"]["label"]] = labels.get(e["outcome"]["label"], 0) + 1
    return {
        "schema_version": 4, "tool": {"name": "termprobe", "version": "0.1.0"},
        "command": ["termprobe", "run"], "started_at": "2026-11-24T20:00:00Z",
        "targets": [{"target": t, "total": sum(1 for e in entries if e["target"] == t),
                     "labels": {lab: n for lab, n in
                                _count(e["outcome"]["label"] for e in entries if e["target"] == t).items()}}
                    for t in targets],
        "interrupted": False, "results": entries,
        "summary": {"total": len(entries), "requested": len(entries), "labels": labels,
                    "by_label": {lab: {"count": n, "share": n / len(entries),
                                       "first_byte_us": {"p50": 30, "p90": 30, "p99": 30},
                                       "ended_us": {"p50": 40, "p90": 40, "p99": 40}} for lab, n in labels.items()}},
    }


def _count(items):
    counts = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def baseline():
    t = "http://127.0.0.1:8080"
    return report([entry(t, "ok", "keepalive"), entry(t, "ok", "keepalive"),
                   entry(t, "reset", "reset_before_response", status=None, kind="rst", wire_bytes=0),
                   entry(t, "need-disconnect", "close_after_response", announced=True, kind="fin")])


def write(path, document):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out)
    return path


def changed(document, scenario, **fields):
    """A copy where every entry of scenario is rebuilt with other facts."""
    result = copy.deepcopy(document)
    result["results"] = [entry(e["target"], scenario, **fields) if e["scenario"] == scenario else e
                         for e in result["results"]]
    return report(result["results"])
