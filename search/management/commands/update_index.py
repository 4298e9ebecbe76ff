"""``manage.py update_index``: Wagtail's index rebuild, plus what the search
engine (OpenSearch or Elasticsearch) needs beside the documents.

After rebuilding every configured backend (Wagtail's command: a new index
per backend, filled, then swapped in behind the alias), it gives the engine's
analyzer the editors' synonym list (Elasticsearch: the synonyms set;
OpenSearch: new indexes already have it) and empties the queue of index
writes that failed during an outage: the rebuild has just indexed everything
as it is in the database. ``--queued`` only retries that queue, which is
quicker than a rebuild after a short outage.

The ``search`` app is listed before ``wagtail.search`` in INSTALLED_APPS, so
Django runs this command for ``update_index``.
"""

from django.core.management.base import CommandError
from django.utils import timezone
from modelsearch.backends import get_search_backend
from modelsearch.conf import get_app_config
from wagtail.search.management.commands.update_index import Command as WagtailUpdateIndexCommand

from search.hub_backend import SEARCH_UNAVAILABLE_ERRORS, HubBackendMixin, hub_backends
from search.indexing import retry
from search.models import IndexQueueItem


class Command(WagtailUpdateIndexCommand):
    help = (
        "Rebuild the search indexes, give the search engine the synonym list and clear the queue of "
        "index writes that failed while the engine was unreachable. With --queued, only retry that queue."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--queued",
            action="store_true",
            help="Only retry the index writes queued while the search engine was unreachable.",
        )

    def handle(self, **options):
        self.verbosity = options["verbosity"]
        if options["queued"]:
            return self.retry_queue()

        names = [options["backend_name"]] if options["backend_name"] else get_backend_names()
        rebuilt = [
            backend for backend in map(get_search_backend, names) if isinstance(backend, HubBackendMixin)
        ]
        started = timezone.now()
        try:
            super().handle(**options)
            for backend in rebuilt:
                backend.push_synonyms()
                self.write(f"{backend.synonyms_label} updated")
        except SEARCH_UNAVAILABLE_ERRORS as error:
            raise CommandError(
                f"The search engine could not be updated ({error}). Nothing was lost: the database holds "
                f"every page and {IndexQueueItem.objects.count()} index writes stay queued. "
                "Run update_index again when the engine answers."
            ) from error

        if rebuilt and not options["schema_only"]:
            cleared, _ = IndexQueueItem.objects.filter(last_attempt_at__lt=started).delete()
            self.write(f"Queued index writes now in the index: {cleared}")

        from search import vocabulary

        if not options["schema_only"] and vocabulary.in_use():
            vocabulary.rebuild()
            self.write("Typo-correction vocabulary rebuilt from the pages")

    def retry_queue(self):
        backends = hub_backends()
        if not backends:
            self.write(
                f"No search engine backend is configured; {IndexQueueItem.objects.count()} writes are queued."
            )
            return
        indexed, still_queued = retry(backends)
        self.write(f"Indexed {indexed} queued writes; {still_queued} still failing and kept in the queue.")
        if still_queued:
            latest = IndexQueueItem.objects.order_by("-last_attempt_at").first()
            self.write(f"Latest error: {latest.last_error}")


def get_backend_names():
    return list(get_app_config().get_search_backend_config())
