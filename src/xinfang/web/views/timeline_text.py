"""Timeline payloads as sentences a handler reads: Chinese labels, names instead of ids, no
codes. Payloads arrive already filtered by the protection policy
(`CaseProtection.event_payload`); keys not listed here (record ids, hashes, rule IDs) are
not shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.cases.models import ReviewOutcome, State
from xinfang.core.citations import on_screen
from xinfang.orgs.models import Department, User
from xinfang.routing.terms import HandlingMode

# Payload keys shown, in this order, with their Chinese label.
TEXT_KEYS: dict[str, StrOrPromise] = {
    "mode": _("处理方式"),
    "proposal": _("系统建议"),
    "followed": _("是否采纳建议"),
    "routing_note": _("未采纳建议的理由"),
    "to_department": _("承办部门"),
    "from_department": _("来自"),
    "to": _("接收部门"),
    "handler": _("承办人"),
    "previous_handler": _("原承办人"),
    "text": _("内容"),
    "reason": _("理由"),
    "reasons": _("理由"),
    "opinion": _("意见"),
    "note": _("交办意见"),
    "outcome": _("结论"),
    "due_on": _("办理期限"),
    "due_on_before": _("原期限"),
    "new_expected_on": _("预计办结日期"),
    "days": _("延长天数"),
    "total_days": _("累计延长"),
    "legal_basis": _("依据"),
    "petitioner_told_on": _("告知信访人日期"),
    "petitioner_told_how": _("告知方式"),
    "start_on": _("中止日期"),
    "end_on": _("恢复日期"),
    "paused_days": _("中止天数"),
    "applied_on": _("申请日期"),
    "archive_number": _("档案号"),
    "report_required": _("要求报告结果"),
    "key_case": _("重点案件"),
    # Issue 11: a repeat linked automatically (cases/actions/intake.py).
    "window_days": _("系统自动关联（同一信访人相同内容）的时间窗天数"),
}
DEPARTMENT_KEYS = frozenset({"to_department", "from_department", "department", "reported_to"})
USER_KEYS = frozenset({"handler", "previous_handler"})


def _value(key: str, value: Any, departments: dict[int, str], users: dict[int, str]) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if key in DEPARTMENT_KEYS or (key == "to" and isinstance(value, int)):
        return departments.get(value, "—") if isinstance(value, int) else str(value)
    if key in USER_KEYS:
        return users.get(value, "—") if isinstance(value, int) else "—"
    if key == "mode" and value in HandlingMode.values:
        return str(HandlingMode(value).label)
    if key == "outcome" and value in ReviewOutcome.values:
        return str(ReviewOutcome(value).label)
    if key in ("days", "total_days", "paused_days"):
        return gettext("%(days)s日") % {"days": value}
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime(gettext("%Y年%-m月%-d日"))
        except ValueError:
            return on_screen(value)
    return str(value)


def describe_payloads(payloads: Iterable[Any]) -> list[list[tuple[str, str]]]:
    """(label, text) pairs per payload, looking up department and user names in two
    queries for the whole timeline."""
    payloads = list(payloads)
    dept_ids: set[int] = set()
    user_ids: set[int] = set()
    for p in payloads:
        if not isinstance(p, dict):
            continue
        for k, v in p.items():
            if isinstance(v, int) and not isinstance(v, bool):
                if k in DEPARTMENT_KEYS or k == "to":
                    dept_ids.add(v)
                elif k in USER_KEYS:
                    user_ids.add(v)
    departments = dict(Department.objects.filter(pk__in=dept_ids).values_list("pk", "name"))
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    out: list[list[tuple[str, str]]] = []
    for p in payloads:
        rows: list[tuple[str, str]] = []
        if isinstance(p, dict):
            for key, label in TEXT_KEYS.items():
                value = p.get(key)
                if value is None or value == "" or value == []:
                    continue
                if key == "routing_note" and p.get("followed") is True:
                    continue  # a reason is shown only for a decision that departed
                rows.append((str(label), _value(key, value, departments, users)))
        out.append(rows)
    return out


def state_label(code: str) -> str:
    return str(State(code).label) if code in State.values else ""
