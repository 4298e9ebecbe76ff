"""Sessions end after a time without activity: 2 hours for anyone who can reach the
admin, 14 days for members. Activity renews them, without a session write on
every request; passwords are at least 12 characters."""

import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from hub.security import SESSION_SEEN_KEY

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
TWO_HOURS = 2 * 60 * 60
FOURTEEN_DAYS = 14 * 24 * 60 * 60


def sign_in(client, username):
    response = client.post(
        SIGN_IN, {"username": username, "password": "pw-for-tests"}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def age_session(client, seconds):
    """Pretend the last activity was `seconds` ago, in the real session store."""
    session = client.session
    session[SESSION_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def cookie_max_age(response):
    return int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"])


def test_a_member_session_lasts_fourteen_idle_days(client, make_user):
    make_user("morgan", "Members")
    response = sign_in(client, "morgan")
    assert cookie_max_age(response) == FOURTEEN_DAYS
    assert abs(client.session.get_expiry_age() - FOURTEEN_DAYS) < 60


@pytest.mark.parametrize("kind", ["editor", "reviewer", "is_staff", "superuser", "admin permission"])
def test_a_session_of_anyone_who_can_reach_the_admin_lasts_two_idle_hours(client, make_user, kind):
    if kind == "editor":
        make_user("ash", "Editors")
    elif kind == "reviewer":
        make_user("ash", "Evidence reviewers")
    elif kind == "is_staff":
        make_user("ash", is_staff=True)
    elif kind == "superuser":
        make_user("ash", is_superuser=True)
    else:
        make_user("ash").user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    response = sign_in(client, "ash")
    assert cookie_max_age(response) == TWO_HOURS
    assert abs(client.session.get_expiry_age() - TWO_HOURS) < 60


def test_the_admin_sign_in_gives_the_staff_timeout_too(client, make_user):
    make_user("ash", "Editors")
    response = client.post(
        "/admin/login/", {"username": "ash", "password": "pw-for-tests"}, REMOTE_ADDR="10.0.0.8"
    )
    assert response.status_code == 302
    assert cookie_max_age(response) == TWO_HOURS


def test_a_staff_session_idle_for_more_than_two_hours_is_signed_out(client, make_user):
    make_user("ash", "Editors")
    sign_in(client, "ash")
    age_session(client, TWO_HOURS + 60)
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)
    assert client.get("/admin/").status_code == 302


def test_a_person_signed_out_for_inactivity_is_told_why_on_the_sign_in_page(client, make_user):
    make_user("morgan", "Members")
    sign_in(client, "morgan")
    age_session(client, FOURTEEN_DAYS + 60)
    page = client.get("/account/", follow=True)
    assert page.redirect_chain[-1][0].startswith(SIGN_IN)
    assert "You were signed out after a time without activity" in page.content.decode()


def test_a_member_session_idle_for_a_day_is_still_signed_in_but_not_after_fourteen(client, make_user):
    make_user("morgan", "Members")
    sign_in(client, "morgan")
    age_session(client, 24 * 60 * 60)
    assert client.get("/account/").status_code == 200
    age_session(client, FOURTEEN_DAYS + 60)
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def test_activity_renews_the_idle_timeout(client, make_user):
    make_user("ash", "Editors")
    sign_in(client, "ash")
    # Idle for almost the whole two hours, then active again: the clock starts over.
    age_session(client, TWO_HOURS - 60)
    response = client.get("/account/")
    assert response.status_code == 200
    assert cookie_max_age(response) == TWO_HOURS
    assert abs(client.session[SESSION_SEEN_KEY] - time.time()) < 60
    assert abs(client.session.get_expiry_age() - TWO_HOURS) < 60


def test_requests_close_together_do_not_rewrite_the_session(client, make_user):
    make_user("morgan", "Members")
    sign_in(client, "morgan")
    response = client.get("/account/")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_member_made_staff_gets_the_staff_timeout_at_the_next_renewal(client, make_user):
    from django.contrib.auth.models import Group

    user = make_user("morgan", "Members")
    sign_in(client, "morgan")
    user.groups.add(Group.objects.get(name="Editors"))
    age_session(client, 10 * 60)
    response = client.get("/account/")
    assert cookie_max_age(response) == TWO_HOURS


def test_a_password_shorter_than_twelve_characters_is_refused(client, make_user):
    user = make_user("morgan", "Members")
    client.force_login(user)
    response = client.post(
        "/account/password/",
        {"old_password": "pw-for-tests", "new_password1": "riverstone7", "new_password2": "riverstone7"},
    )
    assert response.status_code == 400
    assert "at least 12 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("pw-for-tests")
