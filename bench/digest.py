"""How long building the news digest takes, and in how many queries, for 1,000
and for 10,000 members.

Migrates a throwaway database (``DATABASE_URL``; unset: a temporary SQLite
file), loads the demo content and adds a week of news on top (resources, some
reviewed again, upcoming events, partner updates, working group documents).
Then it creates members, each following 3 to 7 topics (5 on average), some a
working group or partner communities too, and builds every due digest
(``community.digest.build_digests``) and renders each e-mail, without sending.
The members are created in steps (1,000, then up to 10,000), and each step is
measured, to show that the number of queries does not grow with the members.
With ``--send`` each step also sends the digests to Django's in-memory mail
backend and records them (``send_due_digests``): that part writes per member.

A measurement, not a test: it prints numbers and exits 0.

    .venv/bin/python bench/digest.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_bench .venv/bin/python bench/digest.py --send
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIX = "bench-digest-"


def add_news(rng, resources, events, updates):
    """A week of news on top of the demo content (which is new itself: it was just published)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from wagtail.documents import get_document_model

    from community.models import PartnerCommunityPage, PartnerUpdate, WorkingGroupDocument, WorkingGroupPage
    from events.models import EventIndexPage, EventPage
    from hub.models import EvidenceLevel, ResourceType, Topic
    from knowledge.models import ResourceIndexPage, ResourcePage

    topics = list(Topic.objects.order_by("pk"))
    library = ResourceIndexPage.objects.order_by("path").first()
    calendar = EventIndexPage.objects.order_by("path").first()
    kinds, levels = list(ResourceType.objects.all()), list(EvidenceLevel.objects.filter(is_rated=True))
    for n in range(resources):
        page = ResourcePage(
            title=f"Benchmark resource {n}",
            slug=f"{PREFIX}resource-{n}",
            summary=f"Generated resource {n}: what it is, who it helps and what it finds.",
            resource_type=rng.choice(kinds),
            evidence_level=rng.choice(levels),
        )
        page.topics = rng.sample(topics, rng.randint(1, 3))
        library.add_child(instance=page)
        page.save_revision().publish()
    # Some older resources reviewed again this week.
    older = ResourcePage.objects.exclude(slug__startswith=PREFIX).order_by("pk")[:10]
    ResourcePage.objects.filter(pk__in=list(older.values_list("pk", flat=True))).update(
        last_reviewed=timezone.localdate()
    )
    start = timezone.now().replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=2)
    for n in range(events):
        when = start + timedelta(days=n % 30)
        page = EventPage(
            title=f"Benchmark webinar {n}",
            slug=f"{PREFIX}event-{n}",
            summary=f"Generated event {n}.",
            start=when,
            end=when + timedelta(hours=1),
            access="members" if n % 5 == 0 else "open",
            registration="none",
        )
        page.topics = rng.sample(topics, 2)
        calendar.add_child(instance=page)
        page.save_revision().publish()
    partners = list(PartnerCommunityPage.objects.live())
    now = timezone.now()
    PartnerUpdate.objects.bulk_create(
        PartnerUpdate(
            partner=partners[n % len(partners)],
            guid=f"{PREFIX}{n}",
            title=f"Partner news {n}",
            link=f"https://partner.example.org/news/{n}",
            published=now - timedelta(hours=n),
        )
        for n in range(updates)
    )
    for group in WorkingGroupPage.objects.live():
        document = get_document_model().objects.create(
            title=f"Minutes of {group.title}", file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf")
        )
        WorkingGroupDocument.objects.create(page=group, document=document)


def add_members(rng, start, stop):
    """Members ``start`` to ``stop``: in Members, following about 5 topics each."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from community.models import (
        MemberProfile,
        PartnerCommunityPage,
        WorkingGroupMembership,
        WorkingGroupPage,
    )
    from hub.models import Topic

    User = get_user_model()
    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            username=f"{PREFIX}{n}",
            email=f"{PREFIX}{n}@example.org",
            first_name=f"Member {n}",
            password=password,
        )
        for n in range(start, stop)
    )
    members = Group.objects.get(name="Members")
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=members.pk) for user in users
    )
    frequencies = ["weekly"] * 7 + ["daily"] * 2 + ["monthly"]
    profiles = MemberProfile.objects.bulk_create(
        MemberProfile(user=user, digest_frequency=rng.choice(frequencies)) for user in users
    )
    topics = list(Topic.objects.values_list("pk", flat=True))
    groups = list(WorkingGroupPage.objects.live().values_list("pk", flat=True))
    partners = list(PartnerCommunityPage.objects.live().values_list("pk", flat=True))
    follows = {"topics": [], "followed_groups": [], "followed_partners": []}
    memberships = []
    for profile in profiles:
        follows["topics"] += [(profile.pk, pk) for pk in rng.sample(topics, rng.randint(3, 7))]
        if groups and rng.random() < 0.3:
            group = rng.choice(groups)
            follows["followed_groups"].append((profile.pk, group))
            if rng.random() < 0.5:
                memberships.append(
                    WorkingGroupMembership(working_group_id=group, user_id=profile.user_id, status="approved")
                )
        if partners and rng.random() < 0.3:
            follows["followed_partners"] += [
                (profile.pk, pk) for pk in rng.sample(partners, min(2, len(partners)))
            ]
    for field_name, pairs in follows.items():
        relation = MemberProfile._meta.get_field(field_name)
        through = relation.remote_field.through
        source, target = relation.m2m_column_name(), relation.m2m_reverse_name()
        through.objects.bulk_create((through(**{source: a, target: b}) for a, b in pairs), batch_size=5000)
    WorkingGroupMembership.objects.bulk_create(memberships)
    return sum(len(pairs) for pairs in follows.values())


def measure(send):
    from django.core.cache import cache
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from community.digest import build_digests, send_due_digests
    from community.digest.message import Renderer

    now = timezone.now()
    cache.clear()  # nothing remembered from the step before (restrictions, site root paths)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        digests = build_digests(now)
        built = time.perf_counter()
        renderer = Renderer(digests[0].news)
        messages = [renderer.message(digest) for digest in digests]
        rendered = time.perf_counter()
    result = {
        "digests": len(digests),
        "items": sum(len(digest.keys) for digest in digests),
        "build_s": built - started,
        "render_s": rendered - built,
        "queries": len(queries),
        "html_kb": sum(len(m.alternatives[0][0]) for m in messages) / max(len(messages), 1) / 1024,
    }
    if send:
        counted = []

        def count(execute, sql, params, many, context):
            counted.append(1)  # CaptureQueriesContext keeps only the last 9,000
            return execute(sql, params, many, context)

        locmem = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        with override_settings(MAILERS=locmem), connection.execute_wrapper(count):
            started = time.perf_counter()
            run = send_due_digests(now)
            result.update(send_s=time.perf_counter() - started, send_queries=len(counted), sent=run.sent)
        # The next step's members are due again, and these are not: start them afresh.
        from community.models import DigestItemSent, MemberProfile

        DigestItemSent.objects.all().delete()
        MemberProfile.objects.update(digest_sent_at=None)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--members", type=int, nargs="+", default=[1000, 10000], help="member counts to measure"
    )
    parser.add_argument("--resources", type=int, default=150, help="new resources besides the demo's")
    parser.add_argument("--events", type=int, default=30, help="new upcoming events besides the demo's")
    parser.add_argument("--updates", type=int, default=40, help="partner updates")
    parser.add_argument("--send", action="store_true", help="also send to the in-memory mail backend")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="hub-digest-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    from community.models import MemberProfile

    rng = random.Random(2026)
    database = os.environ["DATABASE_URL"].split("@")[-1]
    print(f"Database: {database}; migrating and loading the demo content...", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    if MemberProfile.objects.filter(user__username__startswith=PREFIX).exists():
        sys.exit("This database already holds benchmark members: give a fresh one in DATABASE_URL.")
    call_command("load_demo_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.perf_counter()
    add_news(rng, args.resources, args.events, args.updates)
    print(f"News added in {time.perf_counter() - started:.0f} s", flush=True)

    header = (
        f"{'members':>8} {'follows':>8} {'digests':>8} {'items':>8} "
        f"{'build s':>8} {'render s':>9} {'queries':>8}"
    )
    if args.send:
        header += f" {'send s':>8} {'send queries':>13}"
    rows, created, follows = [], 0, 0
    for target in sorted(args.members):
        follows += add_members(rng, created, target)
        created = target
        result = measure(args.send)
        row = (
            f"{target:>8} {follows:>8} {result['digests']:>8} {result['items']:>8} "
            f"{result['build_s']:>8.2f} {result['render_s']:>9.2f} {result['queries']:>8}"
        )
        if args.send:
            row += f" {result['send_s']:>8.2f} {result['send_queries']:>13}"
        rows.append(row)
        print(f"measured {target} members (average e-mail {result['html_kb']:.1f} KB of HTML)", flush=True)
    print()
    print(header)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
