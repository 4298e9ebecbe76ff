from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self):
        from . import documents, indexing, promotions, synonyms

        synonyms.connect()
        promotions.connect()
        documents.connect()
        indexing.connect()
