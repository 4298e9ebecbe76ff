"""The hub's periodic jobs, run by one long-running process (``manage.py
run_scheduler``) instead of a crontab.

The schedule is ``HUB_SCHEDULE`` in the settings: a job's name, a cron
expression (minute, hour, day of month, month, day of week, read in the hub's
``TIME_ZONE``) and the management command it runs, called by name with
``call_command``, so hub/ knows no app's code. A job is *due* when a time its
expression names has come since it last started; one never run is due at once.
A scheduler that was stopped for a while runs each job it missed once, not once
per missed time.

Jobs run one after another, never two at once in one scheduler. A job that
fails is logged with its traceback, noted on its record, and the next job runs.

**Two schedulers started by mistake** (two containers, or a cron line left
beside the service) must not run the same job at the same time. Each job has a
row (``hub.ScheduledJob``) holding a lease, ``running_until``. A scheduler takes
the job with one conditional UPDATE that succeeds only while no other scheduler
holds an unexpired lease *and* the job has not been started since its scheduled
time; the database applies it atomically, so of two schedulers exactly one gets
a row count of 1 and runs the job, and the other skips it (also after the first
has finished: it started after the scheduled time). This was chosen over a
PostgreSQL advisory lock, which SQLite (the laptop and test database) does not
have, and over ``select_for_update`` held for the job's whole run, which would
keep a transaction open for minutes around commands that manage their own. A
scheduler that dies mid-job leaves a lease that expires after
``HUB_SCHEDULER_LEASE_SECONDS``; while a job runs, a thread renews the lease so
a long job (``update_index``) keeps it.
"""

import io
import logging
import os
import shlex
import socket
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

# (name, lowest, highest) of a cron expression's five fields.
CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 7))
# How far back or ahead a time is looked for: enough for "29 February".
SEARCH_DAYS = 8 * 366
KEEP_OUTPUT_CHARS = 4000


def _parse_field(text, name, lowest, highest):
    values = set()
    for part in text.split(","):
        spec, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if spec == "*":
                start, end = lowest, highest
            elif "-" in spec:
                start, end = (int(bound) for bound in spec.split("-", 1))
            else:
                start = int(spec)
                end = highest if step_text else start
        except ValueError:
            raise ValueError(f"{name} {part!r} is not a number, a range, * or a step") from None
        if step < 1 or not lowest <= start <= end <= highest:
            raise ValueError(f"{name} {part!r} is outside {lowest}-{highest}")
        values.update(range(start, end + 1, step))
    return values


def recycle_connections():
    """Django's per-request ``close_old_connections`` for a process without
    requests: drop connections that broke or outlived ``CONN_MAX_AGE``. One
    inside a transaction (a test's) is left alone."""
    for alias_connection in connections.all(initialized_only=True):
        if not alias_connection.in_atomic_block:
            alias_connection.close_if_unusable_or_obsolete()


class CronSchedule:
    """A five-field cron expression ("*/10 * * * *", "0 5 * * 1") with cron's
    own rules: lists, ranges, steps, Sunday as 0 or 7, and a day matching when
    either the day of month or the day of week matches if both are given."""

    def __init__(self, expression):
        fields = expression.split()
        if len(fields) != 5:
            raise ValueError(f"{expression!r}: a cron expression has five fields")
        parsed = [_parse_field(text, *spec) for text, spec in zip(fields, CRON_FIELDS, strict=True)]
        self.expression = expression
        self.minutes, self.hours, self.days, self.months, weekdays = parsed
        self.weekdays = {day % 7 for day in weekdays}
        self.any_day, self.any_weekday = fields[2] == "*", fields[4] == "*"

    def __str__(self):
        return self.expression

    def _day_matches(self, day):
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.weekday() + 1) % 7 in self.weekdays  # cron counts from Sunday
        if self.any_day or self.any_weekday:
            return in_days and in_weekdays
        return in_days or in_weekdays

    def _times_on(self, day, reverse):
        for hour in sorted(self.hours, reverse=reverse):
            for minute in sorted(self.minutes, reverse=reverse):
                yield datetime.combine(day, clock_time(hour, minute))

    def _fire_times(self, moment, reverse):
        zone = timezone.get_current_timezone()
        local = moment.astimezone(zone).replace(tzinfo=None)
        for offset in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=-offset if reverse else offset)
            if self._day_matches(day):
                for naive in self._times_on(day, reverse):
                    yield naive.replace(tzinfo=zone)
        raise ValueError(f"{self.expression!r} names no time in the next or last eight years")

    def previous(self, moment):
        """The last time named by the expression at or before ``moment``."""
        return next(fire for fire in self._fire_times(moment, reverse=True) if fire <= moment)

    def following(self, moment):
        """The first time named by the expression after ``moment``."""
        return next(fire for fire in self._fire_times(moment, reverse=False) if fire > moment)


@dataclass(frozen=True)
class Job:
    name: str
    schedule: CronSchedule
    command: tuple

    @property
    def command_line(self):
        return shlex.join(self.command)

    def is_due(self, last_started_at, now):
        return last_started_at is None or last_started_at < self.schedule.previous(now)


def load_schedule(table=None):
    """The jobs of ``HUB_SCHEDULE`` (or ``table``): ``{name: (cron, command line)}``."""
    table = settings.HUB_SCHEDULE if table is None else table
    jobs = []
    for name, (expression, command_line) in table.items():
        try:
            jobs.append(Job(name, CronSchedule(expression), tuple(shlex.split(command_line))))
        except ValueError as error:
            raise ValueError(f"HUB_SCHEDULE[{name!r}]: {error}") from None
    return jobs


@dataclass
class Outcome:
    job: Job
    ran: bool
    succeeded: bool = False
    output: str = ""


class Scheduler:
    """Runs the due jobs of a schedule, one at a time, each under its lease."""

    def __init__(self, jobs, *, lease_seconds=None):
        self.jobs = list(jobs)
        self.lease = timedelta(seconds=lease_seconds or settings.HUB_SCHEDULER_LEASE_SECONDS)
        # Unique per scheduler, also for two in one process.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.database_down = False

    def run_due(self, now=None, should_stop=lambda: False):
        """Run every job due at ``now`` (default: the current time) that no other
        scheduler is running; stop between jobs once ``should_stop()`` is true.
        Returns an ``Outcome`` per job looked at."""
        outcomes = []
        for job in self.jobs:
            if should_stop():
                break
            recycle_connections()
            try:
                claimed = self.claim(job, now or timezone.now())
            except DatabaseError:
                if not self.database_down:
                    logger.warning("The database does not answer: scheduled jobs wait until it does")
                self.database_down = True
                break
            if self.database_down:
                logger.info("The database answers again: scheduled jobs run")
                self.database_down = False
            if not claimed:
                outcomes.append(Outcome(job, ran=False))
                continue
            outcomes.append(self.run(job))
        recycle_connections()
        return outcomes

    def claim(self, job, now):
        """Take the job if it is due and no other scheduler holds it: one UPDATE
        whose conditions the database checks and applies at once."""
        from hub.models import ScheduledJob

        record, _ = ScheduledJob.objects.get_or_create(name=job.name)
        if not job.is_due(record.last_started_at, now):
            return False
        not_started_since = Q(last_started_at__isnull=True) | Q(
            last_started_at__lt=job.schedule.previous(now)
        )
        free = Q(running_until__isnull=True) | Q(running_until__lt=now)
        taken = (
            ScheduledJob.objects.filter(pk=record.pk)
            .filter(not_started_since, free)
            .update(
                last_started_at=now,
                running_until=now + self.lease,
                running_on=self.owner,
                last_succeeded=None,
            )
        )
        if not taken:
            logger.info("Scheduled job %s is being run by another scheduler: skipped", job.name)
        return bool(taken)

    def run(self, job):
        output = io.StringIO()
        started = time.monotonic()
        logger.info("Scheduled job %s started: %s", job.name, job.command_line)
        renewing = threading.Event()
        renewer = threading.Thread(target=self._renew_lease, args=(job, renewing), daemon=True)
        renewer.start()
        try:
            call_command(*job.command, stdout=output, stderr=output)
        except (Exception, SystemExit):
            # Logged with its traceback; the scheduler goes on with the next job.
            logger.exception("Scheduled job %s failed after %.1f s", job.name, time.monotonic() - started)
            succeeded = False
            output.write(traceback.format_exc())
        else:
            succeeded = True
            logger.info("Scheduled job %s finished in %.1f s", job.name, time.monotonic() - started)
        finally:
            renewing.set()
            renewer.join()
        printed = output.getvalue()
        if succeeded:
            said = [line.strip() for line in printed.splitlines() if line.strip()]
            for line in said[-20:]:
                logger.info("%s: %s", job.name, line)
        self.release(job, succeeded, printed)
        return Outcome(job, ran=True, succeeded=succeeded, output=printed)

    def release(self, job, succeeded, output):
        from hub.models import ScheduledJob

        recycle_connections()  # the job may have left the connection broken
        try:
            ScheduledJob.objects.filter(name=job.name, running_on=self.owner).update(
                running_until=None,
                last_finished_at=timezone.now(),
                last_succeeded=succeeded,
                last_output=output[-KEEP_OUTPUT_CHARS:],
            )
        except DatabaseError:
            # The lease then expires by itself; the job is not run again before its next time.
            logger.exception("Could not record the end of scheduled job %s", job.name)

    def _renew_lease(self, job, done):
        """While the job runs, keep the lease ahead of the clock (its own
        database connection: this is another thread)."""
        from hub.models import ScheduledJob

        try:
            while not done.wait(self.lease.total_seconds() / 3):
                try:
                    ScheduledJob.objects.filter(name=job.name, running_on=self.owner).update(
                        running_until=timezone.now() + self.lease
                    )
                except DatabaseError:
                    logger.warning("Could not renew the lease of scheduled job %s", job.name)
        finally:
            connection.close()
