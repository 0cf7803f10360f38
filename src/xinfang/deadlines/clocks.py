"""Clock arithmetic shared by every deadline rule; pure functions, no database.

Periods follow the usual rule of Chinese law for time limits: the start day is not counted,
and (when the rule says so) a period ending on a rest day ends on the next working day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.deadlines.calendar import ONE_DAY, WorkingCalendar

Level = Literal["normal", "half_used", "due_soon", "overdue"]

LEVEL_LABELS: dict[str, StrOrPromise] = {
    "normal": _("正常"),
    "half_used": _("时间过半"),
    "due_soon": _("即将到期"),
    "overdue": _("已逾期"),
}

# "Due soon" means due within this many calendar days.
DUE_SOON_DAYS = 7


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def result_due_on(assigned_on: dt.date) -> dt.date:
    """R-CLOSE-1: a case assigned with a required result is due three months after assignment
    (the founding document's default rule set)."""
    return add_months(assigned_on, 3)


@dataclass(frozen=True)
class ClockSpec:
    """The parts of a ClockRule that the arithmetic needs."""

    code: str
    name: str
    amount: int
    unit: str  # "calendar_days" | "working_days" | "months"
    roll_past_rest_day: bool = True


@dataclass(frozen=True)
class PausePeriod:
    """Clocks stand still from start_on to the day before end_on; open while end_on is None."""

    start_on: dt.date
    end_on: dt.date | None = None


@dataclass(frozen=True)
class ClockState:
    code: str
    name: str
    start: dt.date
    due_on: dt.date
    used_fraction: float
    days_left: int  # calendar days from today to due_on; negative when overdue
    level: Level
    label: str
    paused: bool = False
    stopped_on: dt.date | None = None  # the clock stopped (work done) on this day
    # Years whose holidays the calendar does not know and that the due date was counted
    # through: the date is provisional (暂定) until an administrator enters them.
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def provisional_note(self) -> str:
        """Why the due date is provisional, in Chinese; empty when it is not."""
        return provisional_note(self.provisional_years)


# The office word for a date that may still move: 暂定 (as in 暂定于…), shown after the date.
PROVISIONAL_LABEL = _("暂定")


def provisional_note(years: Sequence[int]) -> str:
    """The Chinese explanation shown beside a provisional due date."""
    if not years:
        return ""
    names = "、".join(gettext("%(year)s年") % {"year": y} for y in years)
    return gettext(
        "暂定：期限计算涉及%(years)s，该年的法定节假日和调休安排尚未录入，暂按周一至周五为"
        "工作日计算；管理员录入后将自动重新计算。"
    ) % {"years": names}


def _paused_days(
    pauses: Sequence[PausePeriod],
    start: dt.date,
    until: dt.date,
    unit: str,
    cal: WorkingCalendar,
) -> int:
    """Days of pause after `start` and up to `until`, in the clock's own unit."""
    total = 0
    for pause in pauses:
        first = max(pause.start_on, start + ONE_DAY)
        last = (pause.end_on - ONE_DAY) if pause.end_on is not None else until
        last = min(last, until)
        if last < first:
            continue
        if unit == "working_days":
            total += cal.working_days_between(first - ONE_DAY, last)
        else:
            total += (last - first).days + 1
    return total


def compute_clock(
    rule: ClockSpec,
    start: dt.date,
    extensions_days: int,
    pauses: Sequence[PausePeriod],
    today: dt.date,
    calendar: WorkingCalendar,
) -> ClockState:
    """Due date and warning level of one clock on `today`.

    Extension days count in the clock's unit (working days for a working-day clock, calendar
    days otherwise). Paused days move the due date later; an open pause counts up to today.
    """
    cal = calendar
    paused_total = _paused_days(pauses, start, today, rule.unit, cal)
    if rule.unit == "working_days":
        due = cal.add_working_days(start, rule.amount + extensions_days + paused_total)
        # Every day after the start was asked whether it is a workday.
        unknown = cal.unknown_years(start + ONE_DAY, due)
    else:
        if rule.unit == "months":
            due = add_months(start, rule.amount) + dt.timedelta(days=extensions_days)
        elif rule.unit == "calendar_days":
            due = start + dt.timedelta(days=rule.amount + extensions_days)
        else:
            raise ValueError(f"unknown clock unit {rule.unit!r}")
        due += dt.timedelta(days=paused_total)
        unknown = ()
        if rule.roll_past_rest_day:
            # Only the last day (and the days it rolls over) depend on the calendar.
            rolled = cal.next_workday_on_or_after(due)
            unknown = cal.unknown_years(due, rolled)
            due = rolled

    # Fraction of the running time used: paused days count on neither side.
    if rule.unit == "working_days":
        total = cal.working_days_between(start, due) - paused_total
        elapsed = cal.working_days_between(start, today) - paused_total
    else:
        total = (due - start).days - paused_total
        elapsed = (today - start).days - paused_total
    used = max(elapsed, 0) / total if total > 0 else 1.0

    days_left = (due - today).days
    level: Level
    if today > due:
        level = "overdue"
    elif days_left <= DUE_SOON_DAYS:
        level = "due_soon"
    elif used >= 0.5:
        level = "half_used"
    else:
        level = "normal"
    paused = any(p.end_on is None and p.start_on <= today for p in pauses)
    return ClockState(
        code=rule.code,
        name=rule.name,
        start=start,
        due_on=due,
        used_fraction=used,
        days_left=days_left,
        level=level,
        label=str(LEVEL_LABELS[level]),
        paused=paused,
        provisional_years=unknown,
    )
