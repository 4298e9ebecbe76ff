from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Hub building blocks"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import m2m_changed
        from wagtail.models import Page
        from wagtail.permissions import register_permission_policy

        from . import audience, cache, privacy, security, spreadsheets
        from .roles import HubPagePermissionPolicy

        register_permission_policy(Page, HubPagePermissionPolicy(Page))
        # Wagtail's CSV exports write no cell a spreadsheet runs as a formula.
        spreadsheets.protect_wagtail_exports()
        cache.connect_purge_signals()
        user_logged_in.connect(security.idle_clock_on_sign_in, dispatch_uid="hub-session-idle-clock")
        audience.connect_signals()
        m2m_changed.connect(
            privacy.forget_user_groups,
            sender=get_user_model().groups.through,
            dispatch_uid="hub-forget-user-groups",
        )
