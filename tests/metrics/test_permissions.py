"""Only the Steering group and superusers see the steering reports."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GET_URLS = ["metrics_dashboard", "metrics_gap_analysis", "metrics_compare"]


@pytest.mark.parametrize("name", GET_URLS)
def test_steering_sees_the_reports(steering_client, name):
    response = steering_client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", GET_URLS)
def test_superuser_sees_the_reports(client, make_user, name):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", GET_URLS)
def test_an_editor_without_the_steering_role_gets_403(client, make_user, name):
    client.force_login(make_user("eden", "Editors"))
    assert client.get(reverse(name)).status_code == 403


def test_csv_and_snapshots_are_refused_to_editors(client, make_user):
    client.force_login(make_user("eden", "Editors"))
    assert client.get(reverse("metrics_dashboard") + "?export=members").status_code == 403
    assert client.post(reverse("metrics_take_snapshot")).status_code == 403
    from metrics.models import GapSnapshot

    assert GapSnapshot.objects.count() == 0


@pytest.mark.parametrize("name", GET_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign-in" in response["Location"]


def test_members_without_admin_access_cannot_reach_the_reports(client, make_user):
    client.force_login(make_user("morgan", "Members"))
    response = client.get(reverse("metrics_dashboard"))
    assert response.status_code in (302, 403)
    assert b"Participation and impact" not in response.content


def test_the_reports_menu_offers_the_reports_to_steering_only(client, steering_client, make_user):
    home = steering_client.get("/admin/").content.decode()
    assert reverse("metrics_dashboard") in home
    client.force_login(make_user("eden", "Editors"))
    assert reverse("metrics_dashboard") not in client.get("/admin/").content.decode()


def test_taking_a_snapshot_needs_post(steering_client):
    assert steering_client.get(reverse("metrics_take_snapshot")).status_code == 405
