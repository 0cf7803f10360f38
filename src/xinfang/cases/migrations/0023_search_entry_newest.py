"""The month of each search entry's family's newest case (issue 10, docs/search.md, "Slices
by the family's newest month"), also a token of the bigram index, so that a search with many
hits reads the newest months' hits first. Existing entries get NULL (a new column without a
default rewrites nothing) until `xinfang search_reindex` fills them; until then the search
reads every hit, as before."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0022_help_texts_without_rule_ids"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="newest",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                condition=models.Q(("newest__isnull", True)),
                fields=["petition"],
                name="searchentry_unsliced",
            ),
        ),
    ]
