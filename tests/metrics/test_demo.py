"""The demo history makes the dashboard and the comparison meaningful, and
loading it again adds nothing."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from community.models import ReferralCount
from events.models import EventPage, EventRegistration
from metrics import figures, gaps
from metrics.models import GapSnapshot, PageViewDaily, SignInDay
from metrics.periods import last_days
from search.models import SearchDailyStat

pytestmark = pytest.mark.django_db


def counts():
    return (
        get_user_model().objects.count(),
        PageViewDaily.objects.count(),
        SearchDailyStat.objects.count(),
        ReferralCount.objects.count(),
        GapSnapshot.objects.count(),
        SignInDay.objects.count(),
        EventRegistration.objects.count(),
        EventPage.objects.count(),
    )


def test_demo_history_is_plausible_and_idempotent(site, client):
    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    first = counts()
    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    assert counts() == first

    year = last_days(365)
    members = figures.member_counts(year)
    assert members["new"] > 10 and members["total"] > members["new"]
    assert figures.member_counts(year.previous)["total"] < members["total"]
    searches = figures.search_totals(year)
    assert searches["without"] > 0 and searches["with"] > searches["without"]
    assert 0 < searches["few"] < searches["with"]
    # Members were active in earlier quarters too, known from their sign-in days.
    quarter = last_days(90)
    assert figures.member_counts(quarter.previous.previous)["active"] > 5
    # The past year's events, their registrations and the attendance staff recorded.
    past = [row for row in figures.registrations_table(year).rows if row[6] != ""]
    assert len(past) >= 6
    for _title, _format, _day, confirmed, _waiting, _cancelled, attended, absent, unrecorded in past:
        if confirmed:
            assert attended + absent == confirmed and unrecorded == 0
    assert sum(row[6] for row in past) > sum(row[7] for row in past) > 0
    crisis = next(r for r in gaps.topic_rows(gaps.analysis(year)) if r["topic"]["slug"] == "crisis-services")
    assert crisis["few_results"] > 0
    assert figures.referrals_table(year).rows
    snapshots = list(GapSnapshot.objects.order_by("taken_on"))
    assert len(snapshots) == 2
    assert (snapshots[1].taken_on - snapshots[0].taken_on).days == 730
    assert snapshots[0].data["resources"] < snapshots[1].data["resources"]
    # Extra demo members cannot sign in.
    extra = get_user_model().objects.get(username="demo-member-01")
    assert not extra.has_usable_password()

    client.login(username="steering", password="steering-demo-2026")
    compare = client.get(
        reverse("metrics_compare") + f"?older={snapshots[0].pk}&newer={snapshots[1].pk}"
    ).content.decode()
    assert "Filled since the earlier study" in compare
    assert client.get(reverse("metrics_dashboard") + "?period=365").status_code == 200
