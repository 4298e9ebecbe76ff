"""Cost of counting a partner referral: a page view with and without ?ref=.

In-process (Django's test client, production middleware, the database of
DATABASE_URL with the demo content loaded), so it measures the hub's own work:
the anonymous page cache hit, plus the referral count (one UPDATE) with ?ref=.
Prints p50/p95/mean per variant; a measurement, not a test.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/referrals.py --requests 2000
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")


def measure(client, url, count):
    client.get(url)  # fill the page cache
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    return {
        "p50": timings[len(timings) // 2],
        "p95": timings[int(len(timings) * 0.95)],
        "mean": statistics.fmean(timings),
        "cache": response.get("X-Page-Cache", "-"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from community.models import PartnerCommunityPage, ReferralCount
    from knowledge.models import ResourcePage

    setup_test_environment()
    partner = PartnerCommunityPage.objects.live().order_by("pk").first()
    resource = ResourcePage.objects.live().public().order_by("pk").first()
    if partner is None or resource is None:
        sys.exit("Load the demo content first: manage.py load_demo_content")
    client = Client()
    url = resource.url
    before = ReferralCount.objects.filter(partner=partner).values_list("via_link", flat=True).first() or 0
    results = {
        "without ?ref=": measure(client, url, args.requests),
        f"with ?ref={partner.slug}": measure(client, f"{url}?ref={partner.slug}", args.requests),
        "with an unknown ?ref=": measure(client, f"{url}?ref=not-a-partner", args.requests),
    }
    after = ReferralCount.objects.filter(partner=partner).values_list("via_link", flat=True).first() or 0
    database = os.environ.get("DATABASE_URL", "db.sqlite3")
    print(f"{args.requests} anonymous views of {url} per variant ({database})")
    for name, r in results.items():
        print(
            f"  {name:40} p50 {r['p50']:6.2f} ms  p95 {r['p95']:6.2f} ms  "
            f"mean {r['mean']:6.2f} ms  cache {r['cache']}"
        )
    print(f"  referrals counted for {partner.slug}: {after - before}")


if __name__ == "__main__":
    main()
