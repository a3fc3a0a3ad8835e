#!/usr/bin/env python3
"""Summarizes the raw wrk outputs bench/run.sh leaves in a folder: one line per figure with
req/s and p99 (medians over the rounds), the ratio to the median ping and the SPEC §7 bar.

Usage: bench/report.py DIR ROUNDS
"""
import re
import statistics
import sys
from pathlib import Path

FIGURES = [  # file name, label, bar as a ratio to ping (or None), bar text
    ("ping", "GET /api/health/ping (baseline)", None, ""),
    ("hot", "GET /api/users/<u>, one hot key", 0.7, ">= 0.70x ping"),
    ("verify", "GET /api/auth/verify (mints a token)", 0.7, ">= 0.70x ping"),
    ("list", "GET /api/users/ (whole list)", None, ">= 1,000 req/s at 10,000 users"),
    ("page_first", "GET /api/users/?page=1&limit=20", 0.3, ">= 0.30x ping"),
    ("page_last", "GET /api/users/?page=<last full>&limit=20", 0.3, ">= 0.30x ping"),
    ("cold", "cold key checks (each key once)", 0.5, ">= 0.50x ping"),
    ("login", "POST /api/users/login", None, "KDF-bound"),
]
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse(text: str) -> dict:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:.*", text)
    total = re.search(r"(\d+) requests in", text)
    # cold_keys.lua times the keys itself: wrk divides by the whole -d duration.
    timed = re.search(r"^cold: (\d+) requests in ([\d.]+) s$", text, re.M)
    if timed and float(timed.group(2)) > 0:
        rps = float(timed.group(1)) / float(timed.group(2))
    elif rps:
        rps = float(rps.group(1))
    ticks = re.search(r"^server_ticks: (\d+) of (\d+)$", text, re.M)
    served = int(total.group(1)) if total else 0
    return {
        "cpu_us": (int(ticks.group(1)) / int(ticks.group(2)) * 1e6 / served
                   if ticks and served else float("nan")),
        "rps": rps or 0.0,
        "p99_ms": float(p99.group(1)) * UNITS[p99.group(2)] if p99 else float("nan"),
        "non2xx": int(bad.group(1)) if bad else 0,
        "errors": errors.group(0) if errors else "",
        "requests": int(total.group(1)) if total else 0,
        "keys": int(timed.group(1)) if timed else 0,
    }


def main() -> None:
    folder, rounds = Path(sys.argv[1]), int(sys.argv[2])
    runs = {}
    for name, *_ in FIGURES:
        files = [p for p in sorted(folder.glob(f"{name}*"))
                 if p.name == name or p.name.startswith(name + ".")]
        if files:
            runs[name] = [parse(p.read_text()) for p in files]
    ping = statistics.median(r["rps"] for r in runs["ping"])
    print(f"\n{'figure':40} {'req/s':>9} {'p99 ms':>8} {'x ping':>7} {'cpu us':>7}  bar")
    for name, label, bar, bar_text in FIGURES:
        if name not in runs:
            continue
        rps = statistics.median(r["rps"] for r in runs[name])
        p99 = statistics.median(r["p99_ms"] for r in runs[name])
        cpu = statistics.median(r["cpu_us"] for r in runs[name])
        ratio = rps / ping if ping else 0.0
        verdict = "" if bar is None else ("  ok" if ratio >= bar else "  MISSED")
        note = ""
        non2xx = sum(r["non2xx"] for r in runs[name])
        if non2xx and name != "login":
            note += f"  ({non2xx} non-2xx answers!)"
        if any(r["errors"] for r in runs[name]):
            note += "  (" + "; ".join(r["errors"] for r in runs[name] if r["errors"]) + ")"
        if name == "cold":
            note += f"  ({runs[name][0]['keys']} distinct keys)"
        print(f"{label:40} {rps:9.0f} {p99:8.2f} {ratio:6.2f}x {cpu:7.0f}  {bar_text}{verdict}{note}"
              .rstrip())
    memory = folder / "memory"
    if memory.exists():
        kib = dict(line.split(":") for line in memory.read_text().splitlines())
        rss = int(kib["VmRSS"].split()[0]) / 1024
        peak = int(kib["VmHWM"].split()[0]) / 1024
        print(f"{'resident memory after that load':40} {rss:6.0f} MiB (peak {peak:.0f} MiB;"
              " bar: < 200 MiB at 100,000 users + 100,000 sessions)")
        if "RssAnon" in kib and "RssFile" in kib:
            anon = int(kib["RssAnon"].split()[0]) / 1024
            mapped = int(kib["RssFile"].split()[0]) / 1024
            print(f"{'  of which heap (anonymous) / files':40} {anon:6.0f} MiB / {mapped:.0f} MiB"
                  " (mapped files: the binary and its libraries)")
        if "Pss" in kib:
            pss = int(kib["Pss"].split()[0]) / 1024
            print(f"{'  proportional set size (PSS)':40} {pss:6.0f} MiB (shared library pages"
                  " divided among the processes that map them)")
    print(f"(medians of {rounds} round(s); ping measured twice per round; cpu us = server CPU time"
          " (user + system) per request, all threads)")


if __name__ == "__main__":
    main()
