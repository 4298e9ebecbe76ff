from django.core.management.base import BaseCommand

from metrics.counting import flush


class Command(BaseCommand):
    help = (
        "Write the page view and download counts kept in the cache to the database. "
        "Run from cron every few minutes when the cache is Redis; requests also flush at most once a minute."
    )

    def handle(self, *args, **options):
        written = flush()
        self.stdout.write(f"Wrote {written} views and downloads.")
