#!/usr/bin/env python
"""Benchmark the hub's pages against its trivial view, served by gunicorn with production settings.

A measurement, not a test: it exits 0 even when a target is missed, unless --strict is given.
See bench/README.md for how to run it and how to read the table.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
PY = sys.executable
WORKERS = 2
WRK_THREADS = 2
WARMUP_REQUESTS = 6
DEMO_USER = "member"
# Targets, as fractions of the trivial view's requests/s (and a latency ceiling for signed-in pages).
CACHED_MIN_RATIO = 0.50
SIGNED_IN_MIN_RATIO = 0.10
SIGNED_IN_MAX_P99_MS = 100.0
# Search is never cached: each request runs the query. Targets are p95 latencies:
# on the database backend (small hubs), and on a search engine (OPENSEARCH_URL or
# ELASTICSEARCH_URL set, as for the hub itself).
ENGINE = (
    "opensearch"
    if os.environ.get("OPENSEARCH_URL")
    else "elasticsearch"
    if os.environ.get("ELASTICSEARCH_URL")
    else "database"
)
SEARCH_MAX_P95_MS = 150.0 if ENGINE == "database" else 100.0
AUTOCOMPLETE_MAX_P95_MS = 50.0 if ENGINE == "database" else 30.0

# Lua that sends each request to the next of a list of paths (one list per wrk thread).
ROTATE_LUA = r"""
local paths = {%s}
local counter = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("start", threads * 1000)
end
init = function(args)
  counter = start or 0
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""

# wrk's own summary is for humans; this prints one machine-readable line from done().
# Latencies reach Lua in microseconds. errors.status counts responses with a status >= 400.
WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p95_us=%d p99_us=%d "
    .. "status_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""

# Runs in a child process so the harness itself never imports Django (and never mixes settings).
SETUP_HOOK = """
import sys, django
django.setup()
from django.utils.module_loading import import_string
import_string(sys.argv[1].replace(":", "."))()
# Fresh planner statistics after bulk data: without them (a server running
# without autovacuum, or before it comes round) PostgreSQL plans for empty
# tables and a ten-row lookup scans the whole library.
from django.db import connection
if connection.vendor == "postgresql":
    connection.cursor().execute("ANALYZE")
"""
LOGIN = f"""
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username={DEMO_USER!r}))
print(settings.SESSION_COOKIE_NAME + "=" + client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="open connections (default 8)")
    parser.add_argument(
        "--paths", nargs="+", default=[], metavar="PATH", help="extra paths, each run anonymous and signed in"
    )
    parser.add_argument(
        "--setup", nargs="+", default=[], metavar="MODULE:FUNC", help="callables that generate bulk data"
    )
    parser.add_argument(
        "--search", action="store_true", help="also measure search and autocomplete over many queries"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if args.connections < WRK_THREADS:
        parser.error(f"--connections must be at least {WRK_THREADS} (one per wrk thread)")
    return args


def base_env(settings_module, **extra):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env.update(extra)
    return env


def step(title, cmd, env):
    print(f"==> {title}", flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{title} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def free_port():
    # The OS picks an unused port; the tiny race until gunicorn binds it is acceptable on a laptop.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port, path, cookie=None):
    """One GET without following redirects (a redirect would be benchmarked as if it were the page)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("X-Page-Cache"), response.getheader("Set-Cookie", "")
    finally:
        conn.close()


def start_gunicorn(port, env, log_path):
    cmd = [
        PY, "-m", "gunicorn", "hub.wsgi:application",
        "--workers", str(WORKERS), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
    ]  # fmt: skip
    # Django logs every 404 and 500 to stderr; into a file, so a run with errors does not flood the table.
    with open(log_path, "w") as log:
        # Own session: Ctrl-C reaches only us, and the finally block shuts gunicorn down in order.
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)


def wait_until_live(proc, port, log_path, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            if fetch(port, "/health/live/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer /health/live/ within {timeout:.0f} s:\n{log_path.read_text()}")


def stop_gunicorn(proc):
    if proc.poll() is None:
        proc.terminate()  # SIGTERM: the arbiter stops its workers gracefully
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def worker_rss_mb(proc):
    """Resident memory (MB) of each gunicorn worker, the arbiter's children (Linux only)."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue  # the process has gone
        if fields.get("PPid", "").strip() == str(proc.pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def cpu_busy(seconds=1.0):
    """Fraction of CPU time used by anything over `seconds`, while gunicorn idles (Linux only)."""

    def sample():
        with open("/proc/stat") as f:
            ticks = [int(t) for t in f.readline().split()[1:]]
        return ticks[3] + ticks[4], sum(ticks)  # idle + iowait, total

    try:
        idle1, total1 = sample()
        time.sleep(seconds)
        idle2, total2 = sample()
    except OSError:
        return None
    return 1 - (idle2 - idle1) / max(total2 - total1, 1)


def check_cache(port, cookie):
    """The comparison means something only if anonymous runs hit the visitors' cache and
    signed-in ones get the members' shared copy (X-Page-Cache: shared-...), never the visitors'."""
    _, header, set_cookie = fetch(port, "/", cookie)
    if header is None or not header.startswith("shared-"):
        print(f"WARNING: signed-in / carries X-Page-Cache: {header}, not the members' shared copy.")
    # A session Django cannot read is flushed and its cookie cleared: the run would be anonymous.
    if set_cookie.startswith(cookie.split("=")[0] + '=""'):
        print("WARNING: the server rejected the signed-in session; the signed-in runs are anonymous.")
    # Each worker has its own local-memory cache, so the first hit may take a request per worker.
    for _ in range(WARMUP_REQUESTS + 2):
        status, header, _ = fetch(port, "/")
        if header == "hit":
            return
    print(f"WARNING: anonymous / never answered X-Page-Cache: hit (last: {header}, status {status}).")


def search_paths():
    """Search URLs for the rotating run: the judged sample queries, words found
    in most documents, typos, syntax, a long question, facets, sorting, pages."""
    from urllib.parse import urlencode

    sample = ROOT / "knowledge" / "data" / "sample_queries.tsv"
    queries = [line.split("\t")[1] for line in sample.read_text().splitlines()[1:] if "\t" in line]
    queries += [
        "mental health", "health", "care", "services", "the", "crisis", "peer support", "988",
        "sucide prevention", "tele-health rural", "evidence based", '"(AND* \\', "zzzz qqqq",
        "salud mental", "SMI", "MOUD", "workforce burnout", "youth",
        "how do community mental health centers " * 5,
    ]  # fmt: skip
    paths = [f"/search/?{urlencode({'q': q})}" for q in queries]
    paths += [
        "/search/?q=mental+health&topic=crisis-services",
        "/search/?q=care&type=toolkit&evidence=strong",
        "/search/?q=mental+health&sort=newest&page=7",
        "/search/?q=crisis&format=json",
        "/search/?topic=health-equity",
        "/search/",
    ]
    return paths


def cold_search_paths(count=3000):
    """Queries never asked before in the run (pairs of the field's words), so
    every request runs the whole search: no answer is remembered."""
    from itertools import product
    from urllib.parse import urlencode

    words = """mental health crisis peer support youth housing suicide prevention telehealth rural
    workforce burnout equity language access trauma veterans family opioid treatment recovery
    school community clinic integrated primary care screening outcomes funding policy training
    older adults homeless justice police diversion anxiety depression psychosis medication""".split()
    pairs = [f"{a} {b}" for a, b in product(words, words) if a != b]
    return [f"/search/?{urlencode({'q': q})}" for q in pairs[:count]]


AUTOCOMPLETE_PREFIXES = ["me", "men", "ment", "cri", "cris", "pee", "tel", "988", "sui", "hou", "wor", "yo"]


def run_wrk(port, path, args, lua_path, cookie=None):
    cmd = [
        "wrk", "--latency", "-t", str(WRK_THREADS), "-c", str(args.connections),
        "-d", f"{args.duration}s", "-s", str(lua_path),
    ]  # fmt: skip
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH (.*)$", output, re.MULTILINE)
    if not match:
        sys.exit(f"wrk printed no BENCH line:\n{output}")
    fields = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    return {
        "requests": fields["requests"],
        "rps": fields["requests"] / (fields["duration_us"] / 1e6),
        "p50_ms": fields["p50_us"] / 1000,
        "p90_ms": fields["p90_us"] / 1000,
        "p95_ms": fields["p95_us"] / 1000,
        "p99_ms": fields["p99_us"] / 1000,
        "errors": fields["status_errors"] + fields["socket_errors"],
        "status_errors": fields["status_errors"],
        "socket_errors": fields["socket_errors"],
    }


def planned_runs(extra_paths, search=False):
    def run(name, path, kind, signed_in, paths=None):
        return {"name": name, "path": path, "kind": kind, "signed_in": signed_in, "paths": paths}

    runs = [
        run("trivial", "/health/live/", "trivial", False),
        run("home (anonymous, cached)", "/", "cached", False),
        # Signed-in pages: the members' shared copy with the personal parts
        # filled in (hub/personal.py), never the visitors' copy.
        run("home (signed in)", "/", "signed_in", True),
        # The member's own page, kept for them alone (bench/my_hub.py measures its first view).
        run("My hub (signed in)", "/account/", "signed_in", True),
    ]
    for path in extra_paths:
        runs.append(run(f"{path} (anonymous, cached)", path, "cached", False))
        runs.append(run(f"{path} (signed in)", path, "signed_in", True))
    if search:
        paths = search_paths()
        runs.append(run("search, any query (anonymous)", paths[0], "search", False, paths))
        runs.append(run("search, any query (signed in)", paths[0], "search", True, paths))
        cold = cold_search_paths()
        runs.append(run("search, never-asked queries (cold)", cold[0], "search", False, cold))
        common = "/search/?q=mental+health"
        runs.append(run("search 'mental health' (most pages)", common, "search", False))
        prefixes = [f"/search/autocomplete/?q={p}" for p in AUTOCOMPLETE_PREFIXES]
        runs.append(run("autocomplete (anonymous)", prefixes[0], "autocomplete", False, prefixes))
    return runs


def check_targets(runs):
    checks = []
    for run in runs:
        if run["kind"] == "cached":
            ok = run["ratio"] >= CACHED_MIN_RATIO
            target = f"req/s >= {CACHED_MIN_RATIO:.0%} of trivial"
        elif run["kind"] == "signed_in":
            ok = run["ratio"] >= SIGNED_IN_MIN_RATIO and run["p99_ms"] < SIGNED_IN_MAX_P99_MS
            target = f"req/s >= {SIGNED_IN_MIN_RATIO:.0%} of trivial and p99 < {SIGNED_IN_MAX_P99_MS:.0f} ms"
        elif run["kind"] in ("search", "autocomplete"):
            limit = SEARCH_MAX_P95_MS if run["kind"] == "search" else AUTOCOMPLETE_MAX_P95_MS
            ok = run["p95_ms"] < limit
            target = f"p95 < {limit:.0f} ms"
        else:
            continue
        # Fast error pages must not pass for fast pages.
        ok = ok and run["errors"] == 0 and run["status"] == 200
        checks.append({"name": run["name"], "target": target, "pass": ok})
    return checks


def print_table(runs):
    header = f"{'name':<34} {'path':<16} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
    header += f"{'errors':>7} "
    header += f"{'% trivial':>9}  {'status':>6}  {'X-Page-Cache':<12}"
    print("\n" + header + "\n" + "-" * len(header))
    for r in runs:
        print(
            f"{r['name']:<34} {r['path'][:16]:<16} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} "
            f"{r['p99_ms']:>8.2f} "
            f"{r['errors']:>7} {r['ratio']:>8.1%}  {r['status']:>6}  {r['cache']}"
        )


def main():
    args = parse_args()
    # Gunicorn runs in its own session, so a plain `kill` of this script must still reach the finally block.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    database_url = os.environ.get("DATABASE_URL", "")
    dev_env = base_env("hub.settings.dev")
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        tmp = Path(tmp)
        # The same key for gunicorn and the login subprocess: sessions are signed with it.
        prod_env = base_env(
            "hub.settings.production",
            SECRET_KEY=secrets.token_urlsafe(48)[:64],
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            EMAIL_HOST="localhost",
            DEBUG="0",
            # check_cache reads it: which copy answered.
            HUB_EXPOSE_CACHE_HEADER="1",
            STATIC_ROOT=str(tmp / "static"),
        )
        step("migrate", [PY, "manage.py", "migrate", "--noinput", "-v0"], dev_env)
        step("load_demo_content", [PY, "manage.py", "load_demo_content"], dev_env)
        for spec in args.setup:
            step(f"setup {spec}", [PY, "-c", SETUP_HOOK, spec], dev_env)
        # The manifest storage refuses to render a template whose static file it has not hashed.
        collectstatic = [PY, "manage.py", "collectstatic", "--noinput", "-v0"]
        step("collectstatic (production settings)", collectstatic, prod_env)
        cookie = step(f"sign in as {DEMO_USER!r}", [PY, "-c", LOGIN], prod_env).strip()

        lua_path = tmp / "report.lua"
        lua_path.write_text(WRK_LUA)
        log_path = tmp / "gunicorn.log"
        port = free_port()
        runs = planned_runs(args.paths, search=args.search)
        busy = None
        rss = []
        print(f"==> gunicorn on 127.0.0.1:{port} ({WORKERS} sync workers)", flush=True)
        proc = start_gunicorn(port, prod_env, log_path)
        try:
            wait_until_live(proc, port, log_path)
            # Other work on the machine steals CPU from both wrk and gunicorn and skews every ratio.
            busy = cpu_busy()
            if busy is not None and busy > 0.2:
                print(f"WARNING: the CPUs are {busy:.0%} busy before the runs; the numbers will be low.")
            check_cache(port, cookie)
            for run in runs:
                run_cookie = cookie if run["signed_in"] else None
                # Several requests, so that each worker's local-memory cache holds the page.
                seen = set()
                for _ in range(WARMUP_REQUESTS):
                    run["status"], header, _ = fetch(port, run["path"], run_cookie)
                    seen.add(header or "-")
                run["cache"] = ",".join(sorted(seen))
                if run["status"] != 200:
                    print(f"WARNING: {run['name']} answers {run['status']}, not 200.")
                print(f"==> wrk {run['name']}: {args.duration} s, {args.connections} connections", flush=True)
                run_lua = lua_path
                if run.get("paths"):
                    if "cold" not in run["name"]:
                        for extra in run["paths"]:
                            fetch(port, extra, run_cookie)
                    quoted = ", ".join(json.dumps(p) for p in run["paths"])
                    run_lua = tmp / f"rotate-{len(run['name'])}-{id(run)}.lua"
                    run_lua.write_text(ROTATE_LUA % quoted + WRK_LUA)
                run.update(run_wrk(port, run["path"], args, run_lua, run_cookie))
            rss = worker_rss_mb(proc)
        finally:
            stop_gunicorn(proc)
            errors = [line for line in log_path.read_text().splitlines() if " ERROR " in line]
            if errors:
                print(f"WARNING: gunicorn logged {len(errors)} errors, the last: {errors[-1]}")

    trivial_rps = runs[0]["rps"]
    for run in runs:
        run["ratio"] = run["rps"] / trivial_rps if trivial_rps else 0.0
    print_table(runs)
    checks = check_targets(runs)
    print("\nTargets:")
    for c in checks:
        print(f"  {'PASS' if c['pass'] else 'FAIL'}  {c['name']}: {c['target']}")
    print(
        f"\nSearch backend: {ENGINE}. Gunicorn worker RSS after the runs: "
        + ", ".join(f"{mb:.0f} MB" for mb in rss)
    )
    print(f"{os.cpu_count()} CPUs shared by wrk and gunicorn; compare runs on the same machine only.")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    now = datetime.now().astimezone()
    out = RESULTS_DIR / f"{now:%Y%m%d-%H%M%S}.json"
    record = {
        "timestamp": now.isoformat(timespec="seconds"),
        "database": "DATABASE_URL" if database_url else "sqlite db.sqlite3",
        "cpus": os.cpu_count(),
        "cpu_busy_before": busy,
        "gunicorn_workers": WORKERS,
        "search_backend": ENGINE,
        "worker_rss_mb": [round(mb, 1) for mb in rss],
        "duration_s": args.duration,
        "connections": args.connections,
        "setup": args.setup,
        "runs": runs,
        "targets": checks,
    }
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"Results written to {out.relative_to(ROOT)}")
    return 1 if args.strict and not all(c["pass"] for c in checks) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("\ninterrupted")
