"""Working calendar and deadline rule sets (R-CLOSE-1, R-CLOSE-2).

Due dates are derived from these rows by `clocks.compute_clock`; nothing here stores a
case's due date. The records that move one (extensions, pauses) are models of the cases app
(cases/models.py), which writes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarSource(models.TextChoices):
    PACKAGE = "chinese-calendar", "chinese-calendar 软件包"
    ADMIN = "admin", "管理员设置"


class CalendarDay(models.Model):
    """A day that is not an ordinary Mon-Fri workday / Sat-Sun rest day (holiday or 调休)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    name = models.CharField(
        "名称", max_length=50, blank=True, help_text="例如：春节、国庆节调休上班"
    )
    source = models.CharField(
        "来源", max_length=20, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "工作日" if self.is_workday else "休息日"
        return f"{self.date:%Y-%m-%d} {self.name or kind}"


class CalendarYear(models.Model):
    """A year whose holidays and 调休 workdays are known (from the package or entered by an
    administrator from the State Council's notice). A clock that counts days of a year
    without this row is provisional (暂定): it treats Mon-Fri as workdays."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField(
        "来源", max_length=20, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )
    notice = models.CharField("通知文号", max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "已录入的年度节假日安排"
        verbose_name_plural = "已录入的年度节假日安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年（{self.get_source_display()}）"


class RuleSet(models.Model):
    """A named set of deadline rules; exactly one is in force (`rule_set_activate`)."""

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("当前施行", default=False)

    class Meta:
        verbose_name = "期限规则集"
        verbose_name_plural = "期限规则集"
        ordering = ["code"]
        constraints = [
            # The service keeps exactly one active; the database refuses a second one.
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="ruleset_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ClockCode(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance_notice", "告知是否受理"
    HANDLING = "handling", "办理"
    EXTENSION_MAX = "extension_max", "延期上限"
    REVIEW_APPLY = "review_apply", "申请复查"
    REVIEW_DECIDE = "review_decide", "复查答复"
    REREVIEW_APPLY = "rereview_apply", "申请复核"
    REREVIEW_DECIDE = "rereview_decide", "复核答复"
    OBJECTION = "objection", "对转送交办提出异议"
    RESULT_REPORT = "result_report", "交办案件报结"


class ClockUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", "日（自然日）"
    WORKING_DAYS = "working_days", "工作日"
    MONTHS = "months", "月"


class ClockRule(models.Model):
    """One time limit of a rule set: amount, unit and the text it comes from."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name="规则集", on_delete=models.PROTECT, related_name="rules"
    )
    code = models.CharField("期限", max_length=20, choices=ClockCode.choices)
    name = models.CharField("名称", max_length=100)
    amount = models.PositiveIntegerField("期限长度")
    unit = models.CharField("计算单位", max_length=16, choices=ClockUnit.choices)
    roll_past_rest_day = models.BooleanField(
        "期满日遇休息日顺延",
        default=True,
        help_text="期间最后一日是法定休假日或周末的，以其后第一个工作日为期满日。",
    )
    legal_basis = models.TextField("依据")

    class Meta:
        verbose_name = "期限规则"
        verbose_name_plural = "期限规则"
        ordering = ["rule_set", "code"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="clockrule_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.name}：{self.amount}{self.get_unit_display()}"
