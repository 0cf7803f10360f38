"""Working calendar and deadline rule sets (R-CLOSE-1, R-CLOSE-2).

Due dates are derived from these rows by `clocks.compute_clock`; nothing here stores a
case's due date. The records that move one (extensions, pauses) are models of the cases app
(cases/models.py), which writes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CalendarSource(models.TextChoices):
    PACKAGE = "chinese-calendar", _("chinese-calendar 软件包")
    ADMIN = "admin", _("管理员设置")


class CalendarDay(models.Model):
    """A day that is not an ordinary Mon-Fri workday / Sat-Sun rest day (holiday or 调休)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(
        _("名称"), max_length=50, blank=True, help_text=_("例如：春节、国庆节调休上班")
    )
    source = models.CharField(
        _("来源"), max_length=20, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = gettext("工作日") if self.is_workday else gettext("休息日")
        return f"{self.date:%Y-%m-%d} {self.name or kind}"


class CalendarYear(models.Model):
    """A year whose holidays and 调休 workdays are known (from the package or entered by an
    administrator from the State Council's notice). A clock that counts days of a year
    without this row is provisional (暂定): it treats Mon-Fri as workdays."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(
        _("来源"), max_length=20, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )
    notice = models.CharField(_("通知文号"), max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已录入的年度节假日安排")
        verbose_name_plural = _("已录入的年度节假日安排")
        ordering = ["year"]

    def __str__(self) -> str:
        return gettext("%(year)s年（%(source)s）") % {
            "year": self.year,
            "source": self.get_source_display(),
        }


class RuleSet(models.Model):
    """A named set of deadline rules; exactly one is in force (`rule_set_activate`)."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("当前施行"), default=False)

    class Meta:
        verbose_name = _("期限规则集")
        verbose_name_plural = _("期限规则集")
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
    ACCEPTANCE_NOTICE = "acceptance_notice", _("告知是否受理")
    HANDLING = "handling", _("办理")
    EXTENSION_MAX = "extension_max", _("延期上限")
    REVIEW_APPLY = "review_apply", _("申请复查")
    REVIEW_DECIDE = "review_decide", _("复查答复")
    REREVIEW_APPLY = "rereview_apply", _("申请复核")
    REREVIEW_DECIDE = "rereview_decide", _("复核答复")
    OBJECTION = "objection", _("对转送交办提出异议")
    RESULT_REPORT = "result_report", _("交办案件报结")


class ClockUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("日（自然日）")
    WORKING_DAYS = "working_days", _("工作日")
    MONTHS = "months", _("月")


class ClockRule(models.Model):
    """One time limit of a rule set: amount, unit and the text it comes from."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("规则集"), on_delete=models.PROTECT, related_name="rules"
    )
    code = models.CharField(_("期限"), max_length=20, choices=ClockCode.choices)
    name = models.CharField(_("名称"), max_length=100)
    amount = models.PositiveIntegerField(_("期限长度"))
    unit = models.CharField(_("计算单位"), max_length=16, choices=ClockUnit.choices)
    roll_past_rest_day = models.BooleanField(
        _("期满日遇休息日顺延"),
        default=True,
        help_text=_("期间最后一日是法定休假日或周末的，以其后第一个工作日为期满日。"),
    )
    legal_basis = models.TextField(_("依据"))

    class Meta:
        verbose_name = _("期限规则")
        verbose_name_plural = _("期限规则")
        ordering = ["rule_set", "code"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="clockrule_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.name}：{self.amount}{self.get_unit_display()}"
