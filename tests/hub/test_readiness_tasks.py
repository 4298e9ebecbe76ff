"""/health/ready/ reports the task queue: how many queued tasks (e-mails) a
worker could take now and how long the oldest has waited, and a backlog (the
hub "degraded", still a 200) once that is longer than
HUB_READY_TASK_BACKLOG_SECONDS, meaning no worker is taking them.

The tasks are real e-mails written to the mail queue by the hub's queued
backend; a task that waited is one whose queue times are moved into the past."""

import io
import logging
import signal
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

QUEUED_MAIL = {
    "default": {"BACKEND": "hub.mail.QueuedEmailBackend", "OPTIONS": {"mailer": "outgoing"}},
    "outgoing": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}


@pytest.fixture
def queue_mail():
    with override_settings(MAILERS=QUEUED_MAIL):

        def queue(count=1, waited=timedelta(0)):
            for number in range(count):
                EmailMessage(f"Message {number}", "Body\n", to=["ana@example.org"]).send()
            if waited:
                DBTaskResult.objects.update(enqueued_at=timezone.now() - waited)

        yield queue


def tasks_check(client):
    response = client.get("/health/ready/")
    return response, response.json()["checks"]["tasks"]


def test_an_empty_queue_is_ok_and_the_hub_ready(client):
    response, tasks = tasks_check(client)
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert tasks == {"status": "ok", "waiting": 0, "oldest_waiting_seconds": None}


def test_tasks_waiting_a_short_while_are_counted_and_ok(client, queue_mail):
    queue_mail(3, waited=timedelta(minutes=2))
    response, tasks = tasks_check(client)
    assert response.json()["status"] == "ready"
    assert tasks["status"] == "ok"
    assert tasks["waiting"] == 3
    assert 120 <= tasks["oldest_waiting_seconds"] < 180
    assert "detail" not in tasks


def test_a_task_waiting_longer_than_the_limit_is_a_backlog_and_the_hub_degraded(client, queue_mail):
    queue_mail(2, waited=timedelta(minutes=11))
    response, tasks = tasks_check(client)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert tasks["status"] == "backlog"
    assert tasks["waiting"] == 2
    assert tasks["oldest_waiting_seconds"] >= 660
    assert tasks["detail"] == (
        "2 tasks are waiting, the oldest for 11 minutes: no worker is taking them "
        "(manage.py db_worker --backend mail)."
    )


def test_the_backlog_limit_is_a_setting(client, queue_mail):
    queue_mail(1, waited=timedelta(minutes=2))
    with override_settings(HUB_READY_TASK_BACKLOG_SECONDS=60):
        assert tasks_check(client)[1]["status"] == "backlog"
    with override_settings(HUB_READY_TASK_BACKLOG_SECONDS=600):
        assert tasks_check(client)[1]["status"] == "ok"


def test_a_later_try_not_due_yet_is_not_waiting_and_one_due_waits_from_its_time(client, queue_mail):
    queue_mail(2, waited=timedelta(hours=2))
    first, second = DBTaskResult.objects.order_by("enqueued_at", "pk")
    # The first is a retry due in 5 minutes; the second came due 3 minutes ago.
    DBTaskResult.objects.filter(pk=first.pk).update(run_after=timezone.now() + timedelta(minutes=5))
    DBTaskResult.objects.filter(pk=second.pk).update(run_after=timezone.now() - timedelta(minutes=3))
    _response, tasks = tasks_check(client)
    assert tasks["status"] == "ok"
    assert tasks["waiting"] == 1
    assert 180 <= tasks["oldest_waiting_seconds"] < 240


# The worker commits and closes its connection as in production: outside the
# test transaction, with the migrations' rows put back afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_once_the_worker_takes_the_backlog_the_hub_is_ready_again(client, queue_mail, mailoutbox):
    queue_mail(2, waited=timedelta(hours=1))
    assert tasks_check(client)[1]["status"] == "backlog"

    signals = {name: signal.getsignal(name) for name in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    levels = {name: logging.getLogger(name).level for name in ("django.tasks", "django_tasks_db")}
    try:
        with override_settings(MAILERS=QUEUED_MAIL):
            call_command(
                "db_worker",
                "--backend=mail",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                verbosity=0,
                stdout=io.StringIO(),
            )
    finally:
        for name, handler in signals.items():  # the worker takes Ctrl+C for itself
            signal.signal(name, handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)

    assert sorted(message.subject for message in mailoutbox) == ["Message 0", "Message 1"]
    response, tasks = tasks_check(client)
    assert response.json()["status"] == "ready"
    assert tasks == {"status": "ok", "waiting": 0, "oldest_waiting_seconds": None}
