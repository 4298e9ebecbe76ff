#!/usr/bin/env python
"""Time a full ``manage.py update_index`` of the search engine over what the database holds.

A measurement, not a test. Needs OPENSEARCH_URL (or ELASTICSEARCH_URL) and, for
the issue's figure, a library of 10,000 generated resources and 2,000 events:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench OPENSEARCH_URL=http://127.0.0.1:9250
    .venv/bin/python bench/index_engine.py \\
        --setup bench.generate_resources:ensure_10k events.bench:ensure_2000

The setup hooks run first with the database backend only (so the import is not
also timed against the engine); then ``update_index --backend default`` is
timed, and the documents in each of the engine's indexes are counted.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ENGINE_VARIABLES = ("OPENSEARCH_URL", "ELASTICSEARCH_URL")

SETUP_HOOK = """
import sys, time, django
django.setup()
from django.utils.module_loading import import_string
started = time.perf_counter()
import_string(sys.argv[1].replace(":", "."))()
print(f"{sys.argv[1]}: {time.perf_counter() - started:.1f} s")
# Fresh planner statistics after bulk data (see bench/run.py).
from django.db import connection
if connection.vendor == "postgresql":
    connection.cursor().execute("ANALYZE")
"""

COUNT = """
import django
django.setup()
from knowledge.models import ResourcePage
from events.models import EventPage
from modelsearch.backends import get_search_backend
backend = get_search_backend("default")
backend.refresh_indexes()
resources, events = ResourcePage.objects.live().count(), EventPage.objects.live().count()
print(f"database: {resources} live resources, {events} live events")
for name in sorted(backend.es.indices.get(index=backend.index_prefix + "*")):
    count = backend.es.count(index=name)["count"]
    print(f"index {name}: {count} documents")
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--setup", nargs="+", default=[], metavar="MODULE:FUNC", help="callables that add data"
    )
    args = parser.parse_args()
    if not any(os.environ.get(name) for name in ENGINE_VARIABLES):
        sys.exit("Set OPENSEARCH_URL (or ELASTICSEARCH_URL): this times the search engine's index rebuild.")
    engine_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hub.settings.dev"}
    database_env = {k: v for k, v in engine_env.items() if k not in ENGINE_VARIABLES}

    for spec in args.setup:
        subprocess.run([PY, "-c", SETUP_HOOK, spec], cwd=ROOT, env=database_env, check=True)

    started = time.perf_counter()
    subprocess.run(
        [PY, "manage.py", "update_index", "--backend", "default", "-v0"], cwd=ROOT, env=engine_env, check=True
    )
    seconds = time.perf_counter() - started
    subprocess.run([PY, "-c", COUNT], cwd=ROOT, env=engine_env, check=True)
    print(f"full update_index of the engine: {seconds:.1f} s")


if __name__ == "__main__":
    main()
