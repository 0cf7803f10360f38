"""Default referral rules (R-ROUTE-6): the departments the 1987 notice's practice sends
matters outside the remit to. Administrators edit them in the admin afterwards."""

from django.db import migrations

DEFAULT_RULES = [
    {
        "topic": "违纪违法问题",
        "keywords": "贪污、受贿、索贿、行贿、挪用、侵占、公款、回扣、私分、违纪、违法乱纪、"
        "滥用职权、玩忽职守、腐败、吃拿卡要",
        "department_kind": "discipline",
        "explanation": "您反映的党员干部违纪、公职人员职务违法问题，依照规定由纪检监察机关"
        "受理和调查，我们已转请纪委监委办理，请向其了解办理情况。",
        "priority": 10,
    },
    {
        "topic": "涉法涉诉问题",
        "keywords": "诉讼、起诉、判决、裁定、上诉、再审、申请执行、强制执行、法院、官司",
        "department_kind": "court",
        "explanation": "您反映的问题已进入或应当通过诉讼程序解决，依法由人民法院处理，"
        "我们已转请人民法院办理；对裁判不服的，可依法申请再审。",
        "priority": 20,
    },
    {
        "topic": "劳动和社会保障问题",
        "keywords": "拖欠工资、工资、社保、社会保险、养老保险、医疗保险、失业保险、工伤、"
        "劳动合同、劳动争议、劳动仲裁、招聘、辞退",
        "department_kind": "human_resources",
        "explanation": "您反映的劳动、工资和社会保险问题由人力资源和社会保障部门主管，"
        "我们已转请其办理；劳动争议也可依法申请劳动仲裁。",
        "priority": 30,
    },
    {
        "topic": "其他不属于组织部门业务范围的问题",
        "keywords": "",
        "department_kind": "petition_bureau",
        "explanation": "您反映的问题不属于组织部门业务范围，我们已转请信访部门按照有关规定"
        "交由主管部门办理。",
        "priority": 900,
    },
]


def seed(apps, schema_editor):
    ReferralRule = apps.get_model("routing", "ReferralRule")
    for row in DEFAULT_RULES:
        ReferralRule.objects.get_or_create(topic=row["topic"], defaults=row)


def unseed(apps, schema_editor):
    ReferralRule = apps.get_model("routing", "ReferralRule")
    ReferralRule.objects.filter(topic__in=[r["topic"] for r in DEFAULT_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
