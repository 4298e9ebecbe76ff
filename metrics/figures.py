"""The figures of the participation and impact dashboard, for one period and
the period before it. Each figure is a ``Table``: what the page shows, what the
CSV export writes and what a chart draws, so the three always agree."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from .gaps import few_results_range
from .models import DocumentDownloadDaily, PageViewDaily, SignInDay
from .periods import day_start, hub_today

MEMBER_GROUPS = ("Members", "CMHC staff", "Partners")
TOP = 20


@dataclass
class Table:
    slug: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    note: str = ""

    @property
    def is_empty(self):
        return not self.rows


def members_queryset():
    """Accounts of the CoP's members: active, in a member group."""
    return get_user_model().objects.filter(is_active=True, groups__name__in=MEMBER_GROUPS).distinct()


def _active_member_ids(period):
    """Members who signed in, registered for an event or applied in the period."""
    from community.models import MembershipApplication
    from events.models import EventRegistration

    members = members_queryset()
    ids = set(
        SignInDay.objects.filter(user__in=members, **period.dates("date")).values_list("user_id", flat=True)
    )
    # Sign-ins from before sign-in days were recorded are known only as each
    # account's latest one.
    ids |= set(members.filter(**period.moments("last_login")).values_list("pk", flat=True))
    ids |= set(
        EventRegistration.objects.filter(user__in=members, **period.moments("created_at")).values_list(
            "user_id", flat=True
        )
    )
    applications = MembershipApplication.objects.filter(**period.moments("submitted_at"))
    ids |= set(applications.filter(user__in=members).values_list("user_id", flat=True))
    emails = {email.lower() for email in applications.values_list("email", flat=True) if email}
    if emails:
        for pk, email in members.values_list("pk", "email"):
            if email and email.lower() in emails:
                ids.add(pk)
    return ids


def member_counts(period):
    members = members_queryset()
    return {
        "total": members.filter(date_joined__lt=period.end_moment).count(),
        "new": members.filter(**period.moments("date_joined")).count(),
        "active": len(_active_member_ids(period)),
    }


def members_table(period):
    now, before = member_counts(period), member_counts(period.previous)
    return Table(
        "members",
        "Members",
        ["Figure", "This period", "Previous period"],
        [
            ["Members at the end of the period", now["total"], before["total"]],
            ["New members", now["new"], before["new"]],
            ["Active members", now["active"], before["active"]],
        ],
        note=(
            "Members are active accounts in the Members, CMHC staff or Partners groups. Active means "
            "they signed in, registered for an event or applied in the period. Sign-ins are known by the "
            "days members signed in (the day only, nothing else)."
        ),
    )


def members_over_time(period, points=12):
    """``[(label, members at the end of that day)]`` at evenly spaced days of the period."""
    members = members_queryset()
    joined = sorted(members.values_list("date_joined", flat=True))
    step = max(1, period.days // points)
    days = [period.end - datetime.timedelta(days=step * n) for n in range(points) if step * n < period.days]
    result = []
    for day in reversed(days):
        moment = day_start(day + datetime.timedelta(days=1))
        result.append((f"{day.day} {day:%b %Y}", sum(1 for value in joined if value < moment)))
    return result


def applications_table(period):
    from community.models import MembershipApplication
    from community.models.membership import ORGANISATION_TYPES

    statuses = MembershipApplication.STATUS_CHOICES
    counts = Counter(
        MembershipApplication.objects.filter(**period.moments("submitted_at")).values_list(
            "organisation_type", "status"
        )
    )
    before = Counter(
        MembershipApplication.objects.filter(**period.previous.moments("submitted_at")).values_list(
            "organisation_type", flat=True
        )
    )
    rows = []
    for value, label in ORGANISATION_TYPES:
        row = [label] + [counts[(value, status)] for status, _ in statuses]
        rows.append(row + [sum(row[1:]), before[value]])
    rows.append(["All"] + [sum(r[i] for r in rows) for i in range(1, len(statuses) + 3)])
    return Table(
        "applications",
        "Applications to join, by organisation type and status",
        ["Organisation type"] + [label for _, label in statuses] + ["Total", "Previous period total"],
        rows,
        note="Applications submitted in the period; the status is today's.",
    )


def _events_in(period):
    from events.models import EventPage

    return EventPage.objects.filter(**period.moments("start")).order_by("start")


def registrations_table(period):
    from events.models import EventRegistration

    events = list(_events_in(period))
    counts = Counter(EventRegistration.objects.filter(event__in=events).values_list("event_id", "status"))
    recorded = Counter(
        EventRegistration.objects.filter(event__in=events, attended__isnull=False).values_list(
            "event_id", "attended"
        )
    )
    unrecorded = Counter(
        EventRegistration.objects.filter(
            event__in=events, status=EventRegistration.CONFIRMED, attended__isnull=True
        ).values_list("event_id", flat=True)
    )
    now = timezone.now()
    rows = []
    for event in events:
        started = event.start <= now
        rows.append(
            [
                event.title,
                event.format_label(),
                f"{event.local_start:%Y-%m-%d}",
                counts[(event.pk, EventRegistration.CONFIRMED)],
                counts[(event.pk, EventRegistration.WAITLISTED)],
                counts[(event.pk, EventRegistration.CANCELLED)],
                recorded[(event.pk, True)] if started else "",
                recorded[(event.pk, False)] if started else "",
                unrecorded[event.pk] if started else "",
            ]
        )
    return Table(
        "registrations",
        "Registrations and attendance per event",
        [
            "Event",
            "Format",
            "Date",
            "Confirmed",
            "Waiting list",
            "Cancelled",
            "Attended",
            "Did not attend",
            "Confirmed, attendance not recorded",
        ],
        rows,
        note=(
            "Events starting in the period. Attendance is what staff recorded in the registrations list "
            "after the event (Events → Registrations); it is blank for events that have not started."
        ),
    )


def _format_totals(period):
    from events.models import EventRegistration
    from events.models.event_page import FORMAT_CHOICES

    events = _events_in(period)
    event_counts = Counter(events.values_list("event_format", flat=True))
    registrations = EventRegistration.objects.filter(event__in=events)
    confirmed = Counter(
        registrations.filter(status=EventRegistration.CONFIRMED).values_list("event__event_format", flat=True)
    )
    attended = Counter(registrations.filter(attended=True).values_list("event__event_format", flat=True))
    return {
        value: (event_counts[value], confirmed[value], attended[value]) for value, _ in FORMAT_CHOICES
    }, FORMAT_CHOICES


def formats_table(period):
    now, choices = _format_totals(period)
    before, _ = _format_totals(period.previous)
    rows = [[label, *now[value], *before[value]] for value, label in choices]
    return Table(
        "formats",
        "Events, registrations and attendance per format",
        [
            "Format",
            "Events",
            "Confirmed registrations",
            "Attended",
            "Previous period events",
            "Previous period registrations",
            "Previous period attended",
        ],
        rows,
        note="Attended: registrations staff recorded as attended.",
    )


def _views(page_ids, period):
    return dict(
        PageViewDaily.objects.filter(page_id__in=page_ids, **period.dates("date"))
        .values_list("page_id")
        .annotate(total=Sum("views"))
    )


def recordings_table(period):
    from events.models import EventPage

    past = EventPage.objects.filter(start__lt=timezone.now()).order_by("-start")
    recorded = [event for event in past if event.recording]
    ids = [event.pk for event in recorded]
    now, before = _views(ids, period), _views(ids, period.previous)
    rows = [
        [event.title, f"{event.local_start:%Y-%m-%d}", now.get(event.pk, 0), before.get(event.pk, 0)]
        for event in recorded
    ]
    rows.sort(key=lambda row: (-row[2], row[0]))
    return Table(
        "recordings",
        "Webinar recording views",
        ["Event", "Held on", "Page views", "Previous period"],
        rows,
        note="Views of the pages of past events that have a recording.",
    )


def resource_views_table(period):
    from knowledge.models import ResourcePage

    totals = (
        PageViewDaily.objects.filter(page_id__in=ResourcePage.objects.values("pk"), **period.dates("date"))
        .values("page_id")
        .annotate(total=Sum("views"))
        .order_by("-total", "page_id")[:TOP]
    )
    totals = list(totals)
    ids = [row["page_id"] for row in totals]
    titles = dict(ResourcePage.objects.filter(pk__in=ids).values_list("pk", "title"))
    before = _views(ids, period.previous)
    rows = [
        [titles.get(row["page_id"], "(deleted)"), row["total"], before.get(row["page_id"], 0)]
        for row in totals
    ]
    return Table(
        "resource-views",
        f"Most viewed resources (top {TOP})",
        ["Resource", "Page views", "Previous period"],
        rows,
    )


def downloads_table(period):
    from wagtail.documents import get_document_model

    totals = list(
        DocumentDownloadDaily.objects.filter(**period.dates("date"))
        .values("document_id")
        .annotate(total=Sum("downloads"))
        .order_by("-total", "document_id")[:TOP]
    )
    ids = [row["document_id"] for row in totals]
    titles = dict(get_document_model().objects.filter(pk__in=ids).values_list("pk", "title"))
    before = dict(
        DocumentDownloadDaily.objects.filter(document_id__in=ids, **period.previous.dates("date"))
        .values_list("document_id")
        .annotate(total=Sum("downloads"))
    )
    rows = [
        [titles.get(row["document_id"], "(deleted)"), row["total"], before.get(row["document_id"], 0)]
        for row in totals
    ]
    return Table(
        "downloads",
        f"Most downloaded documents (top {TOP})",
        ["Document", "Downloads", "Previous period"],
        rows,
    )


def search_totals(period):
    from search.models import SearchDailyStat

    totals = SearchDailyStat.objects.filter(**period.dates("date")).aggregate(
        searches=Sum("searches"),
        without=Sum("searches_without_results"),
        few=Sum("searches_with_few_results"),
    )
    searches, without = totals["searches"] or 0, totals["without"] or 0
    return {"searches": searches, "without": without, "with": searches - without, "few": totals["few"] or 0}


def searches_table(period):
    now, before = search_totals(period), search_totals(period.previous)
    return Table(
        "searches",
        "Searches",
        ["Figure", "This period", "Previous period"],
        [
            ["Searches", now["searches"], before["searches"]],
            ["Searches that found something", now["with"], before["with"]],
            ["Searches with no results", now["without"], before["without"]],
            [f"Searches that found little ({few_results_range()})", now["few"], before["few"]],
        ],
    )


def searches_over_time(period, points=12):
    """``[(label, with results, without results)]`` over equal parts of the period."""
    from search.models import SearchDailyStat

    daily = {
        row["date"]: (row["s"], row["w"])
        for row in SearchDailyStat.objects.filter(**period.dates("date"))
        .values("date")
        .annotate(s=Sum("searches"), w=Sum("searches_without_results"))
    }
    parts = min(points, period.days)
    size = period.days / parts
    result = []
    for n in range(parts):
        first = period.start + datetime.timedelta(days=round(n * size))
        last = period.start + datetime.timedelta(days=round((n + 1) * size) - 1)
        searches = without = 0
        day = first
        while day <= last:
            s, w = daily.get(day, (0, 0))
            searches, without = searches + s, without + w
            day += datetime.timedelta(days=1)
        result.append((f"{first.day} {first:%b}", searches - without, without))
    return result


def top_queries_table(period):
    from search.models import SearchDailyStat

    rows = (
        SearchDailyStat.objects.filter(**period.dates("date"))
        .values("query")
        .annotate(total=Sum("searches"), without=Sum("searches_without_results"))
        .order_by("-total", "query")[:TOP]
    )
    return Table(
        "top-queries",
        f"Most frequent searches (top {TOP})",
        ["Search", "Searches", "With no results"],
        [[row["query"], row["total"], row["without"]] for row in rows],
    )


def working_groups_table(period):
    from community.models import WorkingGroupMembership, WorkingGroupPage

    groups = WorkingGroupPage.objects.live().order_by("title")
    counts = Counter(WorkingGroupMembership.objects.values_list("working_group_id", "status"))
    joined = Counter(
        WorkingGroupMembership.objects.filter(
            status=WorkingGroupMembership.APPROVED, **period.moments("decided_at")
        ).values_list("working_group_id", flat=True)
    )
    joined_before = Counter(
        WorkingGroupMembership.objects.filter(
            status=WorkingGroupMembership.APPROVED, **period.previous.moments("decided_at")
        ).values_list("working_group_id", flat=True)
    )
    rows = [
        [
            group.title,
            counts[(group.pk, WorkingGroupMembership.APPROVED)],
            counts[(group.pk, WorkingGroupMembership.PENDING)],
            joined[group.pk],
            joined_before[group.pk],
        ]
        for group in groups
    ]
    return Table(
        "working-groups",
        "Working-group membership",
        [
            "Working group",
            "Members today",
            "Waiting for a decision",
            "Joined in the period",
            "Joined in the previous period",
        ],
        rows,
    )


def _referrals(period):
    from community.models import ReferralCount

    return {
        row["partner_id"]: (row["link"] or 0, row["website"] or 0)
        for row in ReferralCount.objects.filter(**period.dates("day"))
        .values("partner_id")
        .annotate(link=Sum("via_link"), website=Sum("via_website"))
    }


def referrals_table(period):
    from community.models import PartnerCommunityPage

    now, before = _referrals(period), _referrals(period.previous)
    partners = PartnerCommunityPage.objects.filter(pk__in=set(now) | set(before)).order_by("title")
    rows = []
    for partner in partners:
        link, website = now.get(partner.pk, (0, 0))
        rows.append([partner.title, link, website, link + website, sum(before.get(partner.pk, (0, 0)))])
    rows.sort(key=lambda row: (-row[3], row[0]))
    return Table(
        "referrals",
        "Visits sent by partners",
        ["Partner", "Through ?ref= links", "From their website", "Total", "Previous period total"],
        rows,
    )


def resource_counts(period):
    from knowledge.models import ResourcePage

    live = ResourcePage.objects.live().public()
    new = live.filter(**period.moments("first_published_at"))
    updated = live.filter(**period.moments("last_published_at")).exclude(
        **period.moments("first_published_at")
    )
    return {
        "live": live.filter(first_published_at__lt=period.end_moment).count(),
        "new": new.count(),
        "updated": updated.count(),
    }


def resources_table(period):
    from knowledge.models import ResourcePage

    now, before = resource_counts(period), resource_counts(period.previous)
    overdue = ResourcePage.objects.live().filter(next_review_due__lt=hub_today()).count()
    return Table(
        "resources",
        "Resources",
        ["Figure", "This period", "Previous period"],
        [
            ["Public resources at the end of the period", now["live"], before["live"]],
            ["New resources published", now["new"], before["new"]],
            ["Resources updated", now["updated"], before["updated"]],
            ["Live resources overdue for review (today)", overdue, ""],
        ],
    )


def all_tables(period):
    return [
        members_table(period),
        applications_table(period),
        registrations_table(period),
        formats_table(period),
        recordings_table(period),
        resource_views_table(period),
        downloads_table(period),
        searches_table(period),
        top_queries_table(period),
        working_groups_table(period),
        referrals_table(period),
        resources_table(period),
    ]


TABLES = {
    "members": members_table,
    "applications": applications_table,
    "registrations": registrations_table,
    "formats": formats_table,
    "recordings": recordings_table,
    "resource-views": resource_views_table,
    "downloads": downloads_table,
    "searches": searches_table,
    "top-queries": top_queries_table,
    "working-groups": working_groups_table,
    "referrals": referrals_table,
    "resources": resources_table,
}
