#!/usr/bin/env python
"""Load the two-instance stack with the launch-webinar morning and report per kind.

A measurement, not a test. It uses a stack brought up by bench/stack.py (or
brings one up from a database dump), writes the plan (bench/load/plan.py),
runs locust headless (bench/load/locustfile.py, from its own virtualenv:
``make bench-load-venv``) and samples the CPU and memory of every process of
the stack while it runs:

    .venv/bin/python bench/load/run.py --dir /tmp/stack --users 200 --duration 300
    .venv/bin/python bench/load/run.py --dir /tmp/stack --restore hub_bench.dump --users 200 400

It prints, for each number of users, a table per kind of request (requests,
errors, p50/p95/p99 ms, requests/s) with the goals (0 errors, p95 under 300 ms
for pages, 500 ms for submissions), then the CPU (% of one core, mean over the
run) and peak resident memory of each service, and writes all of it to
bench/results/load-<timestamp>.json.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import Stack  # noqa: E402

LOCUST = ROOT / "bench" / "load" / ".venv" / "bin" / "locust"
RESULTS = ROOT / "bench" / "results"
PAGE_P95_MS = 300
SUBMIT_P95_MS = 500
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError):
        return None


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Sampler(threading.Thread):
    """CPU time and resident memory of each service's processes, every ``every`` seconds."""

    def __init__(self, stack, extra=None, every=2.0):
        super().__init__(daemon=True)
        self.stack, self.extra, self.every = stack, extra or {}, every
        self.stopped = threading.Event()
        self.first, self.last, self.peak_rss = {}, {}, {}
        self.started = self.ended = None

    def snapshot(self):
        groups = self.stack.processes()
        for name, pid in self.extra.items():
            from bench.stack import children

            groups[name] = [pid, *children(pid)]
        now = {}
        for name, pids in groups.items():
            ticks = {pid: cpu_ticks(pid) for pid in pids}
            now[name] = {pid: t for pid, t in ticks.items() if t is not None}
            rss = sum(rss_mb(pid) for pid in pids)
            self.peak_rss[name] = max(self.peak_rss.get(name, 0.0), rss)
        return now

    def keep(self, snapshot):
        """The latest CPU time seen of every process, also of those that have since exited."""
        for name, pids in snapshot.items():
            self.last.setdefault(name, {}).update(pids)

    def run(self):
        self.started = time.monotonic()
        self.first = self.snapshot()
        while not self.stopped.wait(self.every):
            self.keep(self.snapshot())
        self.keep(self.snapshot())
        self.ended = time.monotonic()

    def report(self):
        seconds = max((self.ended or time.monotonic()) - self.started, 0.001)
        result = {}
        for name, pids in self.last.items():
            used = sum(t - self.first.get(name, {}).get(pid, 0) for pid, t in pids.items())
            result[name] = {
                "cpu_percent_of_one_core": round(100 * used / TICKS / seconds, 1),
                "peak_rss_mb": round(self.peak_rss.get(name, 0.0), 1),
                "processes": len(pids),
            }
        return result


def read_stats(prefix):
    rows = {}
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            name = row["Name"] if row["Type"] != "" else "all"
            if row["Name"] == "Aggregated":
                name = "all"
            rows[name] = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "rps": round(float(row["Requests/s"] or 0), 1),
            }
    failures = []
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with open(path) as f:
            failures = [
                {"name": r["Name"], "error": r["Error"][:200], "count": int(r["Occurrences"])}
                for r in csv.DictReader(f)
            ]
    return rows, failures


def goal(name, row):
    if name in ("all", "static"):
        return None
    limit = SUBMIT_P95_MS if name.startswith("submit") else PAGE_P95_MS
    return row["errors"] == 0 and row["p95_ms"] < limit


def make_plan(stack, members):
    plan = stack.dir / "load-plan.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load" / "plan.py"), str(plan), str(members)],
        cwd=ROOT, env=stack.env(), capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"The load plan failed:\n{result.stdout}{result.stderr}")
    print(result.stdout.strip())
    return plan


def run_locust(stack, plan, users, duration, spawn_rate, run_id, on_started=None, think=(5, 15)):
    """Locust headless for ``duration`` seconds; returns (stats rows, failures, resource use)."""
    if not LOCUST.exists():
        sys.exit(f"{LOCUST} is missing: run `make bench-load-venv` first")
    prefix = stack.dir / f"load-{run_id}"
    env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_RUN_ID": run_id, "LOAD_CERTIFICATE": stack.certificate}
    env["LOAD_THINK_SECONDS"] = ",".join(str(seconds) for seconds in think)
    # 127.N.0.2 onwards, N changing every 10 s: a block of 65,534 addresses per run.
    env["LOAD_ADDRESS_BASE"] = str(((int(time.time()) // 10) % 250 + 1) * 65536 + 2)
    log = open(stack.dir / "logs" / f"locust-{run_id}.log", "w")
    proc = subprocess.Popen(
        [str(LOCUST), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless", "--host", stack.url,
         "-u", str(users), "-r", str(spawn_rate), "-t", f"{duration}s", "--csv", str(prefix),
         "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    sampler = Sampler(stack, extra={"locust (load generator)": proc.pid})
    sampler.start()
    if on_started:
        on_started(proc)
    proc.wait()
    sampler.stopped.set()
    sampler.join()
    rows, failures = read_stats(prefix)
    return rows, failures, sampler.report()


def print_run(users, rows, failures, usage):
    print(f"\n### {users} users")
    print("| kind | requests | errors | p50 ms | p95 ms | p99 ms | req/s | goal |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, row in sorted(rows.items(), key=lambda item: (item[0] == "all", item[0])):
        verdict = goal(name, row)
        mark = "" if verdict is None else ("pass" if verdict else "FAIL")
        print(
            f"| {name} | {row['requests']:,} | {row['errors']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} "
            f"| {row['p99_ms']:.0f} | {row['rps']} | {mark} |"
        )
    if failures:
        print("\nErrors:")
        for failure in failures:
            print(f"- {failure['name']}: {failure['error']} ({failure['count']})")
    print("\n| process | CPU (% of one core) | peak memory MB | processes |")
    print("|---|---:|---:|---:|")
    for name, use in sorted(usage.items()):
        print(f"| {name} | {use['cpu_percent_of_one_core']} | {use['peak_rss_mb']} | {use['processes']} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="the stack's folder (bench/stack.py)")
    parser.add_argument("--restore", help="bring the stack up from this pg_dump -Fc file first")
    parser.add_argument("--users", type=int, nargs="+", default=[200], help="concurrent users, one run each")
    parser.add_argument("--duration", type=int, default=300, help="seconds per run (default 300)")
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    parser.add_argument("--members", type=int, default=300, help="signed-in member accounts to make")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(5, 15),
        metavar=("MIN", "MAX"),
        help="seconds a person waits between steps (default 5 15: reading a page)",
    )
    parser.add_argument(
        "--warmup", type=int, default=30, help="seconds of light load first (20 users), not reported"
    )
    parser.add_argument("--down", action="store_true", help="stop the stack at the end")
    args = parser.parse_args()

    stack = Stack(args.dir)
    if not stack.state:
        print(f"==> bringing the stack up in {args.dir}", flush=True)
        stack.up(restore=args.restore)
    try:
        plan = make_plan(stack, args.members)
        runs = []
        if args.warmup:
            # A stack just started has every cache empty: the first minute is not the morning's.
            print(f"==> warm-up: 20 users for {args.warmup} s (not reported)", flush=True)
            run_locust(stack, plan, 20, args.warmup, 10, f"warmup-{int(time.time())}", think=args.think)
        for users in args.users:
            run_id = f"{users}u-{int(time.time())}"
            print(
                f"==> {users} users for {args.duration} s, {args.think[0]:g}-{args.think[1]:g} s apart",
                flush=True,
            )
            rows, failures, usage = run_locust(
                stack, plan, users, args.duration, args.spawn_rate, run_id, think=args.think
            )
            print_run(users, rows, failures, usage)
            runs.append({"users": users, "stats": rows, "failures": failures, "usage": usage})
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"load-{datetime.now():%Y%m%d-%H%M%S}.json"
        out.write_text(
            json.dumps({"duration_s": args.duration, "think_s": args.think, "runs": runs}, indent=2)
        )
        print(f"\nwritten: {out.relative_to(ROOT)}")
    finally:
        if args.down:
            stack.down()


if __name__ == "__main__":
    main()
