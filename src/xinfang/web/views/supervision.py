"""督导: the supervisor's view of the departments below (R-SUPER-1, R-SUPER-2, R-COUNTY-2),
and the lists its counts drill down to. Counts and lists come from cases/supervision.py,
which takes them from `cases_visible_to`. Supervisors only (docs/decisions.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.cases.selectors import Figure
from xinfang.cases.supervision import (
    CASE_LISTS,
    DepartmentOverview,
    case_list,
    department_overview,
    may_supervise,
    supervised_departments,
)
from xinfang.core.replica import read_report
from xinfang.orgs.models import User
from xinfang.web.views import lists
from xinfang.web.views.common import staff_page, staff_user

NOT_A_SUPERVISOR = _("督导页面只对上级督导角色开放。")


def _supervisor(request: HttpRequest) -> User:
    user = staff_user(request)
    if not may_supervise(user):
        raise PermissionDenied(NOT_A_SUPERVISOR)
    return user


@dataclass(frozen=True)
class RateCell:
    label: str
    percent: str  # "85.00%" or "—" when nothing was counted
    counted: str  # "17/20"
    verdict: str  # 达标 / 未达标 / 未设目标 / 无数据
    target: str
    css: str


def _rate_cell(figure: Figure) -> RateCell:
    percent = figure.rate.percent
    target = f"{figure.target}%" if figure.target is not None else ""
    if figure.target is None:
        verdict, css = gettext("未设目标"), "text-muted"
    elif figure.met is None:
        verdict, css = gettext("无数据"), "text-muted"
    elif figure.met:
        verdict, css = gettext("达标"), "text-success"
    else:
        verdict, css = gettext("未达标"), "text-danger"
    return RateCell(
        label=figure.label,
        percent=f"{percent}%" if percent is not None else "—",
        counted=f"{figure.rate.numerator}/{figure.rate.denominator}",
        verdict=verdict,
        target=target,
        css=css,
    )


@dataclass(frozen=True)
class Row:
    overview: DepartmentOverview
    rates: list[RateCell]
    links: dict[str, str]  # list key -> drill-down URL


@staff_page
def overview(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    today = timezone.localdate()
    base = reverse("web:supervision_cases")
    rows = [
        Row(
            overview=o,
            rates=[_rate_cell(f) for f in o.figures],
            links={c.key: f"{base}?show={c.key}&department={o.department.pk}" for c in CASE_LISTS},
        )
        for o in read_report(lambda: department_overview(user, today))
    ]
    rate_labels = [cell.label for cell in rows[0].rates] if rows else []
    # The bar chart's data (static/web/supervision.js draws it; no inline script).
    chart = {
        "departments": [r.overview.department.name for r in rows],
        "series": [
            {
                "name": label,
                "data": [
                    float(p) if (p := r.overview.figures[i].rate.percent) is not None else None
                    for r in rows
                ],
            }
            for i, label in enumerate(rate_labels)
        ],
    }
    return render(
        request,
        "web/supervision/overview.html",
        {
            "rows": rows,
            "rate_labels": rate_labels,
            "chart": chart,
            "today": today,
            "nav": "supervision",
        },
    )


@staff_page
def department_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind a count: one of the lists (在办, 逾期, 逾期未说明, 重点) of the
    departments below, filtered to one department by the list's department filter."""
    user = _supervisor(request)
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    chosen = case_list(show)
    show_error = ""
    if chosen is None:
        chosen = CASE_LISTS[0]
        show_error = gettext("所选的列表不存在，已显示在办案件。")
    departments = list(supervised_departments(user))
    base = chosen.cases(user, today).filter(department__in=departments)
    cases = lists.case_list(request, user, base, departments)
    title = gettext("下级部门%(queue)s") % {"queue": chosen.title}
    if request.GET.get("export") == "xlsx":
        return lists.xlsx_response(cases, title, user, today)
    context = lists.page_context(cases, today)
    context.update(
        {
            "title": title,
            "show": chosen.key,
            "show_error": show_error,
            "case_lists": CASE_LISTS,
            "nav": "supervision",
        }
    )
    return render(request, "web/supervision/cases.html", context)
