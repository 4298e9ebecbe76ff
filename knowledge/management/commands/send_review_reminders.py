import argparse
import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from knowledge.review_cycle import REMINDER_WINDOW_DAYS, send_review_reminders


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2025-03-31.") from None


def day_count(value):
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days, 0 or more.")
    return int(value)


class Command(BaseCommand):
    help = (
        "E-mail the owners of live resources due for review (or overdue), and every Editor, "
        "one e-mail each listing their resources. Safe to run more than once a day: "
        "a resource is reminded about once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=day_count,
            default=REMINDER_WINDOW_DAYS,
            help=f"Remind about reviews due within this many days (default {REMINDER_WINDOW_DAYS}).",
        )
        parser.add_argument(
            "--today", type=iso_date, default=None, help="Run as if today were this date (YYYY-MM-DD)."
        )

    def handle(self, *args, **options):
        today = options["today"] or timezone.localdate()
        run = send_review_reminders(today, within_days=options["days"])
        for page in run.unreachable:
            self.stderr.write(
                f"Nobody to remind about “{page.title}”: it has no owner with an e-mail address "
                "and no active Editor has one."
            )
        for address, reason in run.failures:
            self.stderr.write(f"Could not send the reminder to {address}: {reason}")
        self.stdout.write(run.summary())
