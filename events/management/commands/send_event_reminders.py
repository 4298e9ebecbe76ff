from django.core.management.base import BaseCommand

from events.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "E-mail the reminders that are due: a day and an hour before each event, to the people "
        "with a confirmed place who chose them. Run it every 5 to 10 minutes (cron); each "
        "reminder is sent once, however often it runs."
    )

    def handle(self, *args, **options):
        run = send_due_reminders()
        for address, reason in run.failures:
            self.stderr.write(f"Could not send the reminder to {address}: {reason}")
        self.stdout.write(run.summary())
