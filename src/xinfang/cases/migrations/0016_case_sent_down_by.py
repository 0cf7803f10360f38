"""The department that sent a case down, on the case (issue 10): the sender's open children
become a few ranges of one index instead of every assignment it ever sent, each child looked
up by id (docs/benchmarks.md, "The department's own queues").

The column is filled from the assignments: a child's sender is its assignment's
from_department (a child is created only by `_send_down`, with its assignment). One
UPDATE, the same on SQLite and PostgreSQL, after the index is built, not before: updated
in the same transaction without the index, PostgreSQL's rows became heap-only tuples (the
column indexed nowhere yet), and an index built over such chains is marked `indcheckxmin`
and is not used by any transaction while one older than it runs (seen on a scratch copy
with a long generation running in another database: the new index unused, a sequential
scan instead). With the index there first, the UPDATE writes its entries as it goes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = """
UPDATE cases_case
SET sent_down_by_id = (
    SELECT a.from_department_id FROM cases_assignment a WHERE a.child_id = cases_case.id
)
WHERE id IN (SELECT child_id FROM cases_assignment)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0015_key_figures_covering'),
        ('orgs', '0002_referral_department_kinds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='sent_down_by',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.department', verbose_name='交办转办部门'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('sent_down_by__isnull', False)), fields=['sent_down_by', 'state'], include=('id',), name='case_sent_down_state'),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=False),
    ]
