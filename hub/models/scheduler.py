from django.db import models


class ScheduledJob(models.Model):
    """One periodic job of the hub's scheduler (``manage.py run_scheduler``):
    when it last ran, how that went, and which scheduler is running it now.

    ``running_until`` is a lease: a scheduler takes a job by setting it, in one
    conditional UPDATE, only while nobody else holds it and only if the job is
    still due, so two schedulers started by mistake never run the same job at
    the same time nor twice for the same scheduled time (hub/scheduler.py)."""

    name = models.CharField(max_length=100, unique=True, help_text="The job's name in HUB_SCHEDULE.")
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_succeeded = models.BooleanField(null=True, blank=True)
    last_output = models.TextField(
        blank=True, help_text="The end of what the last run printed, or its traceback when it failed."
    )
    running_until = models.DateTimeField(
        null=True, blank=True, help_text="While set and in the future, a scheduler is running the job."
    )
    running_on = models.CharField(
        max_length=200,
        blank=True,
        help_text="The scheduler (host, process) running the job, or that last ran it.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "scheduled job"

    def __str__(self):
        return self.name
