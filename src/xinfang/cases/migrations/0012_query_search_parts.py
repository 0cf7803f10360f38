# The search index's tokens now carry their part (cases/search.py, VERSION 2): entries of
# version 1 would answer no query of the new form, so the index is emptied here and rebuilt
# by `xinfang search_reindex` after migrating (docs/search.md, "Rebuilding"). A migration
# does not run the preparation itself: it may change after the migration is written.

from django.db import migrations


def empty_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("INSERT INTO cases_searchfts(cases_searchfts) VALUES ('delete-all')")
    apps.get_model("cases", "SearchEntry").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0011_search_entry"),
    ]

    operations = [
        migrations.RunPython(empty_index, migrations.RunPython.noop),
    ]
