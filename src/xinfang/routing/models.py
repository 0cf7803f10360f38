"""Routing rules kept as data an administrator reads and edits in Chinese (R-ROUTE-6).

The principles of graded responsibility (R-ROUTE-2 to R-ROUTE-5, R-ROUTE-7) are code in
`proposal.py`; which outside department takes which kind of matter is local detail, kept here.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import DepartmentKind

# Administrators type lists the way they write Chinese: 顿号, commas or spaces all separate.
_KEYWORD_SEPARATORS = re.compile(r"[、，,；;\s]+")


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
    department_kind = models.CharField(
        _("转交部门类别"), max_length=24, choices=DepartmentKind.choices
    )
    explanation = models.TextField(
        _("向信访人解释要点"),
        help_text=_("转交时用适当方式向信访人解释明白的要点（R-ROUTE-6）。"),
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
