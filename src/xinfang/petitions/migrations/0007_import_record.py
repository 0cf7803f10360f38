"""Import records (docs/imports.md): source and external id, unique, so a rerun adds nothing."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0006_import_petitioner_account"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportedPetition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(max_length=60, verbose_name="来源")),
                ("external_id", models.CharField(max_length=100, verbose_name="原编号")),
                (
                    "received_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="收到时间"),
                ),
                ("row_number", models.PositiveIntegerField(verbose_name="行号")),
                ("imported_at", models.DateTimeField(verbose_name="导入时间")),
                (
                    "petition",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="imported_from",
                        to="petitions.petition",
                        verbose_name="来信来访",
                    ),
                ),
            ],
            options={
                "verbose_name": "导入记录",
                "verbose_name_plural": "导入记录",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "external_id"), name="importedpetition_source_external_id"
                    )
                ],
            },
        ),
    ]
