"""Writes for the calendar and the rule sets; the admin calls the same code. Extensions and
pauses, which change one case, are cases/actions/clocks.py.

Every refusal is a RuleViolation raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.configlog.models import Action
from xinfang.configlog.services import configchange_record, diff, editable_fields, snapshot
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.calendar import (
    ONE_DAY,
    default_is_workday,
    invalidate_calendar,
    package_days,
)
from xinfang.deadlines.models import (
    CalendarDay,
    CalendarSource,
    CalendarYear,
    ClockCode,
    RuleSet,
)
from xinfang.orgs.models import Role, User

# Open cases' due dates depend on the calendar and the rule set in force, and the case layer
# above derives them. This layer may not import it (the layers run one way), so it announces
# the change and the cases app (CasesConfig.ready) answers with how many due dates moved, each
# with a timeline event. Sent inside the changing transaction: a refusal undoes both.
clock_inputs_changed = Signal()


def _due_dates_rederived(*, actor: User | None, reason: str) -> int:
    responses = clock_inputs_changed.send(sender=RuleSet, actor=actor, reason=reason)
    if not responses:
        # Never silently skip: stored due dates would disagree with the clocks.
        raise ImproperlyConfigured("no receiver re-derives due dates (xinfang.cases not loaded)")
    total = 0
    for _receiver, moved in responses:
        if not isinstance(moved, int):
            raise TypeError(f"a receiver of clock_inputs_changed returned {moved!r}, not a count")
        total += moved
    return total


def _calendar_changed() -> None:
    # Now for this transaction's own reads, and again after commit so a rollback that
    # restores old rows cannot leave a stale copy behind.
    invalidate_calendar()
    transaction.on_commit(invalidate_calendar)


def may_edit_calendar(actor: Any) -> bool:
    """Administrators (and superusers) maintain the calendar and the rule set in force."""
    return bool(
        getattr(actor, "is_superuser", False)
        or (isinstance(actor, User) and actor.has_role(Role.ADMINISTRATOR))
    )


def _require_administrator(actor: User) -> None:
    if not may_edit_calendar(actor):
        raise RuleViolation(gettext("只有系统管理员可以修改工作日历和期限规则。"))


# --- working calendar ---------------------------------------------------------------

# Each administrator's change of a day is logged in the configuration audit log.
CALENDAR_FIELDS = editable_fields(CalendarDay)
CALENDAR_YEAR_FIELDS = editable_fields(CalendarYear)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _log_day(actor: User, date: dt.date, before: CalendarDay | None) -> None:
    after = CalendarDay.objects.filter(date=date).first()
    rows = diff(
        snapshot(before, CALENDAR_FIELDS) if before else None,
        snapshot(after, CALENDAR_FIELDS) if after else None,
    )
    if not rows:
        return
    row = after or before
    assert row is not None
    action = Action.CREATED if before is None else Action.CHANGED if after else Action.DELETED
    configchange_record(actor=actor, obj=row, action=action, changes=rows)


def calendar_day_set(
    *, actor: User, date: dt.date, is_workday: bool, name: str = ""
) -> CalendarDay:
    """Mark one day as workday or rest day; an administrator's row wins over the package."""
    _require_administrator(actor)
    name = name.strip()
    if len(name) > 50:
        raise RuleViolation(gettext("名称不能超过50个字。"))
    with transaction.atomic():
        before = CalendarDay.objects.select_for_update().filter(date=date).first()
        day, _ = CalendarDay.objects.update_or_create(
            date=date,
            defaults={"is_workday": is_workday, "name": name, "source": CalendarSource.ADMIN},
        )
        _log_day(actor, date, before)
        _calendar_changed()
        _due_dates_rederived(
            actor=actor,
            reason=gettext("调整%(year)s年%(month)s月%(day)s日的工作日安排后重新计算")
            % {"year": date.year, "month": date.month, "day": date.day},
        )
    return day


def calendar_day_delete(*, actor: User, date: dt.date) -> None:
    """Remove an administrator's setting; the package's entry for that day comes back."""
    _require_administrator(actor)
    with transaction.atomic():
        before = CalendarDay.objects.select_for_update().filter(date=date).first()
        CalendarDay.objects.filter(date=date).delete()
        for known in package_days([date.year]):
            if known.date == date:
                CalendarDay.objects.create(
                    date=date,
                    is_workday=known.is_workday,
                    name=known.name,
                    source=CalendarSource.PACKAGE,
                )
        _log_day(actor, date, before)
        _calendar_changed()
        _due_dates_rederived(
            actor=actor,
            reason=gettext("撤销%(year)s年%(month)s月%(day)s日的工作日调整后重新计算")
            % {"year": date.year, "month": date.month, "day": date.day},
        )


@dataclass(frozen=True)
class SeedResult:
    created: int
    updated: int
    deleted: int
    kept_admin: int
    years: tuple[int, ...]
    new_years: tuple[int, ...] = ()  # years whose holidays became known
    rederived: int = 0  # open cases whose due date moved


def calendar_seed(*, years: Iterable[int] | None = None, actor: User | None = None) -> SeedResult:
    """Load holidays and 调休 workdays from chinese_calendar; idempotent.

    Rows an administrator set are kept. Package rows the installed package no longer lists
    (a corrected schedule) are removed for the years it covers. When a year becomes known
    this way (an upgraded package), open cases' due dates are derived again, each move a
    timeline event in the name of `actor` (the command's --by); a move with no actor named
    refuses the whole import, nothing written."""
    days = package_days(years)
    covered = tuple(sorted({d.date.year for d in days}))
    created = updated = kept = 0
    with transaction.atomic():
        existing = {row.date: row for row in CalendarDay.objects.filter(date__year__in=covered)}
        to_create: list[CalendarDay] = []
        to_update: list[CalendarDay] = []
        for known in days:
            row = existing.pop(known.date, None)
            if row is None:
                to_create.append(
                    CalendarDay(
                        date=known.date,
                        is_workday=known.is_workday,
                        name=known.name,
                        source=CalendarSource.PACKAGE,
                    )
                )
            elif row.source == CalendarSource.ADMIN:
                kept += 1
            elif (row.is_workday, row.name) != (known.is_workday, known.name):
                row.is_workday, row.name = known.is_workday, known.name
                to_update.append(row)
        stale = [row.pk for row in existing.values() if row.source == CalendarSource.PACKAGE]
        CalendarDay.objects.bulk_create(to_create)
        CalendarDay.objects.bulk_update(to_update, ["is_workday", "name"])
        deleted, _ = CalendarDay.objects.filter(pk__in=stale).delete()
        created, updated = len(to_create), len(to_update)
        # The package carries each year's whole schedule: those years are known.
        known_years = set(
            CalendarYear.objects.filter(year__in=covered).values_list("year", flat=True)
        )
        new_years = [y for y in covered if y not in known_years]
        CalendarYear.objects.bulk_create(
            [CalendarYear(year=y, source=CalendarSource.PACKAGE) for y in new_years]
        )
        _calendar_changed()
        rederived = 0
        if new_years:
            names = "、".join(gettext("%(year)s年") % {"year": y} for y in new_years)
            rederived = _due_dates_rederived(
                actor=actor,
                reason=gettext("导入%(years)s法定节假日和调休安排后重新计算") % {"years": names},
            )
    return SeedResult(created, updated, deleted, kept, covered, tuple(new_years), rederived)


@dataclass(frozen=True)
class HolidayRange:
    """One line of the State Council's notice: 放假 from `start` to `end` (inclusive)."""

    start: dt.date
    end: dt.date
    name: str


@dataclass(frozen=True)
class MakeUpDay:
    """A weekend day worked in lieu (调休上班)."""

    date: dt.date
    name: str


@dataclass(frozen=True)
class YearEntryResult:
    year: int
    holidays: int  # days off written
    workdays: int  # make-up working days written
    rederived: int  # open cases whose due date changed (each with a timeline event)


_WEEKDAYS = _("一二三四五六日")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year_entry_problems(
    year: int, holidays: Sequence[HolidayRange], workdays: Sequence[MakeUpDay]
) -> list[str]:
    """Everything wrong with a year's schedule, each in Chinese; empty when it may be saved."""
    problems: list[str] = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [
            gettext("年份须在%(first)s年至%(last)s年之间。")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        ]
    known = CalendarYear.objects.filter(year=year).first()
    if known is not None:
        problems.append(
            gettext(
                "%(year)s年的节假日安排已经录入（%(source)s），"
                "如需更正个别日期，请在工作日历中逐日修改。"
            )
            % {"year": year, "source": known.get_source_display()}
        )
    if not holidays:
        problems.append(gettext("请至少填写一段放假安排。"))
    off: dict[dt.date, str] = {}
    for i, h in enumerate(holidays, start=1):
        label = gettext("第%(number)s段放假安排（%(name)s）") % {
            "number": i,
            "name": h.name.strip() or gettext("未命名"),
        }
        if not h.name.strip():
            problems.append(
                gettext("第%(number)s段放假安排须填写节日名称，如“春节”。") % {"number": i}
            )
        if h.end < h.start:
            problems.append(gettext("%(label)s的结束日期早于开始日期。") % {"label": label})
            continue
        outside = [d for d in (h.start, h.end) if d.year != year]
        if outside:
            problems.append(
                gettext("%(label)s的日期%(date)s不在%(year)s年内：放假日期须是该年的日期。")
                % {"label": label, "date": f"{outside[0]:%Y-%m-%d}", "year": year}
            )
            continue
        day = h.start
        while day <= h.end:
            if day in off:
                problems.append(
                    gettext("%(date)s同时出现在两段放假安排中（%(first)s、%(second)s）。")
                    % {"date": f"{day:%Y-%m-%d}", "first": off[day], "second": h.name}
                )
            off.setdefault(day, h.name.strip())
            day += ONE_DAY
    seen: set[dt.date] = set()
    for i, w in enumerate(workdays, start=1):
        d = w.date
        if not w.name.strip():
            problems.append(
                gettext("第%(number)s个调休上班日须填写名称，如“春节调休上班”。") % {"number": i}
            )
        # A make-up day for New Year's Day can fall on the last weekend of December before.
        if not (d.year == year or (d.year == year - 1 and d.month == 12)):
            problems.append(
                gettext("调休上班日%(date)s不在%(year)s年内（元旦的调休最早可在上一年12月）。")
                % {"date": f"{d:%Y-%m-%d}", "year": year}
            )
        if default_is_workday(d):
            problems.append(
                gettext("%(date)s是星期%(weekday)s，本来就是工作日，不是调休上班日。")
                % {"date": f"{d:%Y-%m-%d}", "weekday": str(_WEEKDAYS)[d.weekday()]}
            )
        if d in off:
            problems.append(
                gettext("%(date)s既是放假日又是调休上班日，请核对通知。")
                % {"date": f"{d:%Y-%m-%d}"}
            )
        if d in seen:
            problems.append(gettext("调休上班日%(date)s重复填写。") % {"date": f"{d:%Y-%m-%d}"})
        seen.add(d)
    return problems


def calendar_year_enter(
    *,
    actor: User,
    year: int,
    holidays: Sequence[HolidayRange],
    workdays: Sequence[MakeUpDay],
    notice: str = "",
) -> YearEntryResult:
    """Enter a whole year's holidays and make-up working days from the State Council's
    notice, checked before anything is saved; then every open case's due date is derived
    again, with a timeline event on each one that moves."""
    _require_administrator(actor)
    problems = _year_entry_problems(year, holidays, workdays)
    if problems:
        raise RuleViolation(problems)
    with transaction.atomic():
        # Checked again under the row lock of the unique year, against a concurrent entry.
        if CalendarYear.objects.select_for_update().filter(year=year).exists():
            raise RuleViolation(gettext("%(year)s年的节假日安排已经录入。") % {"year": year})
        dates = [d for h in holidays for d in _days(h.start, h.end)] + [w.date for w in workdays]
        # Each day's row as it was, for the configuration audit log (from what to what).
        before = {
            row.date: row for row in CalendarDay.objects.select_for_update().filter(date__in=dates)
        }
        off = 0
        for h in holidays:
            day = h.start
            while day <= h.end:
                CalendarDay.objects.update_or_create(
                    date=day,
                    defaults={
                        "is_workday": False,
                        "name": h.name.strip(),
                        "source": CalendarSource.ADMIN,
                    },
                )
                off += 1
                day += ONE_DAY
        for w in workdays:
            CalendarDay.objects.update_or_create(
                date=w.date,
                defaults={
                    "is_workday": True,
                    "name": w.name.strip(),
                    "source": CalendarSource.ADMIN,
                },
            )
        entered = CalendarYear.objects.create(
            year=year, source=CalendarSource.ADMIN, notice=notice.strip(), entered_by=actor
        )
        for date in dates:
            _log_day(actor, date, before.get(date))
        configchange_record(
            actor=actor,
            obj=entered,
            action=Action.CREATED,
            changes=diff(None, snapshot(entered, CALENDAR_YEAR_FIELDS)),
        )
        _calendar_changed()
        changed = _due_dates_rederived(
            actor=actor,
            reason=gettext("录入%(year)s年法定节假日和调休安排后重新计算") % {"year": year},
        )
    return YearEntryResult(year, off, len(workdays), changed)


# --- rule sets ----------------------------------------------------------------------


def _log_activation(actor: User, target: RuleSet, previous: RuleSet | None) -> None:
    """One audit row: this rule set is now in force, and which one it replaced."""
    replaced = {
        "field": "in_force",
        "label": gettext("现行期限规则"),
        "old": previous.pk if previous else None,
        "new": target.pk,
        "old_display": previous.name if previous else "—",
        "new_display": target.name,
    }
    active = {
        "field": "active",
        "label": str(RuleSet._meta.get_field("active").verbose_name),
        "old": False,
        "new": True,
        "old_display": gettext("否"),
        "new_display": gettext("是"),
    }
    configchange_record(
        actor=actor, obj=target, action=Action.ACTIVATED, changes=[active, replaced]
    )


def rule_set_activate(*, actor: User, rule_set: RuleSet) -> RuleSet:
    """Put one rule set in force and take every other one out: exactly one is active."""
    _require_administrator(actor)
    with transaction.atomic():
        locked = list(RuleSet.objects.select_for_update().order_by("pk"))
        target = next((rs for rs in locked if rs.pk == rule_set.pk), None)
        if target is None:
            raise RuleViolation(gettext("该期限规则集不存在。"))
        if not target.rules.filter(code__in=[ClockCode.HANDLING, ClockCode.RESULT_REPORT]).exists():
            raise RuleViolation(gettext("规则集没有办理期限或报结期限，不能启用。"))
        previous = next((rs for rs in locked if rs.active and rs.pk != target.pk), None)
        RuleSet.objects.exclude(pk=target.pk).filter(active=True).update(active=False)
        if not target.active:
            target.active = True
            target.save(update_fields=["active"])
            _log_activation(actor, target, previous)
            # Every moved due date is on its case's timeline, whoever moved it (R-PROTECT-2).
            _due_dates_rederived(
                actor=actor,
                reason=gettext("期限规则改为“%(name)s”后重新计算") % {"name": target.name},
            )
    return target


# --- extensions and pauses: cases/actions/clocks.py (they write the case layer's rows) ---
