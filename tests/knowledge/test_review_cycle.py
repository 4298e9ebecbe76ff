"""The review cycle: the "Due for review" admin report and the daily e-mail
reminders to resource owners and Editors."""

import csv
import datetime
import io

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hub.models import Topic
from knowledge.models import ReviewReminder

pytestmark = pytest.mark.django_db

REPORT_URL = reverse("knowledge_due_for_review")
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
BROKEN = {"default": {"BACKEND": "tests.knowledge.broken_mail.BrokenBackend"}}


def days_from_today(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def owner(make_user):
    return make_user("olive", "Contributors", first_name="Olive")


@pytest.fixture
def shelf(make_resource, owner):
    return {
        "overdue": make_resource(
            "Overdue crisis guide",
            topics=["crisis-services"],
            owner=owner,
            last_reviewed=days_from_today(-740),
            next_review_due=days_from_today(-10),
        ),
        "soon_draft": make_resource(
            "Draft peer toolkit", topics=["peer-support"], next_review_due=days_from_today(20), live=False
        ),
        "soon": make_resource(
            "Workforce brief", topics=["workforce"], owner=owner, next_review_due=days_from_today(25)
        ),
        "later": make_resource(
            "Telehealth fact sheet", topics=["telehealth"], next_review_due=days_from_today(45)
        ),
        "far": make_resource("Equity report", topics=["health-equity"], next_review_due=days_from_today(200)),
        "unscheduled": make_resource("Undated webinar notes"),
    }


@pytest.fixture
def editor_client(client, make_user):
    client.force_login(make_user("eden", "Editors"))
    return client


def listed_titles(response):
    return [page.title for page in response.context["object_list"]]


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def run_reminders(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_review_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def mail_to(mailoutbox, address):
    matching = [message for message in mailoutbox if message.to == [address]]
    assert len(matching) == 1, f"expected one e-mail to {address}, got {len(matching)}"
    return matching[0]


# --- the report ----------------------------------------------------------------


def test_report_lists_overdue_and_soon_due_resources_soonest_first(editor_client, shelf):
    response = editor_client.get(REPORT_URL)
    assert response.status_code == 200
    assert listed_titles(response) == [
        "Overdue crisis guide",
        "Draft peer toolkit",
        "Workforce brief",
        "Telehealth fact sheet",
    ]


def test_report_leaves_out_resources_due_in_200_days_or_never_scheduled(editor_client, shelf):
    titles = listed_titles(editor_client.get(REPORT_URL))
    assert "Equity report" not in titles
    assert "Undated webinar notes" not in titles


def test_report_shows_status_owner_topics_and_a_link_to_edit(editor_client, shelf):
    response = editor_client.get(REPORT_URL)
    overdue, draft, soon, _ = response.context["object_list"]
    assert (overdue.review_due_status, soon.review_due_status) == ("Overdue", "Due in 25 days")
    assert (overdue.owner_name, draft.owner_name) == ("Olive", "")
    assert overdue.topic_list == Topic.objects.get(slug="crisis-services").name
    assert (overdue.publication_state, draft.publication_state) == ("Live", "Draft")
    html = response.content.decode()
    assert "Due in 25 days" in html
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[shelf["overdue"].pk])}"' in html


def test_report_offers_topic_and_owner_filters_and_a_csv_download(editor_client, shelf):
    html = editor_client.get(REPORT_URL).content.decode()
    assert 'name="topics"' in html
    assert 'name="owner"' in html
    assert "export=csv" in html


def test_topic_filter_narrows_the_report_to_that_topic(editor_client, shelf):
    workforce = Topic.objects.get(slug="workforce")
    assert listed_titles(editor_client.get(REPORT_URL, {"topics": workforce.pk})) == ["Workforce brief"]


def test_owner_filter_narrows_the_report_to_their_resources(editor_client, shelf, owner):
    assert listed_titles(editor_client.get(REPORT_URL, {"owner": owner.pk})) == [
        "Overdue crisis guide",
        "Workforce brief",
    ]


def test_csv_export_has_the_headings_and_one_row_per_resource(editor_client, shelf):
    response = editor_client.get(REPORT_URL, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(response)
    assert header[:7] == ["Title", "Status", "Next review due", "Last reviewed", "Owner", "Topics", "Page"]
    assert [row[0] for row in rows] == [
        "Overdue crisis guide",
        "Draft peer toolkit",
        "Workforce brief",
        "Telehealth fact sheet",
    ]
    overdue = rows[0]
    assert overdue[1] == "Overdue"
    assert overdue[2] == days_from_today(-10).isoformat()
    assert overdue[4] == "Olive"
    assert overdue[6] == "Live"
    assert overdue[7] == f"http://testserver/admin/pages/{shelf['overdue'].pk}/edit/"
    assert rows[1][6] == "Draft"


def test_csv_export_follows_the_filters(editor_client, shelf):
    peer = Topic.objects.get(slug="peer-support")
    rows = csv_rows(editor_client.get(REPORT_URL, {"export": "csv", "topics": peer.pk}))[1:]
    assert [row[0] for row in rows] == ["Draft peer toolkit"]


@pytest.mark.parametrize("group", ["Editors", "Evidence reviewers", "Steering"])
def test_editors_reviewers_and_steering_members_can_open_the_report(client, make_user, shelf, group):
    client.force_login(make_user("allowed", group))
    assert client.get(REPORT_URL).status_code == 200


def test_superusers_can_open_the_report(client, make_user, shelf):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert client.get(REPORT_URL).status_code == 200


def test_contributors_reach_the_admin_but_are_refused_the_report(client, make_user, shelf):
    client.force_login(make_user("connie", "Contributors"))
    response = client.get(REPORT_URL)
    assert response.status_code == 403
    assert "Overdue crisis guide" not in response.content.decode()
    assert client.get(REPORT_URL, {"export": "csv"}).status_code == 403


def test_members_without_admin_access_are_sent_to_the_login_page(client, make_user, shelf):
    client.force_login(make_user("morgan", "Members"))
    response = client.get(REPORT_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


def test_reports_menu_offers_the_report_to_editors_only(client, make_user):
    client.force_login(make_user("eden", "Editors"))
    assert REPORT_URL in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(make_user("connie", "Contributors"))
    assert REPORT_URL not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_report_queries_do_not_grow_with_the_number_of_resources(editor_client, make_resource, make_user):
    topics = ["crisis-services", "peer-support", "workforce"]

    def add(count, prefix):
        for n in range(count):
            make_resource(
                f"{prefix} {n}",
                topics=topics[: 1 + n % 3],
                owner=make_user(f"{prefix.lower()}-owner-{n}"),
                next_review_due=days_from_today(n - 5),
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = editor_client.get(REPORT_URL)
        assert response.status_code == 200
        return len(captured), len(response.context["object_list"])

    add(2, "Few")
    queries()  # the first admin request of a session fills per-process caches
    few, few_rows = queries()
    add(10, "Many")
    many, many_rows = queries()
    assert (few_rows, many_rows) == (2, 12)
    assert many == few


# --- the reminders ---------------------------------------------------------------


@pytest.fixture
def editors(make_user):
    active = make_user("eden", "Editors", first_name="Eden")
    make_user("ex-editor", "Editors", is_active=False)
    no_email = make_user("nomail", "Editors")
    no_email.email = ""
    no_email.save()
    return active


def test_owner_and_each_editor_get_one_email_listing_their_resources(mailoutbox, shelf, owner, editors):
    out, err = run_reminders()
    assert len(mailoutbox) == 2

    to_owner = mail_to(mailoutbox, "olive@example.org")
    assert "Hello Olive" in to_owner.body
    assert "Overdue crisis guide" in to_owner.body
    assert "Workforce brief" in to_owner.body
    assert f"http://testserver/admin/pages/{shelf['overdue'].pk}/edit/" in to_owner.body
    assert "(overdue)" in to_owner.body
    assert to_owner.subject == "2 resources in the knowledge hub due for review"

    to_editor = mail_to(mailoutbox, "eden@example.org")
    assert to_editor.body.index("Overdue crisis guide") < to_editor.body.index("Workforce brief")
    for left_out in ("Draft peer toolkit", "Telehealth fact sheet", "Equity report", "Undated webinar notes"):
        assert left_out not in to_editor.body
    assert to_editor.content_subtype == "plain"

    assert out.strip() == "2 resources due, 2 e-mails sent, 0 skipped (already reminded today), 0 failed"
    assert err == ""


def test_an_owner_who_is_also_an_editor_gets_a_single_email(mailoutbox, make_resource, make_user):
    eden = make_user("eden", "Editors")
    make_resource("Eden's guide", owner=eden, next_review_due=days_from_today(3))
    run_reminders()
    assert [message.to for message in mailoutbox] == [["eden@example.org"]]


def test_each_reminded_resource_is_recorded_with_its_recipients(mailoutbox, shelf, editors):
    run_reminders()
    reminders = {r.page_id: r for r in ReviewReminder.objects.filter(sent_on=timezone.localdate())}
    assert set(reminders) == {shelf["overdue"].pk, shelf["soon"].pk}
    assert set(reminders[shelf["overdue"].pk].recipients.split(", ")) == {
        "olive@example.org",
        "eden@example.org",
    }


def test_a_wider_window_reminds_about_more_resources(mailoutbox, shelf, editors):
    run_reminders("--days", "60")
    assert "Telehealth fact sheet" in mail_to(mailoutbox, "eden@example.org").body


def test_running_twice_the_same_day_sends_nothing_the_second_time(mailoutbox, shelf, editors):
    run_reminders()
    mailoutbox.clear()
    out, _ = run_reminders()
    assert mailoutbox == []
    assert out.strip() == "2 resources due, 0 e-mails sent, 2 skipped (already reminded today), 0 failed"


def test_running_the_next_day_sends_again(mailoutbox, shelf, editors):
    run_reminders()
    mailoutbox.clear()
    out, _ = run_reminders("--today", days_from_today(1).isoformat())
    assert len(mailoutbox) == 2
    assert "2 e-mails sent, 0 skipped" in out
    assert ReviewReminder.objects.filter(sent_on=days_from_today(1)).count() == 2


def test_a_mail_server_failure_is_reported_and_nothing_is_recorded(
    settings, mailoutbox, shelf, editors, caplog
):
    settings.MAILERS = BROKEN
    out, err = run_reminders()
    assert out.strip() == "2 resources due, 0 e-mails sent, 0 skipped (already reminded today), 2 failed"
    assert "Could not send the reminder to eden@example.org: ConnectionRefusedError" in err
    assert "Could not send the reminder to olive@example.org" in err
    assert ReviewReminder.objects.count() == 0
    logged = [record for record in caplog.records if record.name == "knowledge.review_cycle"]
    assert logged and all(record.exc_info for record in logged)


def test_after_a_failed_run_a_later_successful_run_sends_the_reminders(settings, mailoutbox, shelf, editors):
    settings.MAILERS = BROKEN
    run_reminders()
    settings.MAILERS = LOCMEM
    out, _ = run_reminders()
    assert len(mailoutbox) == 2
    assert "2 e-mails sent, 0 skipped (already reminded today), 0 failed" in out
    assert ReviewReminder.objects.count() == 2


class RefusesOliveBackend(EmailBackend):
    """A mail server that rejects one address and delivers the rest."""

    def send_messages(self, messages):
        if any("olive@example.org" in message.to for message in messages):
            raise ConnectionRefusedError("recipient rejected")
        return super().send_messages(messages)


def test_a_resource_is_recorded_when_at_least_one_email_about_it_went_out(
    settings, mailoutbox, shelf, editors
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusesOliveBackend"}}
    out, err = run_reminders()
    assert "1 e-mails sent" not in out  # plain language: singular
    assert out.strip() == "2 resources due, 1 e-mail sent, 0 skipped (already reminded today), 1 failed"
    assert "olive@example.org" in err
    recorded = ReviewReminder.objects.get(page=shelf["overdue"])
    assert recorded.recipients == "eden@example.org"


def test_resources_nobody_can_be_reminded_about_are_named(mailoutbox, make_resource):
    make_resource("Orphan guide", next_review_due=days_from_today(-1))
    out, err = run_reminders()
    assert mailoutbox == []
    assert "Nobody to remind about “Orphan guide”" in err
    assert ReviewReminder.objects.count() == 0


def test_a_malformed_date_is_refused_with_a_message(shelf):
    with pytest.raises(CommandError, match="not a date"):
        run_reminders("--today", "31/12/2025")
