"""Each search entry's family root (issue 10, docs/search.md, "The family in the entry"): the
first case of the family the petition's case belongs to, so that a search's hits give their
families without reading each hit's petition and case. Filled here for the entries already
written, in one statement (on the 1,000,000-case SQLite database: see docs/search.md); the
code writes it from now on with the department tags."""

from typing import Any

from django.db import migrations, models

# The petition's case's root, or the case itself (cases/family.py): one value per entry.
FILL = {
    "sqlite": (
        "UPDATE cases_searchentry SET family = ("
        "SELECT COALESCE(c.root_id, c.id) FROM petitions_petition p "
        "JOIN cases_case c ON c.id = p.case_id WHERE p.id = cases_searchentry.petition_id)"
    ),
    "postgresql": (
        "UPDATE cases_searchentry se SET family = COALESCE(c.root_id, c.id) "
        "FROM petitions_petition p JOIN cases_case c ON c.id = p.case_id "
        "WHERE p.id = se.petition_id"
    ),
}


def fill_families(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(FILL[schema_editor.connection.vendor])


# SQLite: the family beside the petition's id in an index of its own, which a query of two
# characters (its hits are the index's answer, nothing to verify) reads alone. In the
# table the family comes after the letter's text, and reaching it meant reading the long
# letters' overflow pages: 工资's 110,595 protected hits at 1,000,000 cases, 305 -> 108 ms.
# SQLite's planner prefers the primary key's own index, so the search names this one
# (`INDEXED BY`, cases/search.py). PostgreSQL keeps long text out of the row (TOAST), and
# its index scan reads the row anyway: nothing to add there.
FAMILY_INDEX = "searchentry_family"
# SQLite: a query of three characters or more verifies its candidates on the public text;
# with the text and the family in one index, a public hit is one look-up, not the primary
# key's index and then the row (小舅子's 15,529 public hits at 1,000,000 cases, 65 -> 37
# ms). 137 MB there (the file: 10.9 GB). Not for two characters: wider, it read their
# families more slowly than FAMILY_INDEX (工资's public hits 44 against 58 ms).
PUBLIC_INDEX = "searchentry_public"


def add_family_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX {FAMILY_INDEX} ON cases_searchentry (petition_id, family)"
        )
        schema_editor.execute(
            f"CREATE INDEX {PUBLIC_INDEX} ON cases_searchentry (petition_id, family, public_text)"
        )


def drop_family_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {FAMILY_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {PUBLIC_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_case_sent_down_registered"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="family",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(fill_families, migrations.RunPython.noop),
        migrations.RunPython(add_family_index, drop_family_index),
    ]
