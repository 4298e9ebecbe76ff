"""On PostgreSQL, typo correction looks words up by trigram similarity: the
pg_trgm extension (trusted since PostgreSQL 13, so the database owner may
create it) and a trigram index on the vocabulary. Other databases skip this."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS search_searchword_trgm ON search_searchword USING gin (word gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_searchword_trgm")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_search_log_index_queue_vocabulary")]

    operations = [migrations.RunPython(forwards, backwards)]
