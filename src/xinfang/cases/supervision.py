"""The supervisor's view (R-SUPER-1, R-SUPER-2): each department of the supervisor's kind
in the jurisdictions below, its open, overdue, unexplained-overdue and key cases, and its
three rates against the year's target (R-COUNTY-2).

Every count is taken from `cases_visible_to(user)` (the supervisor sees exactly those
cases), with the overdue lists' own definitions (cases/queues.py: the clock queues, R-CLOSE-2),
so a count and the list it drills down to always agree. The rates are cases/selectors.py's
`key_figures_by_department`, the one definition of each rate, for all departments at once.
Only supervisors have this view (docs/decisions.md, "The supervisor's view is the supervisor's").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.cases.access import cases_visible_to
from xinfang.cases.models import OPEN_STATES, Case
from xinfang.cases.queues import (
    overdue_q,
    overdue_with_explanation,
    overdue_without_explanation,
)
from xinfang.cases.selectors import Figure, key_figures_by_department
from xinfang.orgs.models import Department, Role, User


def may_supervise(user: User) -> bool:
    return user.department_id is not None and user.has_role(Role.SUPERVISOR)


def supervised_departments(user: User) -> QuerySet[Department]:
    """R-SUPER-1: the departments of the supervisor's own kind in the jurisdictions below
    his own (the same departments whose cases `cases_visible_to` shows him), in the order of
    the tree. None for anyone who is not a supervisor."""
    dept = user.department
    if dept is None or not may_supervise(user):
        return Department.objects.none()
    path = dept.jurisdiction.path
    return (
        Department.objects.filter(
            kind=dept.kind, jurisdiction__path__startswith=path, handles_petitions=True
        )
        .exclude(jurisdiction=dept.jurisdiction)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "name")
    )


# --- The lists a count drills down to ---------------------------------------------------


def open_cases(user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """在办: cases still being worked on (not finished)."""
    return (
        cases_visible_to(user)
        .filter(state__in=OPEN_STATES)
        .order_by("due_on", "registered_at", "pk")
    )


def overdue_cases(user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """逾期: overdue, explained or not (R-CLOSE-2, the clock queues' definition)."""
    day = today or timezone.localdate()
    both = overdue_without_explanation(user, day) | overdue_with_explanation(user, day)
    return both.order_by("due_on", "pk")


def unexplained_overdue_cases(user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """逾期未说明 (R-CLOSE-2)."""
    return overdue_without_explanation(user, today or timezone.localdate())


def key_cases(user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """重点案件 (R-ROUTE-5) still being worked on."""
    return open_cases(user).filter(is_key_case=True)


@dataclass(frozen=True)
class CaseList:
    key: str
    title: StrOrPromise
    cases: Callable[[User, dt.date], QuerySet[Case]]


CASE_LISTS: tuple[CaseList, ...] = (
    CaseList("open", _("在办案件"), open_cases),
    CaseList("overdue", _("逾期案件"), overdue_cases),
    CaseList("unexplained", _("逾期未说明"), unexplained_overdue_cases),
    CaseList("key", _("重点案件（在办）"), key_cases),
)


def case_list(key: str) -> CaseList | None:
    return next((c for c in CASE_LISTS if c.key == key), None)


# --- The overview -----------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentOverview:
    department: Department
    depth: int  # levels below the supervisor's jurisdiction (1 = directly below)
    open: int
    overdue: int
    unexplained: int
    key: int
    figures: list[Figure]


def _counts(user: User, day: dt.date, departments: list[int]) -> dict[str, dict[int, int]]:
    """The count of each of `CASE_LISTS` per department, in one statement over the open
    cases the supervisor sees in those departments (issue 10): each list is a condition on
    them (the overdue ones `queues.overdue_q`, the definition of the overdue queues), and
    the statement reads the departments' open cases by their index, not each department's
    cases of all years, nor every case ever due (tests/web/test_supervision.py holds the
    counts to the lists they drill down to)."""
    rows = (
        cases_visible_to(user)
        .filter(state__in=OPEN_STATES, department_id__in=departments)
        .order_by()
        .values("department_id")
        .annotate(
            n_open=Count("pk"),
            n_overdue=Count("pk", filter=overdue_q(day)),
            n_unexplained=Count("pk", filter=overdue_q(day, explained=False)),
            n_key=Count("pk", filter=Q(is_key_case=True)),
        )
    )
    counts: dict[str, dict[int, int]] = {c.key: {} for c in CASE_LISTS}
    for row in rows:
        for key in counts:
            counts[key][row["department_id"]] = row[f"n_{key}"]
    return counts


def department_overview(user: User, today: dt.date | None = None) -> list[DepartmentOverview]:
    """One row per supervised department: counts from the cases the supervisor sees, and the
    current year's rates against its target (up to today)."""
    day = today or timezone.localdate()
    departments = list(supervised_departments(user))
    if not departments or user.department is None:
        return []
    ids = [d.pk for d in departments]
    counts = _counts(user, day, ids)
    figures = key_figures_by_department(ids, day.year, today=day)
    own_depth = user.department.jurisdiction.path.count("/")
    return [
        DepartmentOverview(
            department=d,
            depth=d.jurisdiction.path.count("/") - own_depth,
            open=counts["open"].get(d.pk, 0),
            overdue=counts["overdue"].get(d.pk, 0),
            unexplained=counts["unexplained"].get(d.pk, 0),
            key=counts["key"].get(d.pk, 0),
            figures=figures[d.pk],
        )
        for d in departments
    ]
