"""The thresholds that make a petitioner long-standing, and the register of them
(信访老户台账, R-REPEAT-1..3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    """What the petitions are counted over."""

    CASE = "case", _("同一事项（同一信访人就同一事项）")
    PETITIONER = "petitioner", _("同一信访人（不论事项）")
    # R-REPEAT-1's "a case open for a long time": the department's case registered at least
    # `window_days` days before the day of the count and not finished; its petitioner's
    # petitions on the matter counted whenever received (up to that day).
    OPEN = "open", _("同一事项久拖未结（立案超过统计期间仍未办结）")


class Threshold(models.Model):
    """R-REPEAT-1: the administrator's criterion for a long-standing petitioner: at least
    `min_petitions` petitions received within the last `window_days` days (the day of the
    count included), counted per matter or per petitioner; or (Basis.OPEN) a case of the
    department open at least `window_days` days with at least `min_petitions` petitions of
    the petitioner on its matter (one is allowed there: "and/or" in the rule)."""

    name = models.CharField(_("名称"), max_length=60)
    basis = models.CharField(
        _("统计口径"), max_length=16, choices=Basis.choices, default=Basis.CASE
    )
    min_petitions = models.PositiveIntegerField(_("最少信访次数"), default=3)
    window_days = models.PositiveIntegerField(
        _("统计期间（天）"),
        default=183,
        help_text=_(
            "按信访次数认定时，为含统计当日在内向前计算的天数；"
            "按“久拖未结”认定时，为立案后至统计当日已经过的天数"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("信访老户认定标准")
        verbose_name_plural = _("信访老户认定标准")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(min_petitions__gte=2) | models.Q(basis="open", min_petitions__gte=1)
                )
                & models.Q(window_days__gte=1),
                name="threshold_sensible",
                # R-REPEAT-1; shown as it is by the admin's form, so no rule ID in it.
                violation_error_message=_(
                    "最少信访次数至少为2次；只有“同一事项久拖未结”可设为1次。统计期间至少为1天。"
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    OPEN = "open", _("包案化解中")
    SETTLED = "settled", _("已化解")
    CONCLUDED = "concluded", _("已终结（统一口径）")


class Entry(models.Model):
    """One long-standing petitioner on one matter, kept by the department responsible for
    the case: why it is not closed, what is to be done, who owns it until it ends."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+"
    )
    petitioner = models.ForeignKey(
        "petitions.Petitioner", verbose_name=_("信访人"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name=_("包案部门"), on_delete=models.PROTECT, related_name="+"
    )
    petition_count = models.PositiveIntegerField(_("列入时信访次数"))
    analysis = models.TextField(_("长期不能结案的原因分析"))
    measures = models.TextField(_("解决的具体措施"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包案领导"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包案人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_on = models.DateField(_("计划化解日期"))
    # R-REPEAT-2: the owners review the matter periodically; the next review is due this
    # many days after the last one (or after registration), overdue from the day after.
    review_every_days = models.PositiveSmallIntegerField(_("定期复查周期（天）"), default=30)
    outcome = models.CharField(
        _("结果"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN, db_index=True
    )
    outcome_text = models.TextField(_("化解或终结情况"), blank=True)
    position_statement = models.TextField(_("统一答复口径"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("列入时间"))
    ended_on = models.DateField(_("化解或终结日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("信访老户台账")
        verbose_name_plural = _("信访老户台账")
        ordering = ["target_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "petitioner"], name="entry_case_petitioner"),
            # R-REPEAT-3: a concluded matter always carries its position statement.
            models.CheckConstraint(
                condition=~models.Q(outcome="concluded") | ~models.Q(position_statement=""),
                name="entry_concluded_has_statement",
            ),
        ]
        indexes = [models.Index(fields=["department", "outcome"], name="entry_dept_outcome")]

    def __str__(self) -> str:
        return gettext("信访老户台账第%(pk)s号") % {"pk": self.pk}


class EntryReview(models.Model):
    """A periodic review of an entry: what was done and where the matter stands."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("台账"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_on = models.DateField(_("复查日期"))
    progress = models.TextField(_("进展情况"))
    next_steps = models.TextField(_("下一步措施"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复查人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("定期复查")
        verbose_name_plural = _("定期复查")
        ordering = ["reviewed_on", "pk"]

    def __str__(self) -> str:
        return gettext("%(reviewed_on)s 复查") % {
            "reviewed_on": format(self.reviewed_on, "%Y-%m-%d")
        }
