"""The search entries' department tags (issue 10, docs/search.md, "Department tags"): the
departments holding a case of each petition's family, also written as tokens of the bigram
index, so a department's own staff ask the index for the hits in their families only.
Existing entries are marked untagged until `xinfang search_reindex` tags them; until then
the search reads them as before, without the tags."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0017_assignment_reported_pending"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="departments",
            field=models.TextField(blank=True, default=""),
        ),
        # Existing rows get False (not yet tagged); rows written from now on say True.
        migrations.AddField(
            model_name="searchentry",
            name="tagged",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="searchentry",
            name="tagged",
            field=models.BooleanField(default=True),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                condition=models.Q(("tagged", False)),
                fields=["petition"],
                name="searchentry_untagged",
            ),
        ),
    ]
