import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from hub.scheduler import Scheduler, load_schedule


class Command(BaseCommand):
    help = (
        "Run the hub's periodic jobs (HUB_SCHEDULE) on their schedule, one at a time, until stopped "
        "with SIGTERM or Ctrl-C (the job running then finishes first). --once runs the jobs due now "
        "and exits; --list prints the schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job that is due now, then exit.")
        parser.add_argument("--list", action="store_true", help="Print the schedule and exit.")
        parser.add_argument(
            "--skip",
            nargs="+",
            default=[],
            metavar="JOB",
            help="Leave these jobs of HUB_SCHEDULE out (for example on a host with no outside network).",
        )

    def handle(self, *args, **options):
        try:
            jobs = load_schedule()
        except ValueError as error:
            raise CommandError(str(error)) from None
        unknown = set(options["skip"]) - {job.name for job in jobs}
        if unknown:
            raise CommandError(f"No job called {', '.join(sorted(unknown))} in HUB_SCHEDULE.")
        jobs = [job for job in jobs if job.name not in options["skip"]]
        if options["list"]:
            return self.list_jobs(jobs)
        scheduler = Scheduler(jobs)
        if options["once"]:
            outcomes = scheduler.run_due()
            if scheduler.database_down:
                raise CommandError("The database does not answer: no job was run.")
            failed = [outcome.job.name for outcome in outcomes if outcome.ran and not outcome.succeeded]
            ran = sum(outcome.ran for outcome in outcomes)
            self.stdout.write(f"Ran {ran} due jobs" + (f"; failed: {', '.join(failed)}" if failed else "."))
            return
        self.run_until_stopped(scheduler)

    def run_until_stopped(self, scheduler):
        stop = threading.Event()

        def ask_to_stop(signum, frame):
            # The job running now finishes; a second signal stops at once.
            stop.set()
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            self.stdout.write(f"{signal.Signals(signum).name}: stopping after the job running now.")

        previous = {name: signal.signal(name, ask_to_stop) for name in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"Scheduler started with {len(scheduler.jobs)} jobs ({scheduler.owner}).")
        try:
            while not stop.is_set():
                scheduler.run_due(should_stop=stop.is_set)
                # Cron times are whole minutes: look again just after the next one begins.
                stop.wait(60.5 - timezone.now().second)
        finally:
            for name, handler in previous.items():
                signal.signal(name, handler)
        self.stdout.write("Scheduler stopped.")

    def list_jobs(self, jobs):
        from hub.models import ScheduledJob

        try:
            records = {record.name: record for record in ScheduledJob.objects.all()}
        except DatabaseError:
            records = {}
        now = timezone.now()
        for job in jobs:
            record = records.get(job.name)
            last = "never run"
            if record and record.last_started_at:
                result = {True: "succeeded", False: "failed", None: "did not finish"}[record.last_succeeded]
                if record.running_until and record.running_until > now:
                    result = f"running on {record.running_on}"
                last = f"last {timezone.localtime(record.last_started_at):%Y-%m-%d %H:%M} {result}"
            due = job.is_due(record.last_started_at if record else None, now)
            upcoming = (
                "due now" if due else f"next {timezone.localtime(job.schedule.following(now)):%Y-%m-%d %H:%M}"
            )
            self.stdout.write(f"{job.name:<24} {job.schedule!s:<14} {job.command_line}")
            self.stdout.write(f"{'':<24} {upcoming}; {last}")
