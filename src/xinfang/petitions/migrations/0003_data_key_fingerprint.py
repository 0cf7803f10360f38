# Data key fingerprint and per-row key ids (issue 6, "Keys that are checked").

import xinfang.core.keys
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0002_petition_not_accepted_reason'),
    ]

    operations = [
        # Rows already there get "" (written before key ids existed), not the id of whatever
        # key happens to be in the environment while migrating; new rows get the key in use.
        migrations.AddField(
            model_name='petitioner',
            name='key_id',
            field=models.CharField(blank=True, db_index=True, default='', editable=False, max_length=16),
        ),
        migrations.AlterField(
            model_name='petitioner',
            name='key_id',
            field=models.CharField(blank=True, db_index=True, default=xinfang.core.keys.current_key_id, editable=False, max_length=16),
        ),
        migrations.CreateModel(
            name='DataKeyFingerprint',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('fingerprint', models.CharField(max_length=64, verbose_name='密钥指纹')),
                ('next_fingerprint', models.CharField(blank=True, max_length=64, verbose_name='轮换中的新密钥指纹')),
                ('recorded_at', models.DateTimeField(verbose_name='登记时间')),
            ],
            options={
                'verbose_name': '数据密钥指纹',
                'verbose_name_plural': '数据密钥指纹',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='data_key_fingerprint_one_row')],
            },
        ),
    ]
