from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self):
        from . import documents, indexing, synonyms

        synonyms.connect()
        documents.connect()
        indexing.connect()
