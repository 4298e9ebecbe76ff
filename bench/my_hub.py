"""What My hub and a member's shared page cost, in process: the first view
(nothing kept for the member: after a change of theirs or a publish) and the
views after it, in milliseconds and database queries.

``make bench`` measures throughput over HTTP, where every view after the
first is served from what is kept (community/views/my_hub.py and
hub/cache.py SharedPageCacheMiddleware). This script adds the cost of the
first view, which the HTTP bench cannot show, for the demo member on the
database in ``DATABASE_URL`` (unset: the project's SQLite file), with the
cache in ``REDIS_URL`` (unset: local memory). Run ``make run`` or
``make bench`` once first, so the demo content is there.

A measurement, not a test: it prints numbers and exits 0.

    .venv/bin/python bench/my_hub.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/my_hub.py --views 50
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(client, path, views, before=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], []
    for _ in range(views):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries.append(len(captured))
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[max(0, int(len(times) * 0.95) - 1)],
        "queries": statistics.median(queries),
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--views", type=int, default=30, help="views per measurement (default 30)")
    parser.add_argument("--username", default="member", help="the member (default: the demo member)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from hub.cache import person_changed, purge_page_cache

    user = get_user_model().objects.get(username=args.username)
    client = Client()
    client.force_login(user)
    with override_settings(ALLOWED_HOSTS=["*"]):
        client.get("/account/")  # templates loaded, connections open
        rows = [
            ("My hub, first view", timed(client, "/account/", args.views, lambda: person_changed(user.pk))),
            ("My hub, kept", timed(client, "/account/", args.views)),
            ("home signed in, first view", timed(client, "/", args.views, purge_page_cache)),
            ("home signed in, shared", timed(client, "/", args.views)),
        ]
    print(f"{'view':<30}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
    for name, row in rows:
        print(f"{name:<30}{row['median_ms']:>10.1f}{row['p95_ms']:>10.1f}{row['queries']:>9.0f}")


if __name__ == "__main__":
    main()
