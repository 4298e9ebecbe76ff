from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from hub.forms import normalise_stored_email

        from . import personal_parts  # noqa: F401  (registers the community's personal parts)
        from .follows import connect_person_changes

        connect_person_changes()
        from .models import MembershipApplication

        # Addresses are stored in the one normalised form (hub.forms.normalise_email).
        for model in (get_user_model(), MembershipApplication):
            pre_save.connect(
                normalise_stored_email, sender=model, dispatch_uid=f"normalise-email-{model._meta.label}"
            )
