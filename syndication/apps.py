from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "syndication"
    verbose_name = "Feeds, API and embeds for partners"

    def ready(self):
        from . import api

        api.declare_api_fields()
