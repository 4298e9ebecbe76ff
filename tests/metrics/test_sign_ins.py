"""Sign-in days: recorded on sign-in (the day only, in the hub's time zone),
never at the cost of the sign-in, counted for active members with exact
period boundaries, part of the member's data and gone when the account closes."""

import datetime
import json
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError
from django.utils import timezone

from community.models import MembershipApplication
from events.factories import EventIndexPageFactory, EventPageFactory
from events.models import EventRegistration
from metrics import figures
from metrics.models import SignInDay
from metrics.periods import Period

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
SIGN_IN = "/account/sign-in/"


def sign_in(client, username):
    return client.post(SIGN_IN, {"username": username, "password": "pw-for-tests"})


def days_of(user):
    return list(SignInDay.objects.filter(user=user).order_by("date").values_list("date", flat=True))


def test_signing_in_records_the_day_once_a_day(client, make_user):
    member = make_user("morgan", "Members")
    assert sign_in(client, "morgan").status_code == 302
    client.post("/account/sign-out/")
    assert sign_in(client, "morgan").status_code == 302
    assert days_of(member) == [timezone.localdate()]
    assert SignInDay.objects.count() == 1


def test_the_day_is_the_hubs_whatever_time_zone_is_active(client, make_user):
    member = make_user("morgan", "Members")
    # 1 March 03:30 UTC is 28 February 22:30 in New York (the hub's TIME_ZONE),
    # and already 1 March 12:30 in Tokyo, the zone the admin may have activated.
    moment = datetime.datetime(2026, 3, 1, 3, 30, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment), timezone.override("Asia/Tokyo"):
        client.force_login(member)
    assert days_of(member) == [datetime.date(2026, 2, 28)]
    assert figures.member_counts(MARCH)["active"] == 0
    assert figures.member_counts(MARCH.previous)["active"] == 1


def test_a_failure_to_record_never_fails_the_sign_in(client, make_user, caplog):
    make_user("morgan", "Members")
    with mock.patch.object(SignInDay.objects, "bulk_create", side_effect=DatabaseError("disk full")):
        response = sign_in(client, "morgan")
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    assert "Could not record the sign-in day" in caplog.text
    assert SignInDay.objects.count() == 0


def at(*args):
    return datetime.datetime(*args, tzinfo=NEW_YORK)


@pytest.fixture
def event(home_page):
    index = EventIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return EventPageFactory(parent=index, title="March webinar", start=at(2026, 3, 20, 13))


def register(event, user, moment):
    registration = EventRegistration.objects.create(
        event=event, name=user.username, email=user.email, user=user
    )
    EventRegistration.objects.filter(pk=registration.pk).update(created_at=moment)


def test_active_members_signed_in_registered_or_applied_in_the_period(make_user, event):
    first_day = make_user("first-day", "Members")
    last_day = make_user("last-day", "CMHC staff")
    february = make_user("february", "Partners")
    registered = make_user("registered", "Members")
    registered_late_utc = make_user("registered-late-utc", "Members")
    applied = make_user("applied", "Members")
    quiet = make_user("quiet", "Members")
    editor = make_user("eden", "Editors")  # not a member
    closed = make_user("closed", "Members", is_active=False)

    SignInDay.objects.create(user=first_day, date=datetime.date(2026, 3, 1))
    SignInDay.objects.create(user=first_day, date=datetime.date(2026, 3, 2))  # counted once
    SignInDay.objects.create(user=first_day, date=datetime.date(2026, 2, 10))
    SignInDay.objects.create(user=last_day, date=datetime.date(2026, 3, 31))
    SignInDay.objects.create(user=february, date=datetime.date(2026, 2, 28))
    SignInDay.objects.create(user=quiet, date=datetime.date(2026, 4, 1))  # after the period
    SignInDay.objects.create(user=quiet, date=datetime.date(2026, 1, 28))  # before the previous one
    SignInDay.objects.create(user=editor, date=datetime.date(2026, 3, 5))
    SignInDay.objects.create(user=closed, date=datetime.date(2026, 3, 5))
    # 00:30 on 1 March in New York: March.
    register(event, registered, at(2026, 3, 1, 0, 30))
    # 03:00 UTC on 1 March is still 28 February in New York: the previous period.
    register(event, registered_late_utc, datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC))
    # 23:59 on 31 March in New York (1 April in UTC): March. Matched by address.
    MembershipApplication.objects.create(
        name="Applied",
        email="APPLIED@example.org",
        organisation_type="cmhc",
        submitted_at=at(2026, 3, 31, 23, 59),
    )

    assert figures._active_member_ids(MARCH) == {first_day.pk, last_day.pk, registered.pk, applied.pk}
    assert figures.member_counts(MARCH)["active"] == 4
    # 29 January to 28 February.
    assert figures._active_member_ids(MARCH.previous) == {first_day.pk, february.pk, registered_late_utc.pk}
    assert figures.member_counts(MARCH.previous)["active"] == 3


def test_the_latest_sign_in_still_counts_for_sign_ins_before_days_were_recorded(make_user):
    make_user("morgan", "Members", last_login=at(2026, 3, 15, 9))
    assert figures.member_counts(MARCH)["active"] == 1
    assert figures.member_counts(MARCH.previous)["active"] == 0


def test_the_data_download_lists_the_days_and_closing_the_account_deletes_them(client, make_user):
    from community.account_data import close_account, personal_data

    member, other = make_user("morgan", "Members"), make_user("robin", "Members")
    for day in (datetime.date(2026, 3, 2), datetime.date(2026, 2, 1)):
        SignInDay.objects.create(user=member, date=day)
    SignInDay.objects.create(user=other, date=datetime.date(2026, 3, 2))

    assert personal_data(member)["sign_in_days"] == ["2026-02-01", "2026-03-02"]
    client.force_login(member)
    download = json.loads(client.get("/account/my-data/").content)
    assert download["sign_in_days"] == ["2026-02-01", "2026-03-02", timezone.localdate().isoformat()]

    close_account(member)
    assert days_of(member) == []
    assert days_of(other) == [datetime.date(2026, 3, 2)]


def test_deleting_an_account_deletes_its_sign_in_days(make_user):
    member = make_user("morgan", "Members")
    SignInDay.objects.create(user=member, date=datetime.date(2026, 3, 2))
    member.delete()
    assert SignInDay.objects.count() == 0
