from django.core.management.base import BaseCommand

from community.partners.links import check_all


class Command(BaseCommand):
    help = (
        "Check the external links of live resources and partner pages (timeouts, redirects, 4xx/5xx). "
        "Broken ones are listed in the admin under Partners → Broken links. Run from cron, e.g. weekly."
    )

    def handle(self, *args, **options):
        results = check_all(stdout=self.stdout)
        broken = sum(1 for r in results if r.is_broken)
        self.stdout.write(f"{len(results)} links checked, {broken} broken.")
