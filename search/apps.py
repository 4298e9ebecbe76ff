from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self):
        from . import indexing, synonyms

        synonyms.connect()
        indexing.connect()
