"""The scheduler (``manage.py run_scheduler``, hub/scheduler.py) runs each
periodic job when it is due, one at a time, never twice for the same time, and
goes on when a job fails.

The jobs are the hub's real management commands: ``publish_scheduled``
unpublishes an expired page and ``clearsessions`` deletes an expired session,
so a job that ran is seen by what it did. Only the tests of two schedulers
running at once put a stand-in around the command (it waits, as a long job
would, or stops the scheduler mid-job)."""

import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from hub import scheduler as scheduler_module
from hub.models import ScheduledJob
from hub.scheduler import CronSchedule, Scheduler, load_schedule

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()


def local(*parts):
    return datetime(*parts, tzinfo=ZONE)


@pytest.fixture
def expired_page(home_page):
    from home.factories import StandardPageFactory

    page = StandardPageFactory(parent=home_page, title="Old notice")
    page.save_revision().publish()
    type(page).objects.filter(pk=page.pk).update(expire_at=timezone.now() - timedelta(hours=1))
    return page


@pytest.fixture
def expired_session(db):
    return Session.objects.create(
        session_key="expired-session-for-the-scheduler-test",
        session_data="",
        expire_date=timezone.now() - timedelta(days=1),
    )


def page_is_live(page):
    page.refresh_from_db()
    return page.live


def session_exists(session):
    return Session.objects.filter(pk=session.pk).exists()


# --- Cron expressions -------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "moment", "previous", "following"),
    [
        ("*/10 * * * *", local(2026, 3, 4, 10, 17), local(2026, 3, 4, 10, 10), local(2026, 3, 4, 10, 20)),
        ("*/10 * * * *", local(2026, 3, 4, 10, 20), local(2026, 3, 4, 10, 20), local(2026, 3, 4, 10, 30)),
        ("0 * * * *", local(2026, 3, 4, 0, 0), local(2026, 3, 4, 0, 0), local(2026, 3, 4, 1, 0)),
        ("30 3 * * *", local(2026, 3, 4, 3, 29), local(2026, 3, 3, 3, 30), local(2026, 3, 4, 3, 30)),
        # 4 March 2026 is a Wednesday: the Mondays around it.
        ("0 5 * * 1", local(2026, 3, 4, 12, 0), local(2026, 3, 2, 5, 0), local(2026, 3, 9, 5, 0)),
        # Sunday is 0 or 7.
        ("0 9 * * 7", local(2026, 3, 4, 12, 0), local(2026, 3, 1, 9, 0), local(2026, 3, 8, 9, 0)),
        # Day of month and day of week both given: either matches, as in cron.
        ("0 0 1 * 1", local(2026, 3, 4, 12, 0), local(2026, 3, 2, 0, 0), local(2026, 3, 9, 0, 0)),
        ("15 8-9 1,15 * *", local(2026, 3, 4, 12, 0), local(2026, 3, 1, 9, 15), local(2026, 3, 15, 8, 15)),
    ],
)
def test_cron_expressions_name_the_times_cron_would(expression, moment, previous, following):
    schedule = CronSchedule(expression)
    assert schedule.previous(moment) == previous
    assert schedule.following(moment) == following


def test_cron_times_are_read_in_the_hubs_time_zone():
    # 07:00 in New York in winter is 12:00 UTC.
    schedule = CronSchedule("0 7 * * *")
    assert schedule.previous(datetime(2026, 1, 10, 12, 30, tzinfo=UTC)) == datetime(
        2026, 1, 10, 12, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("expression", ["* * * *", "61 * * * *", "*/0 * * * *", "a * * * *", "0 0 32 * *"])
def test_a_schedule_with_a_wrong_expression_is_refused_naming_the_job(expression):
    with pytest.raises(ValueError, match="broken"):
        load_schedule({"broken": (expression, "clearsessions")})


def test_every_job_in_the_settings_names_a_command_that_exists_with_arguments_it_takes():
    jobs = load_schedule()
    commands = get_commands()
    expected = {
        "publish_scheduled",
        "send_event_reminders",
        "flush_counts",
        "update_index",
        "send_digests",
        "fetch_partner_feeds",
        "send_review_reminders",
        "check_links",
        "prune_db_task_results",
        "clearsessions",
    }
    assert expected <= {job.command[0] for job in jobs}
    for job in jobs:
        name, *arguments = job.command
        command = load_command_class(commands[name], name)
        command.create_parser("manage.py", name).parse_args(arguments)  # raises on an unknown option


# --- Running what is due ----------------------------------------------------


SCHEDULE = {
    "publish_scheduled": ("*/10 * * * *", "publish_scheduled"),
    "clearsessions": ("0 4 * * *", "clearsessions"),
}


def test_due_jobs_run_and_jobs_not_due_do_not(expired_page, expired_session):
    now = timezone.now()
    # clearsessions already ran after its last 04:00; publish_scheduled never ran.
    ScheduledJob.objects.create(
        name="clearsessions", last_started_at=CronSchedule("0 4 * * *").previous(now) + timedelta(seconds=1)
    )

    outcomes = Scheduler(load_schedule(SCHEDULE)).run_due(now)

    assert {outcome.job.name: outcome.ran for outcome in outcomes} == {
        "publish_scheduled": True,
        "clearsessions": False,
    }
    assert not page_is_live(expired_page)
    assert session_exists(expired_session)
    record = ScheduledJob.objects.get(name="publish_scheduled")
    assert record.last_succeeded is True
    assert record.last_started_at == now
    assert record.running_until is None
    assert record.last_finished_at >= now


def test_a_job_runs_again_at_its_next_time_and_not_before(expired_session):
    jobs = load_schedule({"clearsessions": ("*/10 * * * *", "clearsessions")})
    scheduler = Scheduler(jobs)
    first = local(2026, 3, 4, 10, 1)
    assert scheduler.run_due(first)[0].ran

    expired_session.save()  # expired again: seen if clearsessions runs too early
    assert not scheduler.run_due(first + timedelta(minutes=8))[0].ran
    assert session_exists(expired_session)

    assert scheduler.run_due(local(2026, 3, 4, 10, 10))[0].ran
    assert not session_exists(expired_session)


def test_a_scheduler_that_was_stopped_runs_a_missed_job_once_not_once_per_missed_time():
    jobs = load_schedule({"clearsessions": ("*/10 * * * *", "clearsessions")})
    scheduler = Scheduler(jobs)
    scheduler.run_due(local(2026, 3, 4, 10, 0))

    back = local(2026, 3, 4, 13, 5)  # 18 times missed
    assert [outcome.ran for outcome in scheduler.run_due(back)] == [True]
    assert [outcome.ran for outcome in scheduler.run_due(back + timedelta(minutes=1))] == [False]


def test_a_failing_job_is_logged_with_its_traceback_and_the_jobs_after_it_still_run(
    caplog, expired_page, expired_session
):
    schedule = {
        "gap_snapshot": ("* * * * *", "snapshot_gap_analysis --days 0"),  # refused: --days must be 1 or more
        "missing": ("* * * * *", "no_such_command"),
        **SCHEDULE,
    }
    with caplog.at_level(logging.INFO, logger="hub.scheduler"):
        outcomes = Scheduler(load_schedule(schedule)).run_due()

    assert [(outcome.job.name, outcome.ran, outcome.succeeded) for outcome in outcomes] == [
        ("gap_snapshot", True, False),
        ("missing", True, False),
        ("publish_scheduled", True, True),
        ("clearsessions", True, True),
    ]
    failures = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert [record.getMessage().split(" failed")[0] for record in failures] == [
        "Scheduled job gap_snapshot",
        "Scheduled job missing",
    ]
    assert all(record.exc_info for record in failures)
    assert "--days must be between 1 and 1830" in str(failures[0].exc_info[1])
    stored = ScheduledJob.objects.get(name="gap_snapshot")
    assert stored.last_succeeded is False
    assert "Traceback (most recent call last)" in stored.last_output
    assert stored.running_until is None
    assert not page_is_live(expired_page)
    assert not session_exists(expired_session)


# --- Two schedulers ---------------------------------------------------------


def test_a_job_another_scheduler_holds_is_skipped_until_its_lease_runs_out(expired_session):
    now = timezone.now()
    ScheduledJob.objects.create(
        name="clearsessions", running_until=now + timedelta(minutes=3), running_on="other-host:1234:abcd"
    )
    jobs = load_schedule({"clearsessions": ("0 4 * * *", "clearsessions")})

    assert not Scheduler(jobs).run_due(now)[0].ran
    assert session_exists(expired_session)
    assert ScheduledJob.objects.get(name="clearsessions").running_on == "other-host:1234:abcd"

    # The other scheduler died mid-job: once its lease has run out the job is run.
    assert Scheduler(jobs).run_due(now + timedelta(minutes=4))[0].ran
    assert not session_exists(expired_session)


def test_a_second_scheduler_does_not_run_a_job_the_first_already_ran_for_this_time(expired_session):
    jobs = load_schedule({"clearsessions": ("*/10 * * * *", "clearsessions")})
    first, second = Scheduler(jobs), Scheduler(jobs)
    assert first.owner != second.owner

    assert first.run_due(local(2026, 3, 4, 10, 2))[0].ran
    expired_session.save()
    assert not second.run_due(local(2026, 3, 4, 10, 3))[0].ran
    assert session_exists(expired_session)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_while_one_scheduler_runs_a_job_another_running_at_the_same_time_skips_it(monkeypatch):
    """Two schedulers in two threads (two database connections): the first is
    inside a long job when the second looks; the job runs once in all."""
    started, finish = threading.Event(), threading.Event()
    calls = []

    def long_job(*args, **kwargs):
        calls.append(args)
        started.set()
        assert finish.wait(10)

    monkeypatch.setattr(scheduler_module, "call_command", long_job)
    jobs = load_schedule({"update_index": ("0 2 * * *", "update_index")})
    now = timezone.now()
    first_outcomes = []

    def first_scheduler():
        try:
            first_outcomes.extend(Scheduler(jobs).run_due(now))
        finally:
            connection.close()

    thread = threading.Thread(target=first_scheduler)
    thread.start()
    try:
        assert started.wait(10)
        held = ScheduledJob.objects.get(name="update_index")
        assert held.running_until > now
        assert not Scheduler(jobs).run_due(now + timedelta(seconds=30))[0].ran
    finally:
        finish.set()
        thread.join(10)
    assert [outcome.succeeded for outcome in first_outcomes] == [True]
    assert not Scheduler(jobs).run_due(now + timedelta(minutes=1))[0].ran
    assert len(calls) == 1


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="schedulers racing for a job at the same instant need PostgreSQL's concurrent writers; "
    "SQLite lets one writer in at a time",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schedulers_claiming_a_job_at_the_same_instant_get_it_exactly_once():
    job = load_schedule({"clearsessions": ("0 4 * * *", "clearsessions")})[0]
    ScheduledJob.objects.create(name=job.name)
    now = timezone.now()
    racers = 6
    barrier = threading.Barrier(racers)
    claimed = []

    def race():
        try:
            scheduler = Scheduler([job])
            barrier.wait(10)
            claimed.append(scheduler.claim(job, now))
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(claimed) == [False] * (racers - 1) + [True]


# --- The command --------------------------------------------------------------


@override_settings(HUB_SCHEDULE=SCHEDULE)
def test_once_runs_what_is_due_and_list_shows_when_each_job_ran(expired_page, expired_session):
    output = StringIO()
    call_command("run_scheduler", "--once", stdout=output)
    assert "Ran 2 due jobs." in output.getvalue()
    assert not page_is_live(expired_page)
    assert not session_exists(expired_session)

    output = StringIO()
    call_command("run_scheduler", "--once", stdout=output)
    assert "Ran 0 due jobs." in output.getvalue()

    listing = StringIO()
    call_command("run_scheduler", "--list", stdout=listing)
    lines = listing.getvalue().splitlines()
    assert lines[0].split() == ["publish_scheduled", "*/10", "*", "*", "*", "*", "publish_scheduled"]
    assert "succeeded" in lines[1] and "next " in lines[1]
    assert lines[2].split()[:2] == ["clearsessions", "0"]


@override_settings(HUB_SCHEDULE={"broken": ("0 25 * * *", "clearsessions")})
def test_the_command_refuses_a_wrong_schedule():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="broken"):
        call_command("run_scheduler", "--list", stdout=StringIO())


@override_settings(HUB_SCHEDULE=SCHEDULE)
def test_sigterm_stops_the_scheduler_after_the_job_running_then(monkeypatch, expired_page, expired_session):
    """The signal comes while publish_scheduled runs: it finishes, and
    clearsessions, due too, waits for the next scheduler."""
    real_call_command = scheduler_module.call_command

    def job_during_which_sigterm_comes(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return real_call_command(*args, **kwargs)

    monkeypatch.setattr(scheduler_module, "call_command", job_during_which_sigterm_comes)
    handler_before = signal.getsignal(signal.SIGTERM)
    output = StringIO()
    call_command("run_scheduler", stdout=output)

    assert "SIGTERM: stopping after the job running now." in output.getvalue()
    assert output.getvalue().rstrip().endswith("Scheduler stopped.")
    assert not page_is_live(expired_page)
    assert ScheduledJob.objects.get(name="publish_scheduled").last_succeeded is True
    assert session_exists(expired_session)
    assert not ScheduledJob.objects.filter(name="clearsessions", last_started_at__isnull=False).exists()
    assert signal.getsignal(signal.SIGTERM) is handler_before


@override_settings(HUB_SCHEDULE={"clearsessions": ("0 4 * * *", "clearsessions")})
def test_sigint_while_waiting_stops_the_scheduler_at_once(expired_session):
    output = StringIO()
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        call_command("run_scheduler", stdout=output)
    finally:
        timer.cancel()
    assert "SIGINT: stopping" in output.getvalue()
    assert not session_exists(expired_session)


def test_skip_leaves_jobs_out_and_refuses_a_job_that_does_not_exist(expired_session):
    out = StringIO()
    with override_settings(HUB_SCHEDULE={"clearsessions": ("* * * * *", "clearsessions")}):
        call_command("run_scheduler", "--once", "--skip", "clearsessions", stdout=out)
        assert session_exists(expired_session)
        assert "Ran 0 due jobs" in out.getvalue()
        with pytest.raises(CommandError, match="No job called check_everything"):
            call_command("run_scheduler", "--once", "--skip", "check_everything")
        call_command("run_scheduler", "--once", stdout=out)
    assert not session_exists(expired_session)
