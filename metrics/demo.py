"""Demo history for the steering reports: members joining over 18 months and
the days they signed in, applications, event registrations, six past events
with their registrations and recorded attendance, daily page views, downloads,
searches (some finding nothing, some only a little), partner referrals,
working-group members and two gap analysis snapshots two years apart.

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
    # query, searches a day (average), share without results, share of the
    # rest that found only a little (1 to 3 results)
    ("crisis", 3.0, 0.0, 0.0),
    ("988", 2.0, 0.0, 0.0),
    ("peer support", 2.0, 0.0, 0.1),
    ("telehealth", 1.5, 0.0, 0.2),
    ("ccbhc", 1.2, 0.0, 0.6),
    ("workforce retention", 1.0, 0.2, 0.7),
    ("language access", 0.8, 0.1, 0.8),
    ("trauma informed care", 0.8, 0.0, 0.3),
    ("housing first rural", 0.5, 1.0, 0.0),
    ("peer respite", 0.4, 1.0, 0.0),
    ("tribal telehealth", 0.4, 1.0, 0.0),
    ("older adults loneliness", 0.3, 1.0, 0.0),
    ("crisis spanish", 0.4, 0.8, 1.0),
    ("youth suicide prevention school", 0.5, 0.6, 0.9),
    ("lgbtq youth crisis", 0.3, 1.0, 0.0),
    ("veterans rural", 0.3, 0.7, 1.0),
]
PAST_EVENTS = [
    # slug, title, format, series, days ago, share of members who registered
    (
        "monthly-session-building-a-peer-workforce",
        "Monthly learning session: building a peer workforce",
        "webinar",
        "Monthly learning sessions",
        320,
        0.35,
    ),
    (
        "training-crisis-response-planning",
        "Training: crisis response planning with your county",
        "training",
        "Skills trainings",
        250,
        0.2,
    ),
    (
        "monthly-session-language-access-that-works",
        "Monthly learning session: language access that works",
        "webinar",
        "Monthly learning sessions",
        180,
        0.4,
    ),
    (
        "workshop-using-your-data-to-find-gaps",
        "Workshop: using your own data to find gaps in care",
        "workshop",
        None,
        110,
        0.25,
    ),
    (
        "monthly-session-telehealth-without-leaving-people-behind",
        "Monthly learning session: telehealth without leaving people behind",
        "webinar",
        "Monthly learning sessions",
        60,
        0.45,
    ),
    (
        "training-trauma-informed-supervision",
        "Training: trauma-informed supervision",
        "training",
        "Skills trainings",
        25,
        0.3,
    ),
]
# Of the people with a confirmed place, the share staff recorded as attending.
ATTENDED_SHARE = 0.7
SIGNING_IN_DEMO_ACCOUNTS = ("member", "cmhc_staff", "partner")
# Sign-ins a month, from the least to the most active member.
SIGN_INS_A_MONTH = [0.3, 0.8, 1.5, 3, 6]


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
            user.save()
            user.groups.add(
                *[groups[name] for name in GROUPS.get(organisation_type, ["Members"]) if name in groups]
            )
        members.append((user, organisation_type, joined))
    # The demo accounts people sign in with joined over the past year too.
    for username, days_ago in zip(SIGNING_IN_DEMO_ACCOUNTS, (300, 200, 120), strict=True):
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
    # Upcoming events only: the past ones get theirs, with attendance, in _past_events.
    upcoming = EventPage.objects.live().filter(
        registration="built-in", cancelled=False, start__gt=timezone.now()
    )
    for event in upcoming.exclude(slug__in=[slug for slug, *_rest in PAST_EVENTS]).order_by("path"):
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


def _past_events(rng, members, today):
    """Six events of the past year with registrations from members who had
    joined by then, and the attendance staff recorded afterwards. Created once:
    an event already there keeps its date, registrations and attendance."""
    from events.models import EventIndexPage, EventPage, EventRegistration, EventSeries

    index = EventIndexPage.objects.live().order_by("path").first()
    if index is None:
        return 0
    created = 0
    for slug, title, event_format, series_name, days_ago, share in PAST_EVENTS:
        if EventPage.objects.filter(slug=slug).exists():
            continue
        day = today - datetime.timedelta(days=days_ago)
        while day.weekday() >= 5:  # CoP events run on weekdays
            day -= datetime.timedelta(days=1)
        event = EventPage(
            title=title,
            slug=slug,
            summary=f"{title.split(': ', 1)[-1].capitalize()}: a session of the CoP's past year.",
            event_format=event_format,
            start=_moment(day, 13),
            end=_moment(day, 14) + datetime.timedelta(minutes=30),
            time_zone="America/New_York",
            series=EventSeries.objects.filter(name=series_name).first() if series_name else None,
            registration="built-in",
            joining_link=f"https://meet.example.org/cop/{slug}",
        )
        index.add_child(instance=event)
        event.save_revision().publish()
        created += 1
        rows, registered_on = [], []
        for user, _organisation_type, joined in members:
            if joined < day - datetime.timedelta(days=3) and rng.random() < share:
                status = rng.choice(["confirmed"] * 9 + ["cancelled"])
                rows.append(
                    EventRegistration(
                        event=event,
                        name=user.get_full_name(),
                        email=user.email,
                        user=user,
                        consent=True,
                        status=status,
                        attended=(rng.random() < ATTENDED_SHARE) if status == "confirmed" else None,
                    )
                )
                registered_on.append(max(joined, day - datetime.timedelta(days=rng.randint(2, 21))))
        rows = EventRegistration.objects.bulk_create(rows)
        # created_at is set to "now" on insert: put back the day they registered.
        for row, registered in zip(rows, registered_on, strict=True):
            row.created_at = _moment(registered, 11)
        EventRegistration.objects.bulk_update(rows, ["created_at"])
    return created


def _sign_in_days(rng, members, today):
    """Days each member (the demo accounts people sign in with too) signed in,
    from joining until yesterday, and their latest sign-in as ``last_login``."""
    from .models import SignInDay

    accounts = get_user_model().objects.filter(username__in=SIGNING_IN_DEMO_ACCOUNTS).order_by("username")
    people = [(user, None, timezone.localdate(user.date_joined)) for user in accounts]
    rows = []
    for user, _organisation_type, joined in members + people:
        per_month = rng.choice(SIGN_INS_A_MONTH)
        days = []
        day = joined
        while day < today:
            if rng.random() < per_month / 30:
                days.append(day)
            day += datetime.timedelta(days=1)
        rows += [SignInDay(user=user, date=day) for day in days]
        if days and (user.last_login is None or user.last_login < _moment(days[-1], 14)):
            user.last_login = _moment(days[-1], 14)
            user.save(update_fields=["last_login"])
    SignInDay.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


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
        for query, per_day, share_without, share_few in QUERIES:
            searches = sum(
                1 for _ in range(int(per_day * 2) + 1) if rng.random() < per_day / (int(per_day * 2) + 1)
            )
            if searches:
                without = sum(1 for _ in range(searches) if rng.random() < share_without)
                few = sum(1 for _ in range(searches - without) if rng.random() < share_few)
                rows.append(
                    SearchDailyStat(
                        date=day,
                        query=query,
                        searches=searches,
                        searches_without_results=without,
                        searches_with_few_results=few,
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
    past_events = _past_events(rng("past-events"), members, today)
    sign_ins = _sign_in_days(rng("sign-ins"), members, today)
    _daily_counts(rng("counts"), today)
    _searches(rng("searches"), today)
    _referrals(rng("referrals"), today)
    _working_groups(rng("working-groups"), members, today)
    _snapshots(rng("snapshots"), today)
    stdout.write(
        f"Steering reports: {len(members)} demo members joining over 18 months (no password) and "
        f"{sign_ins} sign-in days, {past_events} past events created with recorded attendance, a year of "
        "page views, downloads, searches and referrals, and two gap analysis snapshots two years apart."
    )
