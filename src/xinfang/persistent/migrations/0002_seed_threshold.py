"""The default criterion of a long-standing petitioner (R-REPEAT-1): three or more petitions
by one petitioner on one matter within six months (183 days); the administrator edits it."""

from django.db import migrations


def seed(apps, schema_editor):
    Threshold = apps.get_model("persistent", "Threshold")
    if not Threshold.objects.exists():
        Threshold.objects.create(
            name="半年内同一事项信访三次以上",
            basis="case",
            min_petitions=3,
            window_days=183,
            is_active=True,
        )


def unseed(apps, schema_editor):
    apps.get_model("persistent", "Threshold").objects.filter(
        name="半年内同一事项信访三次以上"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("persistent", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
