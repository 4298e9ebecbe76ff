"""Search relevance over a judged query set: MRR and nDCG@10.

``python bench/search_relevance.py`` loads the 48 sample resources into a
throwaway database of the configured engine (a test database, created and
dropped like pytest's), runs each query of ``knowledge/data/sample_queries.tsv``
through the hub's resource search, and prints the rank of the first relevant
result per query, MRR and nDCG@10. Graded relevance: the first listed id of a
query counts 3, the second 2, the rest 1.

It measures the hub's search service (search/service.py) on the database
backend, or on OpenSearch when ``OPENSEARCH_URL`` is set (indexes of the
run's own, deleted at the end). Prints MRR, nDCG@10 and recall@10.
"""

import csv
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")

QUERIES = ROOT / "knowledge" / "data" / "sample_queries.tsv"
SAMPLE = ROOT / "knowledge" / "data" / "sample_resources.csv"


def load_queries():
    with QUERIES.open(encoding="utf-8", newline="") as handle:
        return [
            (row["qid"], row["query"], row["relevant_ids"].split(";"))
            for row in csv.DictReader(handle, delimiter="\t")
        ]


def search_resources(query):
    """External ids of the resources the hub's search returns, best first, as
    an anonymous visitor gets them on /search/?q=...&content=resource."""
    from knowledge.models import ResourcePage
    from search.service import Ask, search

    answer = search(Ask(text=query, filters=(("content", ("resource",)),), per_page=10))
    pks = [hit.pk for hit in answer.hits]
    ids = dict(ResourcePage.objects.filter(pk__in=pks).values_list("pk", "external_id"))
    return [ids[pk] for pk in pks if pk in ids]


def recall_at_10(ranked, relevant):
    return len(set(ranked[:10]) & set(relevant)) / len(relevant) if relevant else 0.0


def ndcg_at_10(ranked, relevant):
    gains = {rid: max(1, 3 - i) for i, rid in enumerate(relevant)}
    dcg = sum(gains.get(rid, 0) / math.log2(i + 2) for i, rid in enumerate(ranked[:10]))
    ideal = sorted(gains.values(), reverse=True)[:10]
    idcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def main():
    import django

    django.setup()
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import get_runner, setup_test_environment
    from wagtail.search.backends import get_search_backend

    setup_test_environment()
    engine_url = os.environ.get("OPENSEARCH_URL", "")
    if engine_url:
        # The hub on OpenSearch, in indexes of this run's own.
        import uuid

        settings.WAGTAILSEARCH_BACKENDS = {
            "default": {
                "BACKEND": "search.opensearch",
                "URLS": [engine_url],
                "INDEX_PREFIX": f"hub_relevance_{uuid.uuid4().hex[:8]}_",
            },
            "fallback": {"BACKEND": "wagtail.search.backends.database"},
        }
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        from home.models import HomePage
        from knowledge.importer import ResourceImporter
        from knowledge.models import ResourceIndexPage

        home = HomePage.objects.get()
        library = ResourceIndexPage(title="Resource library", slug="resources")
        home.add_child(instance=library)
        with SAMPLE.open(encoding="utf-8", newline="") as handle:
            ResourceImporter(index_page=library, publish=True).run(handle)

        if engine_url:
            from search.hub_backend import hub_backends

            call_command("update_index", stdout=StringIO())
            for backend in hub_backends():
                for name in backend.index_names():
                    backend.es.indices.refresh(index=name)
        reciprocal_ranks, ndcgs, recalls = [], [], []
        print(f"database: {connection.vendor}; search backend: {get_search_backend().__class__.__name__}")
        print(f"{'qid':<5} {'first relevant rank':>20} {'nDCG@10':>8} {'recall':>7}  query")
        for qid, query, relevant in load_queries():
            ranked = search_resources(query)
            first = next((i + 1 for i, rid in enumerate(ranked) if rid in relevant), None)
            reciprocal_ranks.append(1 / first if first else 0.0)
            ndcgs.append(ndcg_at_10(ranked, relevant))
            recalls.append(recall_at_10(ranked, relevant))
            print(f"{qid:<5} {str(first or '-'):>20} {ndcgs[-1]:>8.2f} {recalls[-1]:>7.2f}  {query[:70]}")
            if os.environ.get("RELEVANCE_VERBOSE"):
                print(f"      ranked {ranked}\n      relevant {relevant}")
        mrr = sum(reciprocal_ranks) / len(reciprocal_ranks)
        print(
            f"\nMRR {mrr:.3f}   nDCG@10 {sum(ndcgs) / len(ndcgs):.3f}   "
            f"recall@10 {sum(recalls) / len(recalls):.3f}"
        )
    finally:
        if engine_url:
            from search.hub_backend import hub_backends

            for backend in hub_backends():
                for name in backend.index_names():
                    backend.es.indices.delete(index=name)
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    main()
