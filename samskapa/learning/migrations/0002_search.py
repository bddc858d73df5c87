"""Full-text search over lessons (see learning/search.py): on PostgreSQL a tsvector column
`search_vector` with a GIN index, added with SQL that runs on PostgreSQL only (SQLite uses the
model's `search_stems`), as for challenges."""

from django.db import migrations

TABLE = "learning_lesson"


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector")
    schema_editor.execute(
        f"CREATE INDEX learning_lesson_search_vector ON {TABLE} USING gin (search_vector)"
    )


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(add_search_vector, drop_search_vector, elidable=False)]
