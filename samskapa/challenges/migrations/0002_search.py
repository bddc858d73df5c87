"""Full-text search over challenges (see challenges/search.py).

Both databases get `search_stems` (used on SQLite). PostgreSQL also gets the tsvector column
`search_vector` with a GIN index; it is not a model field, since SQLite has no tsvector type, so
it is added here with SQL that runs on PostgreSQL only. Existing challenges are indexed by
`manage.py reindex_challenges`.
"""

from django.db import migrations, models

TABLE = "challenges_challenge"


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector")
    schema_editor.execute(
        f"CREATE INDEX challenges_challenge_search_vector ON {TABLE} USING gin (search_vector)"
    )


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):

    dependencies = [
        ("challenges", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="challenge",
            name="search_stems",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(add_search_vector, drop_search_vector, elidable=False),
    ]
