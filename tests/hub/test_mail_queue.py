"""Mail that is never lost: every e-mail goes into the mail queue (django-tasks'
database backend), the worker (``manage.py db_worker --backend mail``, run here
in-process) sends it, tries again with backoff while the mail server fails, and
staff see the messages it is still trying and those it gave up on.

The mail server is a real local SMTP server on 127.0.0.1 that refuses, then
works again (``faulty_services``). Time passing is the queue's waits moved
into the past, and the SMTP backend's short pause after a failed connection
forgotten."""

import email
import email.policy
import io
import logging
import signal
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hub import mail
from hub.models import MailFailure

from .faulty_services import FaultySMTPServer

# The worker commits as it goes, as in production, so the test database is
# really written (and put back afterwards).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def run_worker():
    """Run the mail worker over every task that is due, then stop (``--batch``)."""
    signals = {name: signal.getsignal(name) for name in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    levels = {name: logging.getLogger(name).level for name in ("django.tasks", "django_tasks_db")}

    def run():
        call_command(
            "db_worker",
            "--backend=mail",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            verbosity=0,
            stdout=io.StringIO(),
        )

    yield run
    for name, handler in signals.items():  # the worker takes Ctrl+C for itself
        signal.signal(name, handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def waiting():
    return DBTaskResult.objects.filter(backend_name="mail", status=TaskResultStatus.READY)


def time_passes(how_long):
    waiting().update(run_after=F("run_after") - how_long)
    mail._unreachable.clear()  # RETRY_SECONDS are long past too


def seconds_until_next_try(task):
    return (task.run_after - timezone.now()).total_seconds()


def digest():
    message = EmailMultiAlternatives(
        "What's new in what you follow",
        "Two new resources in Crisis services.\n",
        to=["ana@example.org"],
        bcc=["archive@example.org"],
        headers={
            "List-Unsubscribe": "<https://hub.example.org/unsubscribe/abc/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative("<p>Two new resources in <strong>Crisis services</strong>.</p>", "text/html")
    return message


def reminder():
    message = EmailMessage(
        "Reminder: Launch webinar starts in an hour",
        "The webinar starts at 14:00. Join: https://meet.example.org/launch\n",
        to=["sky@example.org"],
    )
    message.attach("launch-webinar.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    return message


def test_a_digest_and_a_reminder_sent_while_mail_is_down_are_kept_retried_and_delivered_once(run_worker):
    with FaultySMTPServer("refuse") as server, override_settings(MAILERS=server.queued_mailers(timeout=1)):
        # Queued: the sender hears "sent" at once and nothing waits on the mail server.
        assert digest().send() == 1
        assert mail.send_message(reminder()) is None
        assert server.connections == 0
        assert waiting().count() == 2

        run_worker()
        assert server.received == []
        assert server.connections >= 1
        retries = list(waiting())
        assert len(retries) == 2
        assert all(task.args_kwargs["kwargs"]["attempt"] == 2 for task in retries)
        assert all(50 < seconds_until_next_try(task) <= 60 for task in retries)
        # Staff see both waiting, with the server's answer and the next try.
        failures = MailFailure.objects.order_by("subject")
        assert [(f.subject, f.recipients, f.attempts) for f in failures] == [
            ("Reminder: Launch webinar starts in an hour", "sky@example.org", 1),
            ("What's new in what you follow", "ana@example.org, archive@example.org", 1),
        ]
        assert all("554" in f.error and f.next_attempt_at and "Not sent yet" in f.status for f in failures)

        # The second try, a minute on, fails too: the next waits five minutes.
        time_passes(timedelta(seconds=30))
        run_worker()
        assert all(task.args_kwargs["kwargs"]["attempt"] == 2 for task in waiting())
        time_passes(timedelta(seconds=30))
        run_worker()
        retries = list(waiting())
        assert len(retries) == 2
        assert all(task.args_kwargs["kwargs"]["attempt"] == 3 for task in retries)
        assert all(4 * 60 < seconds_until_next_try(task) <= 5 * 60 for task in retries)
        assert set(MailFailure.objects.values_list("attempts", flat=True)) == {2}

        # The mail server works again; the tries are not due yet, then they are.
        server.mode = "accept"
        run_worker()
        assert server.received == []
        time_passes(timedelta(minutes=5))
        run_worker()
        assert len(server.received) == 2

        # Nothing is left to send: later runs deliver nothing again.
        time_passes(timedelta(hours=12))
        run_worker()
        assert len(server.received) == 2
        assert not waiting().exists()
        assert not MailFailure.objects.exists()

    delivered = {
        email.message_from_bytes(data, policy=email.policy.default)["Subject"]: (sender, recipients, data)
        for sender, recipients, data in server.received
    }
    sender, recipients, data = delivered["What's new in what you follow"]
    sent_digest = email.message_from_bytes(data, policy=email.policy.default)
    assert sender == "hub@localhost"
    assert recipients == ["ana@example.org", "archive@example.org"]  # Bcc on the envelope only
    assert sent_digest["Bcc"] is None and sent_digest["To"] == "ana@example.org"
    assert sent_digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Two new resources in Crisis services." in sent_digest.get_body(("plain",)).get_content()
    assert "<strong>Crisis services</strong>" in sent_digest.get_body(("html",)).get_content()

    _sender, recipients, data = delivered["Reminder: Launch webinar starts in an hour"]
    sent_reminder = email.message_from_bytes(data, policy=email.policy.default)
    assert recipients == ["sky@example.org"]
    [invite] = sent_reminder.iter_attachments()
    assert invite.get_filename() == "launch-webinar.ics"
    assert invite.get_content_type() == "text/calendar"
    assert "https://meet.example.org/launch" in sent_reminder.get_body(("plain",)).get_content()


def test_a_message_the_server_never_takes_is_tried_six_times_then_listed_for_staff_as_not_sent(
    run_worker, client, make_user
):
    with FaultySMTPServer("sender") as server, override_settings(MAILERS=server.queued_mailers(timeout=1)):
        EmailMessage("Your application was received", "Thank you.\n", to=["jordan@example.org"]).send()
        run_worker()
        for delay in mail.RETRY_DELAYS:
            assert waiting().count() == 1
            time_passes(delay)
            run_worker()
        assert not waiting().exists()
    assert server.connections == len(mail.RETRY_DELAYS) + 1
    failure = MailFailure.objects.get()
    assert failure.recipients == "jordan@example.org"
    assert failure.attempts == len(mail.RETRY_DELAYS) + 1
    assert failure.next_attempt_at is None and failure.status == "Not sent"
    assert "451" in failure.error

    client.force_login(make_user("eden", "Editors"))
    response = client.get(reverse("hub_mail_failures"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your application was received" in html and "jordan@example.org" in html
    assert "Not sent" in html and "Not sent yet" not in html


def test_a_refusal_no_later_try_changes_is_listed_at_once_and_not_tried_again(run_worker):
    with FaultySMTPServer("recipient") as server, override_settings(MAILERS=server.queued_mailers(timeout=1)):
        EmailMessage("Your place is confirmed", "See you there.\n", to=["nobody@example.org"]).send()
        run_worker()
    assert not waiting().exists()
    failure = MailFailure.objects.get()
    assert (failure.attempts, failure.next_attempt_at) == (1, None)
    assert "550" in failure.error


def test_a_message_queued_in_work_that_is_rolled_back_is_never_sent(run_worker):
    with FaultySMTPServer("accept") as server, override_settings(MAILERS=server.queued_mailers(timeout=1)):
        with pytest.raises(RuntimeError), transaction.atomic():
            EmailMessage("You're registered", "Body\n", to=["ana@example.org"]).send()
            raise RuntimeError("the registration could not be saved")
        EmailMessage("You're on the waiting list", "Body\n", to=["sky@example.org"]).send()
        run_worker()
    assert [recipients for _sender, recipients, _data in server.received] == [["sky@example.org"]]


def test_the_readiness_check_asks_the_mail_server_behind_the_queue(client):
    with FaultySMTPServer("refuse") as server, override_settings(MAILERS=server.queued_mailers(timeout=1)):
        response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["checks"]["mail"]["status"] == "unavailable"
