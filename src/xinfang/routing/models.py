"""Routing rules kept as data an administrator reads and edits in Chinese (R-ROUTE-6).

The principles of graded responsibility (R-ROUTE-2 to R-ROUTE-5, R-ROUTE-7) are code in
`proposal.py`; which outside department takes which kind of matter is local detail, kept here.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Department, DepartmentKind

# Administrators type lists the way they write Chinese: 顿号, commas or spaces all separate.
_KEYWORD_SEPARATORS = re.compile(r"[、，,；;\s]+")


class RuleNature(models.TextChoices):
    """Which petitions a referral rule's keywords apply to (issue 11 item 4)."""

    ANY = "any", _("任何性质")
    ACCUSATION = "accusation", _("仅检举揭发")


class ReferralRule(models.Model):
    """A kind of matter outside the organization department's remit and where it goes (R-ROUTE-6).

    A rule with no keywords is the fallback, used when no other rule matches.
    """

    topic = models.CharField(_("问题类型"), max_length=50, unique=True)
    keywords = models.TextField(
        _("关键词"),
        blank=True,
        help_text=_(
            "信访内容含有其中任一词语即适用本规则；用顿号、逗号或空格分隔。"
            "留空表示兜底规则：其他规则都不适用时使用。"
        ),
    )
    nature = models.CharField(
        _("适用的信访性质"),
        max_length=16,
        choices=RuleNature.choices,
        default=RuleNature.ANY,
        help_text=_("选“仅检举揭发”的，只有信访性质为检举揭发时关键词才适用。"),
    )
    any_category = models.BooleanField(
        _("不论问题类别"),
        default=False,
        help_text=_(
            "勾选后，登记时信访内容含有关键词的，不论登记员选择了哪一问题类别，都建议转交"
            "（例如检举受贿、贪污、挪用公款的，建议转纪委监委）；建议由登记员确认。"
            "不勾选的，只在问题不属于组织部门业务范围时适用。"
        ),
    )
    department_kind = models.CharField(
        _("转交部门类别"), max_length=24, choices=DepartmentKind.choices
    )
    explanation = models.TextField(
        _("向信访人解释要点"),
        help_text=_("转交时用适当方式向信访人解释明白的要点。"),  # R-ROUTE-6
    )
    priority = models.PositiveSmallIntegerField(
        _("匹配顺序"), default=100, help_text=_("数字小的先匹配。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("转其他部门规则")
        verbose_name_plural = _("转其他部门规则")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.topic

    @property
    def keyword_list(self) -> tuple[str, ...]:
        return tuple(k for k in _KEYWORD_SEPARATORS.split(self.keywords) if k)


class SuggestionModel(models.Model):
    """A trained text model (textmodel.py, JSON) behind the registration page's suggestion
    (issue 11 item 4), one per office and purpose; an office without its own uses the
    global one (office empty). Written by `xinfang suggest_train`, never edited by hand."""

    class Purpose(models.TextChoices):
        CATEGORY = "category", _("问题类别")
        REFERRAL = "referral", _("转交部门")

    office = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    model = models.TextField(_("模型"))
    documents = models.PositiveIntegerField(_("训练用的信访件数"))
    trained_at = models.DateTimeField(_("训练时间"))

    class Meta:
        verbose_name = _("文本建议模型")
        verbose_name_plural = _("文本建议模型")
        # One row per office and purpose, kept by `suggestion_model_store` (a unique
        # constraint would not hold for the global row: NULLs are distinct on SQLite).

    def __str__(self) -> str:
        return str(self.get_purpose_display())
