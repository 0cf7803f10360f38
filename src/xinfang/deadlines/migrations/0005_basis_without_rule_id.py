"""The 1987 rule set's basis as seeded ended with its rule's ID, "（R-CLOSE-1）", which the
administrator's rule-set page showed: the stored text now ends without it (no rule ID on a
page; the rule is cited in the code, deadlines/clocks.py)."""

from django.db import migrations

OLD = "一般应在三个月之内报结（R-CLOSE-1）。"
NEW = "一般应在三个月之内报结。"


def strip_rule_id(apps, schema_editor):  # type: ignore[no-untyped-def]
    ClockRule = apps.get_model("deadlines", "ClockRule")
    for rule in ClockRule.objects.filter(legal_basis__contains=OLD):
        rule.legal_basis = rule.legal_basis.replace(OLD, NEW)
        rule.save(update_fields=["legal_basis"])


def put_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    ClockRule = apps.get_model("deadlines", "ClockRule")
    for rule in ClockRule.objects.filter(legal_basis__contains=NEW):
        rule.legal_basis = rule.legal_basis.replace(NEW, OLD)
        rule.save(update_fields=["legal_basis"])


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0004_moved_to_cases")]

    operations = [migrations.RunPython(strip_rule_id, put_back)]
