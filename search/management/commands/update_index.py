"""``manage.py update_index``: Wagtail's index rebuild, plus what Elasticsearch
needs beside the documents.

After rebuilding every configured backend (Wagtail's command), it pushes the
editors' synonym list to the Elasticsearch synonyms set and empties the queue
of index writes that failed during an outage: the rebuild has just indexed
everything as it is in the database. ``--queued`` only retries that queue,
which is quicker than a rebuild after a short outage.

The ``search`` app is listed before ``wagtail.search`` in INSTALLED_APPS, so
Django runs this command for ``update_index``.
"""

from django.core.management.base import CommandError
from django.utils import timezone
from modelsearch.backends import get_search_backend
from modelsearch.conf import get_app_config
from wagtail.search.management.commands.update_index import Command as WagtailUpdateIndexCommand

from search.elasticsearch import SEARCH_UNAVAILABLE_ERRORS, HubBackendMixin, hub_backends, push_synonyms
from search.indexing import retry
from search.models import IndexQueueItem


class Command(WagtailUpdateIndexCommand):
    help = (
        "Rebuild the search indexes, update the Elasticsearch synonyms set and clear the queue of "
        "index writes that failed while Elasticsearch was unreachable. With --queued, only retry that queue."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--queued",
            action="store_true",
            help="Only retry the index writes queued while Elasticsearch was unreachable.",
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
                push_synonyms(backend)
                self.write(f"Synonyms set {backend.synonyms_set} updated")
        except SEARCH_UNAVAILABLE_ERRORS as error:
            raise CommandError(
                f"Elasticsearch could not be updated ({error}). Nothing was lost: the database holds "
                f"every page and {IndexQueueItem.objects.count()} index writes stay queued. "
                "Run update_index again when Elasticsearch answers."
            ) from error

        if rebuilt and not options["schema_only"]:
            cleared, _ = IndexQueueItem.objects.filter(last_attempt_at__lt=started).delete()
            self.write(f"Queued index writes now in the index: {cleared}")

        if not options["schema_only"]:
            from search.vocabulary import rebuild

            rebuild()
            self.write("Typo-correction vocabulary rebuilt from the index")

    def retry_queue(self):
        backends = hub_backends()
        if not backends:
            self.write(
                f"No Elasticsearch backend is configured; {IndexQueueItem.objects.count()} writes are queued."
            )
            return
        indexed, still_queued = retry(backends)
        self.write(f"Indexed {indexed} queued writes; {still_queued} still failing and kept in the queue.")
        if still_queued:
            latest = IndexQueueItem.objects.order_by("-last_attempt_at").first()
            self.write(f"Latest error: {latest.last_error}")


def get_backend_names():
    return list(get_app_config().get_search_backend_config())
