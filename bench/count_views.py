"""How much page-view counting (metrics/counting.py) adds to a page view.

Serves the home page in-process through Django's full middleware stack (test
client, no network) with ``HUB_COUNT_VIEWS`` off and on, in alternating blocks
so drift on a shared machine hits both alike, and prints the median and p95 per
request for:

* anonymous views answered by the page cache (the cheapest page view there is,
  so counting's share is largest here), and
* signed-in views, which render the page.

It also times one flush of the counts to the database. A measurement, not a
test: it prints numbers and exits 0.

    .venv/bin/python bench/count_views.py                     # throwaway SQLite database
    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/hub_count .venv/bin/python bench/count_views.py
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--views", type=int, default=3000, help="anonymous (cached) views per setting")
    parser.add_argument(
        "--signed-in-views", type=int, default=300, help="signed-in (rendered) views per setting"
    )
    parser.add_argument("--blocks", type=int, default=6, help="alternating on/off blocks")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="hub-count-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from wagtail.models import Site

    from metrics import counting
    from metrics.models import PageViewDaily

    setup_test_environment()
    print(f"Database: {os.environ['DATABASE_URL'].split('@')[-1]}; migrating...", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    home = Site.objects.get(is_default_site=True).root_page.specific
    url = home.url
    user, _created = get_user_model().objects.get_or_create(username="bench-member")
    user.groups.add(*Group.objects.filter(name="Members"))

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(user)
    results = {(mode, who): [] for mode in ("off", "on") for who in ("anonymous", "signed in")}

    def run(client, count, into):
        for _ in range(count):
            started = time.perf_counter()
            response = client.get(url)
            into.append(time.perf_counter() - started)
            assert response.status_code == 200

    cache.clear()
    anonymous.get(url)  # fill the page cache
    for block in range(args.blocks):
        for mode in ("off", "on") if block % 2 == 0 else ("on", "off"):
            with override_settings(HUB_COUNT_VIEWS=(mode == "on")):
                run(anonymous, args.views // args.blocks, results[(mode, "anonymous")])
                run(signed_in, args.signed_in_views // args.blocks, results[(mode, "signed in")])
    assert anonymous.get(url)["X-Page-Cache"] == "hit"

    cache.delete(counting.FLUSH_LOCK_KEY)
    started = time.perf_counter()
    counting.flush()
    flush_ms = (time.perf_counter() - started) * 1000
    counted = sum(PageViewDaily.objects.values_list("views", flat=True))

    print(f"\nHome page {url}, {args.views} anonymous and {args.signed_in_views} signed-in views per setting")
    print(f"{'':24}{'median ms':>12}{'p95 ms':>12}")
    for who in ("anonymous", "signed in"):
        for mode in ("off", "on"):
            values = results[(mode, who)]
            label = f"{who} (cached)" if who == "anonymous" else f"{who} (rendered)"
            print(
                f"{label + ', counting ' + mode:<36}{statistics.median(values) * 1000:>8.3f}"
                f"{percentile(values, 0.95) * 1000:>12.3f}"
            )
        off, on = (statistics.median(results[(m, who)]) * 1000 for m in ("off", "on"))
        print(f"  counting adds {on - off:+.3f} ms per {who} view ({(on - off) / off * 100:+.1f}%)")
    # Each block makes its share of views in both settings; the two views
    # outside the blocks (filling the cache, checking it) count with the default, on.
    expected = (args.views // args.blocks + args.signed_in_views // args.blocks) * args.blocks + 2
    print(f"Views counted: {counted} (views made with counting on: {expected})")
    print(f"Last flush: {flush_ms:.1f} ms")


if __name__ == "__main__":
    main()
