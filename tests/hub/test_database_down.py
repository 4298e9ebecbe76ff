"""While PostgreSQL does not answer, every request gets a plain 503 page with
Retry-After (never the 500 page or a traceback), the outage is logged once,
and the first request after PostgreSQL is back is served normally.

Nothing is mocked: the database connection is pointed at a closed port on
127.0.0.1 (connections refused, as when PostgreSQL is down), or its server
process is ended with ``pg_terminate_backend`` (as when PostgreSQL restarts),
or ended by a trigger in the middle of a submission's writes (the database
going away half-way through a POST). These tests commit what they create
(``transaction=True``) because the connection they break is the one a test
transaction would live on."""

import logging
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import DatabaseError, OperationalError, connection
from django.test import Client, RequestFactory

from community.models import MemberProfile, MembershipApplication
from hub import database_outage
from hub.models import Topic
from tests.hub.conftest import JOIN_FORM

from .faulty_services import closed_port

on_postgresql = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.skipif(
        not on_postgresql,
        reason="a database that stops answering needs a database server: these tests run on PostgreSQL "
        "(DATABASE_URL), as CI does",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MESSAGE = "The hub is briefly unavailable, please try again in a minute."


@pytest.fixture
def log(caplog):
    """The hub's log and Django's request log (which does not reach the root logger)."""
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(caplog.handler)
    database_outage.outage_log.forget()
    with caplog.at_level(logging.INFO):
        yield caplog
    request_logger.removeHandler(caplog.handler)
    database_outage.outage_log.forget()


@pytest.fixture
def browser():
    """A test client that hands back what the person would get, not the exception."""
    return Client(raise_request_exception=False)


@contextmanager
def database_unreachable():
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def other_connection():
    """A connection of its own to the test database, beside Django's."""
    own = connection.settings_dict
    return psycopg.connect(
        host=own["HOST"] or "127.0.0.1",
        port=own["PORT"] or 5432,
        user=own["USER"] or "postgres",
        password=own["PASSWORD"] or None,
        dbname=own["NAME"],
        autocommit=True,
    )


def terminate_djangos_connection():
    """End the server process behind Django's connection, as a PostgreSQL restart does."""
    pid = connection.connection.info.backend_pid
    with other_connection() as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(100):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return pid
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} did not end")


@contextmanager
def connection_ended_on_insert_into(table):
    """A trigger that ends the connection writing a row into ``table``: the
    database goes away in the middle of a submission's writes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION hub_test_end_connection() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$"
        )
        cursor.execute(
            f'CREATE TRIGGER hub_test_end_connection BEFORE INSERT ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION hub_test_end_connection()"
        )
    try:
        yield
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TRIGGER IF EXISTS hub_test_end_connection ON "{table}"')
            cursor.execute("DROP FUNCTION IF EXISTS hub_test_end_connection()")


def serve(path):
    """A GET through Django's WSGI handler as gunicorn calls it. Unlike the test
    client, it recycles database connections at the start and end of each
    request (``close_old_connections``), which is what a restart tests."""
    environ = RequestFactory().get(path).environ
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen.update(status=int(status.split()[0]), headers=dict(headers))

    response = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(response).decode()
    finally:
        response.close()
    return seen["status"], seen["headers"], body


def assert_plain_503(response_or_status, headers=None, body=None):
    if headers is None:
        status, headers, body = (
            response_or_status.status_code,
            response_or_status.headers,
            response_or_status.content.decode(),
        )
    else:
        status = response_or_status
    assert status == 503, body[:2000]
    assert headers["Retry-After"] == "60"
    assert headers["Cache-Control"] == "no-store"
    assert MESSAGE in body
    for leak in ("Traceback", "OperationalError", "psycopg", "127.0.0.1", "Something went wrong"):
        assert leak not in body


def outage_warnings(log):
    return [record for record in log.records if record.name == "hub.database_outage"]


def request_errors(log):
    return [record for record in log.records if record.name == "django.request" and record.levelno >= 40]


def test_every_page_answers_a_plain_503_with_retry_after_while_postgresql_is_down(content, browser, log):
    join_form = JOIN_FORM
    with database_unreachable():
        for path in (
            "/",
            content["resource"].url,
            content["library"].url + "?topic=health-equity",
            content["webinar"].url,
            "/search/?q=crisis",
            "/account/",
        ):
            assert_plain_503(browser.get(path))
        assert_plain_503(browser.post(content["join"].url, join_form))
        api = browser.get("/api/v2/pages/")
        live = browser.get("/health/live/")
        ready = browser.get("/health/ready/")

    assert api.status_code == 503 and api.json() == {"message": MESSAGE}
    assert api["Retry-After"] == "60"
    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["checks"]["database"]["status"] == "unavailable"
    assert ready.json()["checks"]["tasks"]["status"] == "unavailable"

    # One warning for the whole outage; no traceback in Django's request log.
    warnings = outage_warnings(log)
    assert len(warnings) == 1
    assert warnings[0].levelname == "WARNING"
    assert "The database does not answer (OperationalError: " in warnings[0].getMessage()
    assert not warnings[0].exc_info
    # The readiness check's own 503 is Django's one line, without a traceback.
    assert [(record.getMessage(), record.exc_info) for record in request_errors(log)] == [
        ("Service Unavailable: /health/ready/", None)
    ]

    # Nothing of the application was kept, and the hub serves again.
    assert not MembershipApplication.objects.filter(email="jordan@example.org").exists()
    assert browser.get(content["resource"].url).status_code == 200


def test_a_page_whose_view_meets_the_outage_gets_the_same_503_and_cached_pages_are_still_served(
    content, browser, log
):
    # Before the outage: the site is known and the home page is in the page cache.
    assert browser.get("/").status_code == 200
    with database_unreachable():
        cached = browser.get("/")
        uncached = browser.get(content["resource"].url)
    assert cached.status_code == 200
    assert cached["X-Page-Cache"] == "hit"
    assert_plain_503(uncached)
    assert len(outage_warnings(log)) == 1
    assert request_errors(log) == []


def test_the_outage_is_logged_again_at_most_once_a_minute_with_the_number_of_requests(
    content, browser, log, monkeypatch
):
    with database_unreachable():
        for _ in range(3):
            browser.get(content["resource"].url)
        monkeypatch.setattr(database_outage, "LOG_EVERY_SECONDS", 0)
        browser.get(content["resource"].url)
    messages = [record.getMessage() for record in outage_warnings(log)]
    assert len(messages) == 2
    assert "3 more requests answered 503 in the last minute" in messages[1]


def test_the_first_request_after_postgresql_restarts_is_served(content):
    assert serve("/")[0] == 200
    terminated = terminate_djangos_connection()

    # CONN_HEALTH_CHECKS: the kept connection is tested before it is reused.
    status, _headers, body = serve(content["resource"].url)
    assert status == 200
    assert "Crisis Services Toolkit" in body
    assert connection.connection.info.backend_pid != terminated


def test_without_health_checks_a_request_on_the_lost_connection_gets_the_503_and_the_next_is_served(
    content, log
):
    connection.close()
    health_checks = connection.settings_dict["CONN_HEALTH_CHECKS"]
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    try:
        assert serve("/")[0] == 200
        terminate_djangos_connection()
        assert_plain_503(*serve(content["resource"].url))
        # The broken connection was closed when that request ended.
        assert serve(content["resource"].url)[0] == 200
    finally:
        connection.close()
        connection.settings_dict["CONN_HEALTH_CHECKS"] = health_checks
    assert request_errors(log) == []


def test_a_join_application_cut_off_half_way_keeps_nothing(content, browser, log):
    topic = Topic.objects.order_by("pk").first()
    form = {**JOIN_FORM, "topics": [topic.pk]}
    with connection_ended_on_insert_into(MembershipApplication.topics.through._meta.db_table):
        assert_plain_503(browser.post(content["join"].url, form))
    # The application row was written before its topics: gone with the transaction.
    assert not MembershipApplication.objects.filter(email="jordan@example.org").exists()
    assert request_errors(log) == []


def test_a_profile_saved_when_the_database_goes_keeps_the_old_name_too(content, browser, make_user):
    member = make_user("morgan", "Members", first_name="Morgan")
    MemberProfile.objects.create(user=member, organisation="Lakeside CMHC")
    browser.force_login(member)
    topic = Topic.objects.order_by("pk").first()
    form = {
        "first_name": "Renamed",
        "last_name": "",
        "organisation": "Another CMHC",
        "organisation_type": "",
        "role": "",
        "region": "",
        "topics": [topic.pk],
        "digest_frequency": MemberProfile.DIGEST_NEVER,
    }
    with connection_ended_on_insert_into(MemberProfile.topics.through._meta.db_table):
        assert_plain_503(browser.post("/account/profile/", form))
    member.refresh_from_db()
    assert member.first_name == "Morgan"
    assert MemberProfile.objects.get(user=member).organisation == "Lakeside CMHC"


def test_a_follow_cut_off_half_way_leaves_no_empty_profile(content, browser, make_user):
    member = make_user("riley", "Members")
    browser.force_login(member)
    topic = Topic.objects.order_by("pk").first()
    with connection_ended_on_insert_into(MemberProfile.topics.through._meta.db_table):
        response = browser.post("/account/follow/", {"kind": "topic", "id": topic.pk, "action": "follow"})
    assert_plain_503(response)
    assert not MemberProfile.objects.filter(user=member).exists()


def test_a_query_the_database_refuses_is_a_fault_not_an_outage():
    # A missing table: still the 500 page, to be fixed, not "try again in a minute".
    with pytest.raises(DatabaseError) as refused, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM hub_no_such_table")
    assert not database_outage.is_database_unavailable(refused.value)
    connection.close()

    with database_unreachable(), pytest.raises(OperationalError) as refused_connection:
        connection.ensure_connection()
    assert database_outage.is_database_unavailable(refused_connection.value)
