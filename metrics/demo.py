"""Demo history for the steering reports: members joining over 18 months,
applications, event registrations, daily page views, downloads, searches (some
finding nothing), partner referrals, working-group members and two gap analysis
snapshots two years apart.

Generated from a fixed seed, so every run produces the same history; rows that
exist are left alone (``bulk_create(ignore_conflicts=True)`` on the daily
counts, ``get_or_create`` elsewhere), so running it again adds nothing. Extra demo
members have no password: they cannot sign in.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

SEED = 2026
HISTORY_DAYS = 365
EXTRA_MEMBERS = 36
FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Esi", "Farah", "Gabe", "Hana", "Ivan", "Jae", "Kofi", "Lena"]
LAST_NAMES = ["Nguyen", "Okafor", "Patel", "Quinn", "Reyes", "Singh", "Tanaka", "Usman", "Vega", "Walsh"]
ORGANISATION_TYPES = ["cmhc", "cmhc", "cmhc", "research", "partner", "other"]
GROUPS = {"cmhc": ["Members", "CMHC staff"], "partner": ["Members", "Partners"]}
QUERIES = [
    # query, searches a day (average), share without results
    ("crisis", 3.0, 0.0),
    ("988", 2.0, 0.0),
    ("peer support", 2.0, 0.0),
    ("telehealth", 1.5, 0.0),
    ("ccbhc", 1.2, 0.0),
    ("workforce retention", 1.0, 0.2),
    ("language access", 0.8, 0.1),
    ("trauma informed care", 0.8, 0.0),
    ("housing first rural", 0.5, 1.0),
    ("peer respite", 0.4, 1.0),
    ("tribal telehealth", 0.4, 1.0),
    ("older adults loneliness", 0.3, 1.0),
    ("crisis spanish", 0.4, 0.8),
    ("youth suicide prevention school", 0.5, 0.6),
    ("lgbtq youth crisis", 0.3, 1.0),
    ("veterans rural", 0.3, 0.7),
]


def _moment(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _members(rng, today):
    User = get_user_model()
    groups = {
        group.name: group for group in Group.objects.filter(name__in=["Members", "CMHC staff", "Partners"])
    }
    members = []
    for n in range(EXTRA_MEMBERS):
        username = f"demo-member-{n + 1:02d}"
        # Joining picks up over time: more people join in recent months.
        joined_days_ago = int(540 * (1 - (n / EXTRA_MEMBERS) ** 0.7))
        joined = today - datetime.timedelta(days=joined_days_ago)
        organisation_type = ORGANISATION_TYPES[n % len(ORGANISATION_TYPES)]
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.cop-hub.example.org",
                "date_joined": _moment(joined, 10),
            },
        )
        if created:
            user.set_unusable_password()
            if rng.random() < 0.55:
                user.last_login = _moment(
                    today - datetime.timedelta(days=rng.randint(0, min(120, joined_days_ago))), 14
                )
            user.save()
            user.groups.add(
                *[groups[name] for name in GROUPS.get(organisation_type, ["Members"]) if name in groups]
            )
        members.append((user, organisation_type, joined))
    # The demo accounts people sign in with joined over the past year too.
    for username, days_ago in [("member", 300), ("cmhc_staff", 200), ("partner", 120)]:
        User.objects.filter(
            username=username, date_joined__gte=_moment(today - datetime.timedelta(days=7), 0)
        ).update(date_joined=_moment(today - datetime.timedelta(days=days_ago), 9))
    return members


def _applications(rng, members, today):
    from community.models import MembershipApplication

    for user, organisation_type, joined in members:
        MembershipApplication.objects.get_or_create(
            email=user.email,
            defaults={
                "name": user.get_full_name(),
                "organisation": f"{user.last_name} Community Mental Health Center",
                "organisation_type": organisation_type,
                "status": MembershipApplication.APPROVED,
                "submitted_at": _moment(joined - datetime.timedelta(days=rng.randint(1, 6)), 11),
                "decided_at": _moment(joined, 9),
                "consented_at": _moment(joined - datetime.timedelta(days=7), 11),
            },
        )
    for n, (status, days_ago) in enumerate(
        # None left waiting: the demo's one pending application is community's Jordan Rivera.
        [("declined", 200), ("declined", 45), ("declined", 12), ("approved", 3), ("approved", 20)]
    ):
        MembershipApplication.objects.get_or_create(
            email=f"applicant-{n + 1}@demo.cop-hub.example.org",
            defaults={
                "name": f"Applicant {n + 1}",
                "organisation_type": ORGANISATION_TYPES[(n + 3) % len(ORGANISATION_TYPES)],
                "status": status,
                "submitted_at": _moment(today - datetime.timedelta(days=days_ago), 16),
                "consented_at": _moment(today - datetime.timedelta(days=days_ago), 16),
            },
        )


def _registrations(rng, members):
    from events.models import EventPage, EventRegistration

    rows = []
    for event in EventPage.objects.live().filter(registration="built-in", cancelled=False):
        for user, _organisation_type, _joined in members:
            if rng.random() < 0.3:
                rows.append(
                    EventRegistration(
                        event=event,
                        name=user.get_full_name(),
                        email=user.email,
                        user=user,
                        consent=True,
                        status=rng.choice(["confirmed"] * 8 + ["waitlisted", "cancelled"]),
                    )
                )
    EventRegistration.objects.bulk_create(rows, ignore_conflicts=True)


def _daily_counts(rng, today):
    from wagtail.documents import get_document_model

    from events.models import EventPage
    from knowledge.models import ResourcePage

    from .models import DocumentDownloadDaily, PageViewDaily

    pages = list(ResourcePage.objects.live().values_list("pk", flat=True)) + list(
        EventPage.objects.live().values_list("pk", flat=True)
    )
    popularity = {pk: rng.choice([0.2, 0.5, 1, 2, 4]) for pk in pages}
    views, downloads = [], []
    documents = list(get_document_model().objects.values_list("pk", flat=True))
    for days_ago in range(HISTORY_DAYS):
        day = today - datetime.timedelta(days=days_ago + 1)
        growth = 1.6 - days_ago / HISTORY_DAYS  # the hub grows: recent days busier
        for pk in pages:
            if rng.random() < 0.35:
                views.append(
                    PageViewDaily(
                        date=day, page_id=pk, views=max(1, int(popularity[pk] * growth * rng.randint(1, 6)))
                    )
                )
        for pk in documents:
            if rng.random() < 0.15:
                downloads.append(DocumentDownloadDaily(date=day, document_id=pk, downloads=rng.randint(1, 4)))
    PageViewDaily.objects.bulk_create(views, ignore_conflicts=True, batch_size=2000)
    DocumentDownloadDaily.objects.bulk_create(downloads, ignore_conflicts=True, batch_size=2000)


def _searches(rng, today):
    from search.models import SearchDailyStat

    rows = []
    for days_ago in range(HISTORY_DAYS):
        day = today - datetime.timedelta(days=days_ago + 1)
        for query, per_day, share_without in QUERIES:
            searches = sum(
                1 for _ in range(int(per_day * 2) + 1) if rng.random() < per_day / (int(per_day * 2) + 1)
            )
            if searches:
                without = sum(1 for _ in range(searches) if rng.random() < share_without)
                rows.append(
                    SearchDailyStat(
                        date=day, query=query, searches=searches, searches_without_results=without
                    )
                )
    SearchDailyStat.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)


def _referrals(rng, today):
    from community.models import PartnerCommunityPage, ReferralCount

    rows = []
    for rank, partner in enumerate(PartnerCommunityPage.objects.live().order_by("title")):
        weight = 1 / (rank + 1)
        for days_ago in range(HISTORY_DAYS):
            if rng.random() < 0.4 * weight + 0.05:
                rows.append(
                    ReferralCount(
                        partner=partner,
                        day=today - datetime.timedelta(days=days_ago + 1),
                        via_link=rng.randint(0, 4),
                        via_website=rng.randint(0, 2),
                    )
                )
    ReferralCount.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)


def _working_groups(rng, members, today):
    from community.models import WorkingGroupMembership, WorkingGroupPage

    groups = list(WorkingGroupPage.objects.live())
    if not groups:
        return
    for user, _organisation_type, joined in members:
        if rng.random() < 0.5:
            group = rng.choice(groups)
            decided = min(joined + datetime.timedelta(days=rng.randint(3, 30)), today)
            # Approved only: the demo's requests waiting for chairs are community's own.
            WorkingGroupMembership.objects.get_or_create(
                working_group=group,
                user=user,
                defaults={
                    "status": WorkingGroupMembership.APPROVED,
                    "requested_at": _moment(joined, 15),
                    "decided_at": _moment(decided, 10),
                },
            )


def _snapshots(rng, today):
    from . import gaps
    from .models import GapSnapshot
    from .periods import last_days

    now_label = f"Landscape study {today.year}"
    then_label = f"Landscape study {today.year - 2}"
    if not GapSnapshot.objects.filter(label=now_label).exists():
        GapSnapshot.objects.create(label=now_label, taken_on=today, data=gaps.analysis(last_days(365)))
    if not GapSnapshot.objects.filter(label=then_label).exists():
        # Two years ago the library was smaller: today's matrices, thinned.
        data = gaps.analysis(last_days(365))
        for matrix in data["matrices"].values():
            for row in matrix.values():
                for column in list(row):
                    row[column] = max(0, row[column] - rng.choice([0, 1, 1, 2, 3]))
                    if not row[column]:
                        del row[column]
        data["topic_totals"] = {
            topic: max(0, total - rng.choice([1, 2, 3])) for topic, total in data["topic_totals"].items()
        }
        data["overdue"] = {}
        data["resources"] = int(data["resources"] * 0.55)
        then = today - datetime.timedelta(days=730)
        data["period"] = {"start": (then - datetime.timedelta(days=364)).isoformat(), "end": then.isoformat()}
        GapSnapshot.objects.create(label=then_label, taken_on=then, data=data)


def load(stdout):
    def rng(part):
        # One generator per part: a part that finds its rows already there
        # does not shift what the next part generates.
        return random.Random(f"{SEED}-{part}")

    today = timezone.localdate()
    members = _members(rng("members"), today)
    _applications(rng("applications"), members, today)
    _registrations(rng("registrations"), members)
    _daily_counts(rng("counts"), today)
    _searches(rng("searches"), today)
    _referrals(rng("referrals"), today)
    _working_groups(rng("working-groups"), members, today)
    _snapshots(rng("snapshots"), today)
    stdout.write(
        f"Steering reports: {len(members)} demo members joining over 18 months (no password), a year of "
        "page views, downloads, searches and referrals, and two gap analysis snapshots two years apart."
    )
