"""A backup made with ``pg_dump -Fc`` restores into a new database with
``pg_restore``, and the hub serves from it: the home page, a resource page
and search find what was there when the backup was taken.

Everything happens in databases of the test's own, made and dropped here with
PostgreSQL's own client programs: a source database (a copy of the migrated
test database, quicker than migrating again, then given content with the
factories), its backup, and the database restored from that backup. The
source is dropped before the restored database is served, so what the hub
shows can only come from the backup."""

import os
import shutil
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from wagtail.models import Page, Site

from home.factories import StandardPageFactory
from home.models import HomePageFeaturedItem
from hub.models import Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory

on_postgresql = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.skipif(
        not on_postgresql,
        reason="pg_dump and pg_restore back up PostgreSQL: this test runs when DATABASE_URL is a "
        "PostgreSQL database, as in CI",
    ),
    # The programs read what is committed; the migrations' rows are put back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def postgres(program, *arguments):
    """Run one of PostgreSQL's client programs against the test's server."""
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"{program} is not installed: install PostgreSQL's client programs (postgresql-client)")
    own = connection.settings_dict
    environment = {
        **os.environ,
        "PGHOST": own["HOST"] or "127.0.0.1",
        "PGPORT": str(own["PORT"] or 5432),
        "PGUSER": own["USER"] or "postgres",
    }
    if own["PASSWORD"]:
        environment["PGPASSWORD"] = own["PASSWORD"]
    finished = subprocess.run(
        [path, *arguments], env=environment, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, f"{program} {' '.join(arguments)}: {finished.stderr}"
    return finished


@contextmanager
def django_on(database_name):
    """Django's connection, and so the whole hub, on another database."""
    saved = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = database_name
    cache.clear()  # pages, routes and the site cached from another database
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved
        cache.clear()


def test_a_pg_dump_backup_restores_into_a_new_database_that_serves_the_hub(client, tmp_path: Path):
    started = time.monotonic()
    prefix = f"hub_backup_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    source, restored = f"{prefix}_source", f"{prefix}_restored"
    migrated, backup = tmp_path / "migrated.dump", tmp_path / "hub.dump"
    test_database = connection.settings_dict["NAME"]
    try:
        # A migrated database of its own.
        postgres("pg_dump", "--format=custom", f"--file={migrated}", test_database)
        postgres("createdb", source)
        postgres("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={source}", str(migrated))

        with django_on(source):
            home = Site.objects.get(is_default_site=True).root_page.specific
            library = ResourceIndexPageFactory(parent=home)
            library.save_revision().publish()
            resource = ResourcePageFactory(
                parent=library,
                title="Crisis Services Toolkit",
                summary="How a community mental health center sets up mobile crisis teams.",
            )
            resource.topics.set(Topic.objects.order_by("pk")[:1])
            resource.save_revision().publish()
            home.mission_heading = "Equitable care, backed up every night"
            home.featured_items = [HomePageFeaturedItem(page=resource)]
            home.save_revision().publish()
            resource_url = resource.url
            pages_in_source = Page.objects.count()

        # The backup, then the original is gone.
        postgres("pg_dump", "--format=custom", f"--file={backup}", source)
        postgres("dropdb", "--force", source)
        assert backup.stat().st_size > 0

        postgres("createdb", restored)
        postgres(
            "pg_restore", "--no-owner", "--exit-on-error", "--jobs=2", f"--dbname={restored}", str(backup)
        )

        with django_on(restored):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_database()")
                assert cursor.fetchone()[0] == restored
            assert Page.objects.count() == pages_in_source

            home_response = client.get("/")
            assert home_response.status_code == 200
            home_html = home_response.content.decode()
            assert "Equitable care, backed up every night" in home_html
            assert "Featured resources" in home_html and "Crisis Services Toolkit" in home_html

            page = client.get(resource_url)
            assert page.status_code == 200
            html = page.content.decode()
            assert "Crisis Services Toolkit" in html
            assert "How a community mental health center sets up mobile crisis teams." in html

            # The search index is in the database too.
            found = client.get("/search/?q=crisis+toolkit")
            assert found.status_code == 200
            assert "Crisis Services Toolkit" in found.content.decode()

            # The id sequences came back with the rows: a new page takes a free id.
            restored_home = Site.objects.get(is_default_site=True).root_page.specific
            added = StandardPageFactory(parent=restored_home, title="Written after the restore")
            added.save_revision().publish()
            assert client.get(added.url).status_code == 200
    finally:
        postgres("dropdb", "--if-exists", "--force", source)
        postgres("dropdb", "--if-exists", "--force", restored)

    assert not postgres(
        "psql",
        "--tuples-only",
        "--no-align",
        "--dbname=postgres",
        "--command",
        f"SELECT datname FROM pg_database WHERE datname LIKE '{prefix}%'",
    ).stdout.strip()
    # Printed, not asserted: how long a backup and restore of a small hub takes here.
    print(f"backup and restore test: {time.monotonic() - started:.1f} s")
