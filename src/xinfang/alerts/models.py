"""Early warnings (预警, R-REPEAT-5): what the poll found, and each warning's own timeline
(acknowledged, assigned, acted on, closed). Also the place names found in a petition's text,
derived data the poll keeps up (alerts/places.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a warning counts over (alerts/compute.py)."""

    MATTER = "matter", _("同一事项")
    UNIT = "unit", _("被反映单位")
    PLACE = "place", _("涉及地方")
    RESPONDENT = "respondent", _("被反映人")
    CATEGORY = "category", _("问题类别")
    COLLECTIVE = "collective", _("集体访")
    CADRE = "cadre", _("多人反映同一干部")
    # R-REPEAT-5 "有集体上访苗头的": a letter announcing or threatening one (alerts/announce.py).
    ANNOUNCED = "announced", _("集体上访苗头")


class WarningState(models.TextChoices):
    OPEN = "open", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    ASSIGNED = "assigned", _("已交办")
    ACTING = "acting", _("处置中")
    CLOSED = "closed", _("已关闭")


class EarlyWarning(models.Model):
    """One warning: a key (a matter, unit, place, respondent, category, collective petition
    or cadre) of one receiving department whose distinct petitioners in the window passed
    the thresholds of `XINFANG_ALERTS`. (kind, department, key, window_end) is unique: the
    poll inserts with ON CONFLICT DO NOTHING, so two polls of one day write it once."""

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("对象"), max_length=200)
    label = models.CharField(_("名称"), max_length=200)
    department = models.ForeignKey(
        "orgs.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    window_start = models.DateField(_("统计起日"))
    window_end = models.DateField(_("统计止日"), db_index=True)
    petitioners = models.PositiveIntegerField(_("信访人数"))
    petitions = models.PositiveIntegerField(_("信访件数"))
    baseline = models.FloatField(_("此前每周平均人数"))
    growth = models.FloatField(_("增长倍数"), null=True, blank=True)
    score = models.FloatField(_("排序分值"), db_index=True)
    # What the explanation page shows: the petitions counted (ids, read through the user's
    # visibility), the weekly history of the baseline, the thresholds applied.
    explanation = models.JSONField(_("说明"), default=dict)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=WarningState.choices,
        default=WarningState.OPEN,
        db_index=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发出时间"))
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "department", "key", "window_end"], name="warning_once_a_window"
            )
        ]
        indexes = [models.Index(fields=["department", "state"], name="warning_dept_state")]

    def __str__(self) -> str:
        return gettext("%(kind)s预警：%(label)s") % {
            "kind": self.get_kind_display(),
            "label": self.label,
        }


class StepKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("确认")
    ASSIGN = "assign", _("交办")
    ACT = "act", _("处置")
    CLOSE = "close", _("关闭")


class WarningStep(models.Model):
    """The warning's own timeline: who did what, when, with what note."""

    warning = models.ForeignKey(
        EarlyWarning, verbose_name=_("预警"), on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("步骤"), max_length=16, choices=StepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("预警处置记录")
        verbose_name_plural = _("预警处置记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class PlaceScan(models.Model):
    """A petition whose text has been searched for place names (with or without a find)."""

    petition = models.OneToOneField(
        "petitions.Petition", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("地名识别记录")
        verbose_name_plural = _("地名识别记录")

    def __str__(self) -> str:
        return str(self.pk)


class AnnouncedVisit(models.Model):
    """A petition whose text carries a sign of a collective visit (alerts/announce.py),
    found by the same scan as the place names (`PlaceScan` marks both done): the kind of
    sign, never the letter's words."""

    petition = models.OneToOneField(
        "petitions.Petition", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    sign = models.CharField(_("苗头"), max_length=30)

    class Meta:
        verbose_name = _("集体上访苗头")
        verbose_name_plural = _("集体上访苗头")

    def __str__(self) -> str:
        return self.sign


class PetitionPlace(models.Model):
    """A place name found in a petition's text (alerts/places.py), one row per name."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="alert_places"
    )
    name = models.CharField(_("地名"), max_length=60)

    class Meta:
        verbose_name = _("信访涉及地名")
        verbose_name_plural = _("信访涉及地名")
        constraints = [
            models.UniqueConstraint(fields=["petition", "name"], name="petitionplace_unique")
        ]
        indexes = [models.Index(fields=["name"], name="petitionplace_name")]

    def __str__(self) -> str:
        return self.name
