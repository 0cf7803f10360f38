"""Lists of cases as the handlers' pages and exports show them (issue 9): the columns of a
row, the filters and the sort keys, each from a fixed list.

Every list starts from a QuerySet of `cases_visible_to(user)` (a work queue of
cases/queues.py, or the supervisor's lists of cases/supervision.py) and only narrows it.
The filters and sort keys are whitelisted here: a page never turns a URL parameter into a
lookup, so no filter or sort can reach a protected field (R-PROTECT-1; none of the columns
below is protected: the case's summary is not, cases/protection.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.clocks import case_due_on_provisional_years, paused_now, with_due_on_calendar
from xinfang.cases.lifecycle import FINISHED_STATES
from xinfang.cases.models import Case
from xinfang.orgs.models import Department, Level
from xinfang.petitions.models import Channel, Petition
from xinfang.routing.terms import Category

# --- Columns ----------------------------------------------------------------------------


def with_list_columns(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The rows' columns in the same query: department and handler joined, the channel of the
    family's first petition (信访形式: how the matter came in), whether the due date counts
    on the working calendar (for 暂定) and whether the clock is paused."""
    first_petition = Petition.objects.filter(case_id=OuterRef("family_root")).order_by(
        "received_on", "pk"
    )
    return with_due_on_calendar(
        cases.select_related("department__jurisdiction", "handler")
        .annotate(family_root=Coalesce("root_id", "pk"))
        .annotate(
            first_channel=Subquery(first_petition.values("channel")[:1]),
            paused=paused_now(),
        )
    )


def page_of(cases: QuerySet[Case], start: int, stop: int) -> list[Case]:
    """Rows `start` to `stop` of a sorted list, with the list columns: the page's ids first
    (the list's conditions, its ORDER BY and LIMIT, which an index can answer by walking in
    order and stopping), then the columns (the family's first channel, the pause, the
    calendar, the joins) for those rows only. Computed in the sorted statement itself, they
    were computed for every row of the list before the sort kept fifty (issue 10)."""
    ids = list(cases.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    by_pk = {c.pk: c for c in with_list_columns(Case.objects.filter(pk__in=ids)).order_by()}
    return [by_pk[pk] for pk in ids]


@dataclass(frozen=True)
class CaseRow:
    """One row of a case list, every value as shown (Chinese labels, no codes)."""

    pk: int
    number: str
    title: str
    category: str
    channel: str
    state: str
    department: str
    handler: str
    due_on: dt.date | None
    provisional: bool  # the due date is 暂定 (a year of the calendar is not known yet)
    days: str  # 逾期N天 / 剩N天 / 今日到期 / 计时暂停 / empty
    overdue: bool


def days_text(case: Case, today: dt.date) -> tuple[str, bool]:
    """Days overdue or left, in calendar days from today to the due date (R-CLOSE-2:
    overdue from the day after it). Finished cases and cases without a due date: empty."""
    if case.due_on is None or case.state in FINISHED_STATES:
        return "", False
    if getattr(case, "paused", False):
        return gettext("计时暂停"), False
    delta = (case.due_on - today).days
    if delta < 0:
        return (gettext("逾期%(value)s天") % {"value": -delta}), True
    if delta == 0:
        return gettext("今日到期"), False
    return (gettext("剩%(delta)s天") % {"delta": delta}), False


def case_row(case: Case, today: dt.date) -> CaseRow:
    """`case` annotated by `with_list_columns`."""
    channel_code = getattr(case, "first_channel", None) or ""
    days, late = days_text(case, today)
    return CaseRow(
        pk=case.pk,
        number=case.number,
        title=case.title,
        category=case.get_category_display(),
        channel=str(Channel(channel_code).label) if channel_code in Channel.values else "",
        state=case.get_state_display(),
        department=case.department.name,
        handler=str(case.handler) if case.handler_id and case.handler else "",
        due_on=case.due_on,
        provisional=bool(case_due_on_provisional_years(case)),
        days=days,
        overdue=late,
    )


def case_rows(cases: QuerySet[Case] | list[Case], today: dt.date | None = None) -> list[CaseRow]:
    day = today or timezone.localdate()
    return [case_row(c, day) for c in cases]


# --- Sorting ----------------------------------------------------------------------------

# Sort key (as in the URL) -> the columns ordered by, ascending; "-key" sorts descending.
# Only these keys sort; any other value leaves the list's own order.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "number": ("number",),
    "title": ("title",),
    "category": ("category",),
    "channel": ("first_channel",),
    "state": ("state",),
    "department": ("department__jurisdiction__path", "department__name"),
    "handler": ("handler__full_name", "handler__username"),
    "due_on": ("due_on",),
    "registered": ("registered_at",),
}


def sort_key(value: str) -> tuple[str, bool] | None:
    """("due_on", descending) for "due_on" or "-due_on"; None for anything else."""
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if key not in SORT_KEYS:
        return None
    return key, descending


def sorted_cases(cases: QuerySet[Case], value: str) -> QuerySet[Case]:
    """`cases` in the order of a whitelisted sort key, empty values last, ties by id; the
    list's own order for an unknown key."""
    parsed = sort_key(value)
    if parsed is None:
        return cases
    key, descending = parsed
    order: list[OrderBy] = []
    for column in SORT_KEYS[key]:
        expr = F(column)
        order.append(expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True))
    order.append(F("pk").desc() if descending else F("pk").asc())
    return cases.order_by(*order)


# --- Filters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    """Validated filter values (each checked against its choices by the page's form)."""

    category: str = ""
    channel: str = ""
    level: str = ""
    registered_from: dt.date | None = None
    registered_to: dt.date | None = None
    department: Department | None = None


CATEGORY_CHOICES = Category.choices
CHANNEL_CHOICES = Channel.choices
LEVEL_CHOICES = Level.choices


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_cases(cases: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    """`cases` (annotated by `with_list_columns` when filtering by channel) narrowed by
    fixed lookups only."""
    q = Q()
    if filters.category:
        q &= Q(category=filters.category)
    if filters.channel:
        q &= Q(first_channel=filters.channel)
    if filters.level:
        q &= Q(department__jurisdiction__level=filters.level)
    if filters.registered_from is not None:
        q &= Q(registered_at__gte=_local_start(filters.registered_from))
    if filters.registered_to is not None:
        q &= Q(registered_at__lt=_local_start(filters.registered_to + dt.timedelta(days=1)))
    if filters.department is not None:
        q &= Q(department=filters.department)
    return cases.filter(q)


def departments_of(cases: QuerySet[Case], own: int | None) -> list[Department]:
    """The departments other than `own` that cases of the list belong to (the departments
    below the user that a sender or supervisor sees), in the order of the tree."""
    others = cases.exclude(department_id=own) if own is not None else cases
    ids = others.order_by().values("department_id").distinct()
    return list(
        Department.objects.filter(pk__in=Subquery(ids))
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "name")
    )


__all__ = [
    "CATEGORY_CHOICES",
    "CHANNEL_CHOICES",
    "LEVEL_CHOICES",
    "SORT_KEYS",
    "CaseFilters",
    "CaseRow",
    "case_rows",
    "departments_of",
    "filtered_cases",
    "page_of",
    "sorted_cases",
    "with_list_columns",
]
