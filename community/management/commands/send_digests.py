from django.core.management.base import BaseCommand

from community.digest import build_digests, send_due_digests


class Command(BaseCommand):
    help = (
        "E-mail each member whose news digest is due what is new in the topics, working groups and "
        "partner communities they follow. Run it every hour from cron; running it twice sends nothing "
        "twice, and a member with nothing new gets no e-mail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the digests that would go; send nothing and record nothing.",
        )

    def handle(self, *args, **options):
        if options["dry_run"]:
            digests = build_digests()
            items = sum(len(digest.keys) for digest in digests)
            self.stdout.write(f"{len(digests)} digests would go, with {items} items in all.")
            return
        run = send_due_digests()
        for address, reason in run.failures:
            self.stderr.write(f"Could not send the news digest to {address}: {reason}")
        self.stdout.write(run.summary())
