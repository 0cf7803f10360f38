"""下级报结待审核 (R-CLOSE-6) from the sender's pending reports alone (issue 10): a partial
index of the assignments reported and not yet accepted, by sending department. At 300,000
cases the busiest county's count read 802 buffers of assignments (every one it sent) before,
9 after (docs/benchmarks.md, "The department's own queues")."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0016_case_sent_down_by'),
        ('orgs', '0002_referral_department_kinds'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('accepted_at__isnull', True), ('reported_at__isnull', False)), fields=['from_department'], include=('case_id',), name='assignment_reported_pending'),
        ),
    ]
