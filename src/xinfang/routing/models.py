"""Routing rules kept as data an administrator reads and edits in Chinese (R-ROUTE-6).

The principles of graded responsibility (R-ROUTE-2 to R-ROUTE-5, R-ROUTE-7) are code in
`proposal.py`; which outside department takes which kind of matter is local detail, kept here.
"""

from __future__ import annotations

import re

from django.db import models

from xinfang.cases.models import HandlingMode
from xinfang.orgs.models import DepartmentKind

# Administrators type lists the way they write Chinese: 顿号, commas or spaces all separate.
_KEYWORD_SEPARATORS = re.compile(r"[、，,；;\s]+")


class ReferralRule(models.Model):
    """A kind of matter outside the organization department's remit and where it goes (R-ROUTE-6).

    A rule with no keywords is the fallback, used when no other rule matches.
    """

    topic = models.CharField("问题类型", max_length=50, unique=True)
    keywords = models.TextField(
        "关键词",
        blank=True,
        help_text="信访内容含有其中任一词语即适用本规则；用顿号、逗号或空格分隔。"
        "留空表示兜底规则：其他规则都不适用时使用。",
    )
    department_kind = models.CharField(
        "转交部门类别", max_length=24, choices=DepartmentKind.choices
    )
    explanation = models.TextField(
        "向信访人解释要点",
        help_text="转交时用适当方式向信访人解释明白的要点（R-ROUTE-6）。",
    )
    priority = models.PositiveSmallIntegerField(
        "匹配顺序", default=100, help_text="数字小的先匹配。"
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "转其他部门规则"
        verbose_name_plural = "转其他部门规则"
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.topic

    @property
    def keyword_list(self) -> tuple[str, ...]:
        return tuple(k for k in _KEYWORD_SEPARATORS.split(self.keywords) if k)


class RoutingDecision(models.Model):
    """R-ROUTE-1: the proposal shown, the decision taken, and why they differ when they do.

    Written by the case services in the transaction that decides the handling mode."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name="案件",
        on_delete=models.PROTECT,
        related_name="routing_decisions",
    )
    proposed_mode = models.CharField("建议处理方式", max_length=16)
    proposed_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="建议承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_department_name = models.CharField("建议承办部门名称", max_length=100, blank=True)
    proposal_reasons = models.JSONField("建议理由", default=list)
    proposal_rules = models.JSONField("依据条款", default=list)
    proposed_key_case = models.BooleanField("建议列为重点案件", default=False)
    decided_mode = models.CharField("决定处理方式", max_length=16)
    decided_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="决定承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_department_name = models.CharField("决定承办部门名称", max_length=100, blank=True)
    followed = models.BooleanField("采纳建议")
    deviation_reason = models.TextField("未采纳建议的理由", blank=True)
    decided_by = models.ForeignKey(
        "orgs.User", verbose_name="决定人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间")

    class Meta:
        verbose_name = "分办决定"
        verbose_name_plural = "分办决定"
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.decided_mode}"

    def get_proposed_mode_label(self) -> str:
        return HandlingMode(self.proposed_mode).label

    def get_decided_mode_label(self) -> str:
        return HandlingMode(self.decided_mode).label


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    ACCEPTED = "accepted", "已同意，重新分办"
    REJECTED = "rejected", "不同意，维持交转办"


class Objection(models.Model):
    """A lower department's objection to a case sent to it wrongly (issue 3), within the
    objection window; the sender accepts (the case is routed again) or rejects it."""

    assignment = models.ForeignKey(
        "cases.Assignment",
        verbose_name="交转办",
        on_delete=models.PROTECT,
        related_name="objections",
    )
    reasons = models.TextField("异议理由")
    suggested_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="建议承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_by = models.ForeignKey(
        "orgs.User", verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField("提出时间")
    status = models.CharField(
        "处理结果", max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "orgs.User",
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_reasons = models.TextField("处理意见", blank=True)

    class Meta:
        verbose_name = "交转办异议"
        verbose_name_plural = "交转办异议"
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"异议：{self.reasons[:30]}"
