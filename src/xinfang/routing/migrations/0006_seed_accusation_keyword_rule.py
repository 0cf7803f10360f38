"""Seed the keyword rule of issue 11 item 4: an accusation describing bribery or embezzlement
is suggested to the discipline commission whatever category the registrar picked (R-ROUTE-6;
the registrar confirms). Administrators edit or disable it in the admin."""

from django.db import migrations

ACCUSATION_RULE = {
    "topic": "检举贪污受贿等职务违法犯罪问题",
    "keywords": "受贿、贪污、挪用、索贿、行贿、侵吞、私分国有资产",
    "nature": "accusation",
    "any_category": True,
    "department_kind": "discipline",
    "explanation": "您检举的贪污、受贿、挪用等问题，依照规定由纪检监察机关受理和调查，"
    "我们已转请纪委监委办理，请向其了解办理情况。",
    "priority": 5,
}


def seed(apps, schema_editor):
    ReferralRule = apps.get_model("routing", "ReferralRule")
    ReferralRule.objects.get_or_create(topic=ACCUSATION_RULE["topic"], defaults=ACCUSATION_RULE)


def unseed(apps, schema_editor):
    ReferralRule = apps.get_model("routing", "ReferralRule")
    ReferralRule.objects.filter(topic=ACCUSATION_RULE["topic"]).delete()


class Migration(migrations.Migration):
    dependencies = [("routing", "0005_referral_keywords_suggestion_model")]

    operations = [migrations.RunPython(seed, unseed)]
