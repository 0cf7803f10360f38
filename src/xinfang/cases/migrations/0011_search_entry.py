# The search index of issue 10 (cases/search.py, docs/search.md). Existing petitions are
# indexed by `xinfang search_reindex`, not here: a migration does not run the application's
# preparation code, which may change after it is written.

import django.db.models.deletion
from django.db import migrations, models


def create_bigram_index(apps, schema_editor):
    """The part of the index Django does not model: an FTS5 table on SQLite (contentless,
    rowids only: the text is kept once, in cases_searchentry), a stripped tsvector column
    with a GIN index on PostgreSQL. Both hold the bigram tokens cases/search.py writes."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE cases_searchfts USING fts5("
            "tokens, content='', detail='none', tokenize='unicode61')"
        )
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_searchentry ADD COLUMN tokens tsvector")
        schema_editor.execute(
            "CREATE INDEX cases_searchentry_tokens ON cases_searchentry USING gin (tokens)"
        )
    else:  # pragma: no cover - the project runs on these two engines only
        raise RuntimeError("search index: SQLite or PostgreSQL only")


def drop_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS cases_searchfts")
    # On PostgreSQL the column goes with the table.


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_open_cases_due_index"),
        ("petitions", "0004_concerned_cadre"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "petition",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="petitions.petition",
                    ),
                ),
                ("public_text", models.TextField()),
                ("protected_text", models.TextField()),
                ("version", models.PositiveSmallIntegerField(default=1)),
            ],
            options={
                "verbose_name": "检索索引",
                "verbose_name_plural": "检索索引",
            },
        ),
        migrations.RunPython(create_bigram_index, drop_bigram_index),
    ]
