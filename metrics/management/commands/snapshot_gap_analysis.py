from django.core.management.base import BaseCommand, CommandError

from metrics.gaps import take_snapshot
from metrics.periods import last_days


class Command(BaseCommand):
    help = "Save a dated snapshot of the landscape and gap analysis (matrices, demand, freshness)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--label", default="", help="A name for the snapshot, e.g. 'Landscape study 2026'."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=365,
            help="Days of searches and suggestions counted as demand (default 365).",
        )

    def handle(self, *args, **options):
        if not 1 <= options["days"] <= 5 * 366:
            raise CommandError("--days must be between 1 and 1830.")
        snapshot = take_snapshot(last_days(options["days"]), label=options["label"][:200])
        self.stdout.write(
            f"Saved snapshot {snapshot.pk}: {snapshot} ({snapshot.data['resources']} resources)."
        )
