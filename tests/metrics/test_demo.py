"""The demo history makes the dashboard and the comparison meaningful, and
loading it again adds nothing."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from community.models import ReferralCount
from metrics import figures
from metrics.models import GapSnapshot, PageViewDaily
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
