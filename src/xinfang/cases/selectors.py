"""Reads about cases: the key figures of R-COUNTY-2 (overdue lists: cases.clocks).

Each rate is defined once, here (design.md, Key figures), and returned with its numerator
and denominator so a dashboard can show how it was counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

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


def _grouped(rows: Iterable[tuple[int, int, int]], ids: Sequence[int]) -> dict[int, Rate]:
    """Rates by department from (department, numerator, denominator) rows; 0/0 for the
    departments with no row."""
    found = {dept: Rate(num, den) for dept, num, den in rows}
    return {dept: found.get(dept, Rate(0, 0)) for dept in ids}


def self_handled_rates(ids: Sequence[int], start: dt.date, end: dt.date) -> dict[int, Rate]:
    """自办案件率 (R-COUNTY-2, R-ROUTE-7): cases of the department whose handling mode was
    decided in [start, end], decided "handle here" / all decided, referrals outside the
    remit excluded from both. One grouped query for any number of departments."""
    decided = Case.objects.filter(
        department_id__in=ids,
        mode_decided_at__gte=_local_start(start),
        mode_decided_at__lt=_local_start(end + dt.timedelta(days=1)),
    ).exclude(handling_mode__in=["", HandlingMode.REFER])
    rows = (
        decided.order_by()
        .values("department_id")
        .annotate(own=Count("pk", filter=Q(handling_mode=HandlingMode.SELF)), total=Count("pk"))
        .values_list("department_id", "own", "total")
    )
    return _grouped(rows, ids)


def self_handled_rate(department: Department, start: dt.date, end: dt.date) -> Rate:
    return self_handled_rates([department.pk], start, end)[department.pk]


def repeat_petition_rates(ids: Sequence[int], start: dt.date, end: dt.date) -> dict[int, Rate]:
    """重信重访率 (R-COUNTY-2, R-REPEAT-4): petitions received by the department in
    [start, end] that were linked to an already registered case / all petitions received."""
    received = Petition.objects.filter(
        receiving_department_id__in=ids, received_on__gte=start, received_on__lte=end
    )
    rows = (
        received.order_by()
        .values("receiving_department_id")
        .annotate(repeats=Count("pk", filter=Q(is_repeat=True)), total=Count("pk"))
        .values_list("receiving_department_id", "repeats", "total")
    )
    return _grouped(rows, ids)


def repeat_petition_rate(department: Department, start: dt.date, end: dt.date) -> Rate:
    return repeat_petition_rates([department.pk], start, end)[department.pk]


def year_end_closure_rates(ids: Sequence[int], year: int) -> dict[int, Rate]:
    """年终结案率 (R-COUNTY-2): cases needing handling (handle here, or assigned down with a
    result required) registered by the department in `year` and closed by 31 December /
    those cases. A case whose closure was returned is not closed."""
    start = _local_start(dt.date(year, 1, 1))
    end = _local_start(dt.date(year + 1, 1, 1))
    cases = Case.objects.filter(
        department_id__in=ids,
        registered_at__gte=start,
        registered_at__lt=end,
        handling_mode__in=[HandlingMode.SELF, HandlingMode.ASSIGN],
    )
    rows = (
        cases.order_by()
        .values("department_id")
        .annotate(closed=Count("pk", filter=Q(closed_at__lt=end)), total=Count("pk"))
        .values_list("department_id", "closed", "total")
    )
    return _grouped(rows, ids)


def year_end_closure_rate(department: Department, year: int) -> Rate:
    return year_end_closure_rates([department.pk], year)[department.pk]


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
    return key_figures_by_department([department.pk], year, today=today)[department.pk]


def key_figures_by_department(
    ids: Sequence[int], year: int, *, today: dt.date | None = None
) -> dict[int, list[Figure]]:
    """`key_figures` of several departments in four queries (three grouped rates and the
    targets), whatever their number: the supervisor's view shows every department below."""
    today = today or timezone.localdate()
    end = min(dt.date(year, 12, 31), today)
    start = dt.date(year, 1, 1)
    targets = {
        t.department_id: t for t in YearlyTarget.objects.filter(department_id__in=ids, year=year)
    }
    own = self_handled_rates(ids, start, end)
    repeat = repeat_petition_rates(ids, start, end)
    closure = year_end_closure_rates(ids, year)
    figures: dict[int, list[Figure]] = {}
    for dept in ids:
        target = targets.get(dept)
        figures[dept] = [
            Figure(
                "self_handled",
                gettext("自办案件率"),
                own[dept],
                target.self_handled_rate if target else None,
                True,
            ),
            Figure(
                "repeat",
                gettext("重信重访率"),
                repeat[dept],
                target.repeat_rate if target else None,
                False,
            ),
            Figure(
                "year_end_closure",
                gettext("年终结案率"),
                closure[dept],
                target.closure_rate if target else None,
                True,
            ),
        ]
    return figures


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
