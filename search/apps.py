from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self):
        from . import indexing, promotions, synonyms

        synonyms.connect()
        promotions.connect()
        indexing.connect()
