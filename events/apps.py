from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self):
        from django.db.models.signals import pre_save

        from hub.forms import normalise_stored_email

        from . import signals
        from .models import EventRegistration

        signals.connect()
        # Addresses are stored in the one normalised form (hub.forms.normalise_email).
        pre_save.connect(
            normalise_stored_email, sender=EventRegistration, dispatch_uid="normalise-email-registration"
        )
