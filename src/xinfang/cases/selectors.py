"""Reads about cases: the key figures of R-COUNTY-2 (overdue lists: cases.clocks).

Each rate is defined once, here (design.md, Key figures), and returned with its numerator
and denominator so a dashboard can show how it was counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone

from xinfang.cases.clocks import overdue
from xinfang.cases.family import petitions_of_case
from xinfang.cases.lifecycle import FINISHED_STATES
from xinfang.cases.models import Case, State, Step, YearlyTarget
from xinfang.orgs.models import Department, User
from xinfang.petitions.models import Interview, Petition
from xinfang.routing.terms import HandlingMode


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """Percentage to two decimals; None when nothing was counted (no 0/0 = 0%)."""
        if self.denominator == 0:
            return None
        value = Decimal(self.numerator * 100) / Decimal(self.denominator)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def self_handled_rate(department: Department, start: dt.date, end: dt.date) -> Rate:
    """自办案件率 (R-COUNTY-2, R-ROUTE-7): cases of the department whose handling mode was
    decided in [start, end], decided "handle here" / all decided, referrals outside the
    remit excluded from both."""
    decided = Case.objects.filter(
        department=department,
        mode_decided_at__gte=_local_start(start),
        mode_decided_at__lt=_local_start(end + dt.timedelta(days=1)),
    ).exclude(handling_mode__in=["", HandlingMode.REFER])
    counts = decided.aggregate(
        total=Count("pk"), own=Count("pk", filter=Q(handling_mode=HandlingMode.SELF))
    )
    return Rate(counts["own"], counts["total"])


def repeat_petition_rate(department: Department, start: dt.date, end: dt.date) -> Rate:
    """重信重访率 (R-COUNTY-2, R-REPEAT-4): petitions received by the department in
    [start, end] that were linked to an already registered case / all petitions received."""
    received = Petition.objects.filter(
        receiving_department=department, received_on__gte=start, received_on__lte=end
    )
    counts = received.aggregate(total=Count("pk"), repeats=Count("pk", filter=Q(is_repeat=True)))
    return Rate(counts["repeats"], counts["total"])


def year_end_closure_rate(department: Department, year: int) -> Rate:
    """年终结案率 (R-COUNTY-2): cases needing handling (handle here, or assigned down with a
    result required) registered by the department in `year` and closed by 31 December /
    those cases. A case whose closure was returned is not closed."""
    start = _local_start(dt.date(year, 1, 1))
    end = _local_start(dt.date(year + 1, 1, 1))
    cases = Case.objects.filter(
        department=department,
        registered_at__gte=start,
        registered_at__lt=end,
        handling_mode__in=[HandlingMode.SELF, HandlingMode.ASSIGN],
    )
    counts = cases.aggregate(total=Count("pk"), closed=Count("pk", filter=Q(closed_at__lt=end)))
    return Rate(counts["closed"], counts["total"])


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    rate: Rate
    target: Decimal | None
    higher_is_better: bool

    @property
    def met(self) -> bool | None:
        value = self.rate.percent
        if value is None or self.target is None:
            return None
        return value >= self.target if self.higher_is_better else value <= self.target


def key_figures(department: Department, year: int, *, today: dt.date | None = None) -> list[Figure]:
    """The three rates for a year (up to today when the year is not over), against targets."""
    today = today or timezone.localdate()
    end = min(dt.date(year, 12, 31), today)
    start = dt.date(year, 1, 1)
    target = YearlyTarget.objects.filter(department=department, year=year).first()
    return [
        Figure(
            "self_handled",
            "自办案件率",
            self_handled_rate(department, start, end),
            target.self_handled_rate if target else None,
            True,
        ),
        Figure(
            "repeat",
            "重信重访率",
            repeat_petition_rate(department, start, end),
            target.repeat_rate if target else None,
            False,
        ),
        Figure(
            "year_end_closure",
            "年终结案率",
            year_end_closure_rate(department, year),
            target.closure_rate if target else None,
            True,
        ),
    ]


def key_case_count(department: Department, start: dt.date, end: dt.date) -> int:
    """R-ROUTE-5: key cases (重点案件) the department decided to handle directly in the period."""
    return Case.objects.filter(
        department=department,
        is_key_case=True,
        mode_decided_at__gte=_local_start(start),
        mode_decided_at__lt=_local_start(end + dt.timedelta(days=1)),
    ).count()


def case_step(case: Case) -> Step:
    """R-INTAKE-1: where the case stands in the six steps. A registered visit whose interview
    is recorded stands at 接谈; everything else follows from the state."""

    if (
        case.state == State.REGISTERED
        and Interview.objects.filter(petition__in=petitions_of_case(case)).exists()
    ):
        return Step.INTERVIEW
    return case.step


@dataclass(frozen=True)
class Workload:
    user: User
    duty: str
    open_cases: int
    overdue_cases: int


def staff_workload(department: Department, today: dt.date | None = None) -> list[Workload]:
    """R-STAFF-1: each staff member's petition duty and the open cases they handle."""

    today = today or timezone.localdate()
    handled = Case.objects.filter(handler__department=department)
    open_counts = dict(
        handled.exclude(state__in=FINISHED_STATES)
        .values_list("handler")
        .annotate(n=Count("pk"))
        .values_list("handler", "n")
    )
    overdue_counts = dict(
        overdue(handled, today)
        .values_list("handler")
        .annotate(n=Count("pk"))
        .values_list("handler", "n")
    )
    staff = User.objects.filter(department=department, is_active=True).order_by("username")
    rows = [
        Workload(
            user=u,
            duty=u.get_petition_duty_display() if u.petition_duty else "",
            open_cases=open_counts.get(u.pk, 0),
            overdue_cases=overdue_counts.get(u.pk, 0),
        )
        for u in staff
    ]
    return sorted(rows, key=lambda w: -w.open_cases)
