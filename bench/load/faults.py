#!/usr/bin/env python
"""Break one service of the two-instance stack at a time, under load, and count what was lost.

A measurement, not a test; every fault ends by itself. For each fault, locust
plays the launch morning (bench/load/locustfile.py) with 50 users, 1-4 s
between steps, for
``--duration`` seconds; a third of the way in the fault starts, two thirds in
it ends (the service comes back), then the bench waits for the mail queue to
drain and checks the data:

- ``web``: one web instance is killed (SIGKILL, as a crash), then started again;
- ``worker``: the task worker is restarted (SIGTERM, then a new one);
- ``search``: the OpenSearch node is stopped; a resource is published during
  the outage; after the node is back, the queue of index writes the engine
  missed is replayed (``update_index --queued``) and the publish must be found;
- ``redis``: Redis is stopped, then started (empty, as after a crash);
- ``mail``: the mail server refuses every message, then takes them again;
- ``postgres``: the stack's own PostgreSQL cluster is stopped for a few
  seconds and started again (never the machine's shared server).

Reported per fault: requests made, errors (by kind), submissions the hub
accepted, and what was lost: accepted submissions missing from the database,
people who never got their e-mail, people who got it twice.

    .venv/bin/python bench/load/faults.py --dir /tmp/stack [--faults web redis ...]
"""

import argparse
import json
import re
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.load.run import RESULTS, make_plan, run_locust  # noqa: E402
from bench.stack import Stack  # noqa: E402

FAULTS = ("web", "worker", "search", "redis", "mail", "postgres")
USERS = 50
# People clicking through quickly (1-4 s apart): 50 users ask about 20 pages a
# second, so each fault window sees a few hundred requests and submissions.
THINK = (1, 4)

# What the database holds for one run's people, and whether mail is still waiting.
CHECK = r"""
import json, sys
from community.models import MembershipApplication
from events.models import EventRegistration
from django_tasks_db.models import DBTaskResult
run = sys.argv[1]
pattern = f"load-{run}-"
emails = set(MembershipApplication.objects.filter(email__startswith=pattern).values_list("email", flat=True))
emails |= set(EventRegistration.objects.filter(email__startswith=pattern).values_list("email", flat=True))
waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
print(json.dumps({"emails": sorted(emails), "mail_waiting": waiting}))
"""

PUBLISH = r"""
import json, sys
from knowledge.models import ResourceIndexPage, ResourcePage
from knowledge.factories import ResourcePageFactory
library = ResourceIndexPage.objects.live().first()
page = ResourcePageFactory(parent=library, title=sys.argv[1], summary="Published while the engine was away.")
page.save_revision().publish()
print(json.dumps({"id": page.id}))
"""

FOUND = r"""
import json, sys
from modelsearch.backends import get_search_backend
from knowledge.models import ResourcePage
backend = get_search_backend("default")
backend.refresh_indexes()
hits = [p.id for p in backend.search(sys.argv[1], ResourcePage.objects.live())[:5]]
print(json.dumps({"found": int(sys.argv[2]) in hits}))
"""


def answers_of(failures):
    """Errors by what the person got: an HTTP status (503: the clean "briefly
    unavailable" page) or no answer at all (a connection error)."""
    found = {}
    for failure in failures:
        text = failure["error"]
        # "CatchResponseError('503')" or "no form on /path/ (503)".
        status = re.search(r"'([1-5][0-9][0-9])|\(([1-5][0-9][0-9])\)", text)
        answer = (
            next(g for g in status.groups() if g)
            if status
            else "no answer"
            if "Connection" in text
            else "other"
        )
        found[answer] = found.get(answer, 0) + failure["count"]
    return found


def check(stack, run_id):
    return json.loads(stack.python(CHECK, run_id).strip().splitlines()[-1])


def wait_for_mail(stack, run_id, timeout):
    deadline = time.monotonic() + timeout
    state = check(stack, run_id)
    while state["mail_waiting"] and time.monotonic() < deadline:
        time.sleep(5)
        state = check(stack, run_id)
    return state


def schedule(stack, fault, duration, notes):
    """The fault's own timeline, run beside the load."""
    start, end = duration / 3, 2 * duration / 3

    def timeline(_proc):
        def act():
            time.sleep(start)
            began = time.monotonic()
            if fault == "web":
                stack.stop_web_hard(1)
            elif fault == "worker":
                stack.control("restart-worker")
            elif fault == "search":
                stack.control("stop-search")
                title = f"Outage check {int(time.time())}"
                notes["published"] = {
                    "title": title,
                    **json.loads(stack.python(PUBLISH, title).splitlines()[-1]),
                }
            elif fault == "redis":
                stack.control("stop-redis")
            elif fault == "mail":
                stack.control("mail", "refuse")
            elif fault == "postgres":
                stack.control("stop-postgres")
            time.sleep(max(0.0, end - start - (time.monotonic() - began)))
            if fault == "web":
                stack.control("start-web", "1")
            elif fault == "search":
                stack.control("start-search")
            elif fault == "redis":
                stack.control("start-redis")
            elif fault == "mail":
                stack.control("mail", "accept")
            elif fault == "postgres":
                stack.control("start-postgres")
            notes["fault_seconds"] = round(time.monotonic() - began, 1)

        thread = threading.Thread(target=act, daemon=True)
        thread.start()
        notes["_thread"] = thread

    return timeline


def run_fault(stack, plan, fault, duration):
    run_id = f"{fault}-{int(time.time())}"
    notes = {}
    print(f"==> fault: {fault} ({USERS} users, {duration} s)", flush=True)
    timeline = schedule(stack, fault, duration, notes)
    rows, failures, _usage = run_locust(stack, plan, USERS, duration, 10, run_id, timeline, think=THINK)
    notes.pop("_thread").join(timeout=300)
    accepted = sum(r["requests"] - r["errors"] for name, r in rows.items() if name.startswith("submit"))
    # Mail retries come 1 and 5 minutes after a failure (hub/mail.py).
    state = wait_for_mail(stack, run_id, timeout=420)
    got = stack.mail_status().get("per_recipient", {})
    emails = state["emails"]
    never_mailed = [e for e in emails if e not in got]
    mailed_twice = [e for e in emails if got.get(e, 0) > 1]
    result = {
        "fault": fault,
        "requests": rows.get("all", {}).get("requests", 0),
        "errors": rows.get("all", {}).get("errors", 0),
        "errors_by_kind": {name: r["errors"] for name, r in rows.items() if r["errors"] and name != "all"},
        "errors_by_answer": answers_of(failures),
        "failures": failures,
        "submissions_accepted": accepted,
        "submissions_stored": len(emails),
        "submissions_lost": max(0, accepted - len(emails)),
        "never_mailed": len(never_mailed),
        "mailed_twice": len(mailed_twice),
        "mail_still_waiting": state["mail_waiting"],
        "fault_seconds": notes.get("fault_seconds"),
    }
    if fault == "search":
        published = notes["published"]
        # The catch-up: the queue of index writes the engine missed, replayed
        # (the scheduler's retry_search_queue job does the same every 5 minutes).
        stack.manage("update_index", "--queued", "-v0")
        found = json.loads(stack.python(FOUND, published["title"], str(published["id"])).splitlines()[-1])
        result["published_during_outage_found_after"] = found["found"]
    print(json.dumps(result, indent=2), flush=True)
    return result


def print_table(results):
    print(
        "\n| fault | requests | errors (answers) | submissions accepted / stored | lost | never mailed "
        "| mailed twice |"
    )
    print("|---|---:|---|---:|---:|---:|---:|")
    for r in results:
        answers = ", ".join(f"{answer}: {count}" for answer, count in r["errors_by_answer"].items())
        extra = ""
        if "published_during_outage_found_after" in r:
            extra = (
                " (publish found after: "
                + ("yes" if r["published_during_outage_found_after"] else "NO")
                + ")"
            )
        print(
            f"| {r['fault']}{extra} | {r['requests']:,} | {r['errors']}{f' ({answers})' if answers else ''} "
            f"| {r['submissions_accepted']} / "
            f"{r['submissions_stored']} | {r['submissions_lost']} | {r['never_mailed']} "
            f"| {r['mailed_twice']} |"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="the stack's folder (bench/stack.py up)")
    parser.add_argument("--faults", nargs="+", choices=FAULTS, default=list(FAULTS))
    parser.add_argument("--duration", type=int, default=90, help="seconds of load per fault (default 90)")
    parser.add_argument("--members", type=int, default=100)
    args = parser.parse_args()
    stack = Stack(args.dir)
    if not stack.state:
        sys.exit(f"No stack in {args.dir}: bench/stack.py up {args.dir} first")
    plan = make_plan(stack, args.members)
    results = [run_fault(stack, plan, fault, args.duration) for fault in args.faults]
    print_table(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"faults-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwritten: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
