from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Hub building blocks"

    def ready(self):
        from . import cache

        cache.connect_purge_signals()
