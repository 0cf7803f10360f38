"""Seed the working calendar from chinese_calendar and the two deadline rule sets.

Self-contained on purpose (no import of app code): a migration must do the same thing
however the app changes later. The calendar takes whatever years the installed
chinese_calendar knows; `xinfang seed_calendar` adds later years after an upgrade.
"""

from django.db import migrations

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

REGULATION_2022 = "《信访工作条例》（中共中央、国务院印发，2022年5月1日起施行）"
PERIOD_RULE = "期间开始的当日不计入；期间最后一日是法定休假日的，以休假日结束的次日为期满日（民法典第二百零一条、第二百零三条的通行规则）。"

RULE_SETS = [
    {
        "code": "1987",
        "name": "1987年中组部通知（报结三个月）",
        "description": "中共中央组织部1987年关于组织部门信访工作的通知。只规定上级要报结果的案件的报结期限。",
        "active": True,
        "rules": [
            {
                "code": "result_report",
                "name": "交办案件报结",
                "amount": 3,
                "unit": "months",
                # Plain three calendar months, as result_due_on computes (R-CLOSE-1).
                "roll": False,
                "basis": "中共中央组织部1987年通知：对于上级要报结果的案件，应随办随报，一般应在三个月之内报结。",
            },
        ],
    },
    {
        "code": "2022",
        "name": "2022年《信访工作条例》",
        "description": REGULATION_2022 + "。条例以“日”计的期限按自然日计算，明确写“工作日”的按工作日计算。",
        "active": False,
        "rules": [
            {
                "code": "acceptance_notice",
                "name": "告知是否受理",
                "amount": 15,
                "unit": "calendar_days",
                "roll": True,
                "basis": REGULATION_2022 + "：有权处理的机关、单位应当自收到信访事项之日起15日内告知信访人是否受理（接收情况）。" + PERIOD_RULE,
            },
            {
                "code": "handling",
                "name": "办理",
                "amount": 60,
                "unit": "calendar_days",
                "roll": True,
                "basis": REGULATION_2022 + "：信访事项应当自受理之日起60日内办结。" + PERIOD_RULE,
            },
            {
                "code": "extension_max",
                "name": "延期上限",
                "amount": 30,
                "unit": "calendar_days",
                "roll": True,
                "basis": REGULATION_2022 + "：情况复杂的，经本机关、单位负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由。",
            },
            {
                "code": "review_apply",
                "name": "申请复查",
                "amount": 30,
                "unit": "calendar_days",
                "roll": True,
                "basis": REGULATION_2022 + "：信访人对处理意见不服的，可以自收到书面答复之日起30日内请求原办理机关、单位的上一级机关、单位复查。" + PERIOD_RULE,
            },
            {
                "code": "review_decide",
                "name": "复查答复",
                "amount": 30,
                "unit": "calendar_days",
                "roll": True,
                "basis": REGULATION_2022 + "：收到复查请求的机关、单位应当自收到复查请求之日起30日内提出复查意见，并予以书面答复。" + PERIOD_RULE,
            },
            {
                "code": "rereview_apply",
                "name": "申请复核",
                "amount": 30,
                "unit": "calendar_days",
                "roll": True,
                "basis": REGULATION_2022 + "：信访人对复查意见不服的，可以自收到书面答复之日起30日内向复查机关、单位的上一级机关、单位请求复核。" + PERIOD_RULE,
            },
            {
                "code": "rereview_decide",
                "name": "复核答复",
                "amount": 30,
                "unit": "calendar_days",
                "roll": True,
                "basis": REGULATION_2022 + "：收到复核请求的机关、单位应当自收到复核请求之日起30日内提出复核意见。" + PERIOD_RULE,
            },
            {
                "code": "objection",
                "name": "对转送交办提出异议",
                "amount": 5,
                "unit": "working_days",
                "roll": False,
                "basis": REGULATION_2022 + "：对转送、交办的信访事项，不属于本机关、单位或者本系统职权范围的，应当自收到之日起5个工作日内提出异议，并详细说明理由。",
            },
        ],
    },
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("deadlines", "CalendarDay")
    RuleSet = apps.get_model("deadlines", "RuleSet")
    ClockRule = apps.get_model("deadlines", "ClockRule")

    import chinese_calendar

    days = {}
    for day, english in chinese_calendar.holidays.items():
        days[day] = (False, HOLIDAY_NAMES.get(english, english))
    for day, english in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            days[day] = (True, HOLIDAY_NAMES.get(english, english) + "调休上班")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, is_workday=workday, name=name, source="chinese-calendar")
            for day, (workday, name) in sorted(days.items())
            if day not in existing
        ]
    )

    for data in RULE_SETS:
        rule_set, created = RuleSet.objects.get_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "description": data["description"],
                # Only the first set ever seeded becomes active (exactly one).
                "active": data["active"] and not RuleSet.objects.filter(active=True).exists(),
            },
        )
        if not created:
            continue
        ClockRule.objects.bulk_create(
            [
                ClockRule(
                    rule_set=rule_set, code=rule["code"], name=rule["name"],
                    amount=rule["amount"], unit=rule["unit"], roll_past_rest_day=rule["roll"],
                    legal_basis=rule["basis"],
                )
                for rule in data["rules"]
            ]
        )


def unseed(apps, schema_editor):
    apps.get_model("deadlines", "CalendarDay").objects.filter(source="chinese-calendar").delete()
    ClockRule = apps.get_model("deadlines", "ClockRule")
    RuleSet = apps.get_model("deadlines", "RuleSet")
    codes = [data["code"] for data in RULE_SETS]
    ClockRule.objects.filter(rule_set__code__in=codes).delete()
    RuleSet.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
