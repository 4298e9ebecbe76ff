from django.core.management.base import BaseCommand

from community.partners.feeds_in import fetch_all


class Command(BaseCommand):
    help = (
        "Read every partner community's RSS/Atom and iCal feeds and store their items as partner "
        "updates. Each feed's result is recorded (Partners → Feed results in the admin). Run from cron."
    )

    def handle(self, *args, **options):
        results = fetch_all(stdout=self.stdout)
        failed = sum(1 for r in results if not r.succeeded)
        self.stdout.write(f"{len(results)} feeds read, {len(results) - failed} succeeded, {failed} failed.")
