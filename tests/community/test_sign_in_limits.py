"""The sign-in limit holds on the account, whatever spelling of it is typed, and
counts the client behind a trusted proxy (on PostgreSQL, as in production)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"


def sign_in(login, password="pw-for-tests", address="10.0.0.1", **headers):
    client = Client()
    response = client.post(
        SIGN_IN, {"username": login, "password": password}, REMOTE_ADDR=address, headers=headers
    )
    return response, "_auth_user_id" in client.session


@pytest.fixture
def kim(db):
    return get_user_model().objects.create_user(
        username="kim", email="kim.smith@example.org", password="pw-for-tests"
    )


@pytest.mark.parametrize(
    "variant",
    [
        "kım.smith@example.org",  # dotless i: PostgreSQL's upper() makes it I
        "kim.ſmith@example.org",  # long s: upper() makes it S
        "KIM.SMITH@EXAMPLE.ORG",
        " kim.smith@example.org ",
        "kim",
    ],
)
def test_a_locked_account_stays_locked_whatever_spelling_of_it_is_typed(kim, variant):
    for _ in range(5):
        sign_in("kim.smith@example.org", "wrong")
    response, signed_in = sign_in(variant)
    assert not signed_in
    if "ı" in variant:
        # Not the same address at all once normalised, so it names no account.
        assert response.status_code == 400
    else:
        assert response.status_code == 429
        assert "Too many attempts to sign in to this account from here" in response.content.decode()


def test_failures_typed_with_different_spellings_count_against_the_one_account(kim):
    for variant in ["kim", " kim ", "kim.ſmith@example.org", "KIM.smith@example.org", "kim"]:
        sign_in(variant, "wrong")
    response, signed_in = sign_in("kim")
    assert response.status_code == 429 and not signed_in


def test_an_address_that_only_postgresql_thinks_is_the_same_does_not_sign_in(kim):
    response, signed_in = sign_in("kım.smith@example.org")
    assert response.status_code == 400 and not signed_in
    assert sign_in("Kim.Smith@Example.org")[1]


def test_one_network_address_cannot_try_many_accounts_without_end(make_user):
    for number in range(30):
        sign_in(f"nobody-{number}", "wrong", address="10.0.0.7")
    make_user("robin")
    response, signed_in = sign_in("robin", address="10.0.0.7")
    assert response.status_code == 429 and not signed_in
    assert sign_in("robin", address="10.0.0.8")[1]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(kim):
    for number in range(5):
        sign_in("kim", "wrong", address="10.0.0.1", x_forwarded_for=f"198.51.100.{number}")
    response, signed_in = sign_in("kim", address="10.0.0.1", x_forwarded_for="198.51.100.99")
    assert response.status_code == 429 and not signed_in


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(kim):
    for _ in range(5):
        sign_in("kim", "wrong", address="10.0.0.1", x_forwarded_for="198.51.100.7")
    # The client who failed is held; another client behind the same proxy is not.
    assert sign_in("kim", address="10.0.0.1", x_forwarded_for="198.51.100.7")[0].status_code == 429
    assert sign_in("kim", address="10.0.0.1", x_forwarded_for="198.51.100.8")[1]
    # Entries a client writes in front of the real one change nothing.
    spoofed, signed_in = sign_in("kim", address="10.0.0.1", x_forwarded_for="203.0.113.5, 198.51.100.7")
    assert spoofed.status_code == 429 and not signed_in


def test_e_mail_addresses_are_stored_normalised_however_they_are_written():
    from community.models import MembershipApplication

    user = get_user_model().objects.create_user(username="ana", email=" Ana.ſmith@Example.ORG ")
    application = MembershipApplication.objects.create(
        name="Ana", email="ANA.SMITH@example.org", organisation_type="cmhc"
    )
    user.refresh_from_db()
    application.refresh_from_db()
    assert user.email == application.email == "ana.smith@example.org"
