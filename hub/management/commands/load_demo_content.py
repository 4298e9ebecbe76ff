import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

# Each capability of the hub adds its loader here, in the order they depend on
# each other. Every loader is idempotent: it finds what exists before creating.
LOADERS = [
    "hub.demo.load",
    "home.demo.load",
    "knowledge.demo.load",
    "knowledge.demo_workflow.load",
    "events.demo.load",
    "community.demo.load",
    "community.partners.demo.load",
    "metrics.demo.load",
]


class Command(BaseCommand):
    help = "Fill the hub with realistic demo content and demo accounts. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with production settings (the demo accounts have public passwords).",
        )

    def handle(self, *args, **options):
        module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if module.endswith("production") and not options["allow_production"]:
            raise CommandError(
                "Refusing to load demo content with production settings: demo accounts have "
                "public passwords. Pass --allow-production if this really is a throwaway server."
            )
        with transaction.atomic():
            for path in LOADERS:
                import_string(path)(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
