"""Writes for the calendar, rule sets, extensions and pauses; the admin calls the same code.

Every refusal is a RuleViolation raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.cases.models import Assignment, Case, HandlingMode, State
from xinfang.cases.services import lock_case
from xinfang.cases.timeline import append_event
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
    ClockRule,
    Extension,
    Pause,
    RuleSet,
)
from xinfang.deadlines.selectors import FINISHED_STATES, case_due_on, case_main_clock
from xinfang.orgs.models import Role, User


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
        raise RuleViolation("只有系统管理员可以修改工作日历和期限规则。")


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
        raise RuleViolation("名称不能超过50个字。")
    with transaction.atomic():
        before = CalendarDay.objects.select_for_update().filter(date=date).first()
        day, _ = CalendarDay.objects.update_or_create(
            date=date,
            defaults={"is_workday": is_workday, "name": name, "source": CalendarSource.ADMIN},
        )
        _log_day(actor, date, before)
        _calendar_changed()
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
            names = "、".join(f"{y}年" for y in new_years)
            rederived = rederive_open_due_dates(
                actor=actor, reason=f"导入{names}法定节假日和调休安排后重新计算"
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


_WEEKDAYS = "一二三四五六日"
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year_entry_problems(
    year: int, holidays: Sequence[HolidayRange], workdays: Sequence[MakeUpDay]
) -> list[str]:
    """Everything wrong with a year's schedule, each in Chinese; empty when it may be saved."""
    problems: list[str] = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [f"年份须在{FIRST_YEAR}年至{LAST_YEAR}年之间。"]
    known = CalendarYear.objects.filter(year=year).first()
    if known is not None:
        problems.append(
            f"{year}年的节假日安排已经录入（{known.get_source_display()}），"
            "如需更正个别日期，请在工作日历中逐日修改。"
        )
    if not holidays:
        problems.append("请至少填写一段放假安排。")
    off: dict[dt.date, str] = {}
    for i, h in enumerate(holidays, start=1):
        label = f"第{i}段放假安排（{h.name.strip() or '未命名'}）"
        if not h.name.strip():
            problems.append(f"第{i}段放假安排须填写节日名称，如“春节”。")
        if h.end < h.start:
            problems.append(f"{label}的结束日期早于开始日期。")
            continue
        outside = [d for d in (h.start, h.end) if d.year != year]
        if outside:
            problems.append(
                f"{label}的日期{outside[0]:%Y-%m-%d}不在{year}年内：放假日期须是该年的日期。"
            )
            continue
        day = h.start
        while day <= h.end:
            if day in off:
                problems.append(f"{day:%Y-%m-%d}同时出现在两段放假安排中（{off[day]}、{h.name}）。")
            off.setdefault(day, h.name.strip())
            day += ONE_DAY
    seen: set[dt.date] = set()
    for i, w in enumerate(workdays, start=1):
        d = w.date
        if not w.name.strip():
            problems.append(f"第{i}个调休上班日须填写名称，如“春节调休上班”。")
        # A make-up day for New Year's Day can fall on the last weekend of December before.
        if not (d.year == year or (d.year == year - 1 and d.month == 12)):
            problems.append(
                f"调休上班日{d:%Y-%m-%d}不在{year}年内（元旦的调休最早可在上一年12月）。"
            )
        if default_is_workday(d):
            problems.append(
                f"{d:%Y-%m-%d}是星期{_WEEKDAYS[d.weekday()]}，本来就是工作日，不是调休上班日。"
            )
        if d in off:
            problems.append(f"{d:%Y-%m-%d}既是放假日又是调休上班日，请核对通知。")
        if d in seen:
            problems.append(f"调休上班日{d:%Y-%m-%d}重复填写。")
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
            raise RuleViolation(f"{year}年的节假日安排已经录入。")
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
        changed = rederive_open_due_dates(
            actor=actor, reason=f"录入{year}年法定节假日和调休安排后重新计算"
        )
    return YearEntryResult(year, off, len(workdays), changed)


# --- rule sets ----------------------------------------------------------------------


def _log_activation(actor: User, target: RuleSet, previous: RuleSet | None) -> None:
    """One audit row: this rule set is now in force, and which one it replaced."""
    replaced = {
        "field": "in_force",
        "label": "现行期限规则",
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
        "old_display": "否",
        "new_display": "是",
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
            raise RuleViolation("该期限规则集不存在。")
        if not target.rules.filter(code__in=[ClockCode.HANDLING, ClockCode.RESULT_REPORT]).exists():
            raise RuleViolation("规则集没有办理期限或报结期限，不能启用。")
        previous = next((rs for rs in locked if rs.active and rs.pk != target.pk), None)
        RuleSet.objects.exclude(pk=target.pk).filter(active=True).update(active=False)
        if not target.active:
            target.active = True
            target.save(update_fields=["active"])
            _log_activation(actor, target, previous)
            # Every moved due date is on its case's timeline, whoever moved it (R-PROTECT-2).
            rederive_open_due_dates(actor=actor, reason=f"期限规则改为“{target.name}”后重新计算")
    return target


def _move_due_on(case: Case, due: dt.date | None, actor: User | None, reason: str) -> None:
    """Store a re-derived due date as a timeline event on the locked case (R-PROTECT-2): a
    due date never moves without one, so with no one to name the whole change is refused."""
    if actor is None:
        raise RuleViolation(
            f"案件{case.number}的期限将随之改变，须以管理员名义记入办理记录：请指定执行人"
            "（命令行加 --by 管理员用户名）后重新运行；本次未作任何改动。",
            rules=("R-PROTECT-2",),
        )
    before, case.due_on = case.due_on, due
    append_event(
        case,
        kind="due_rederived",
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        payload={"due_on_before": before, "due_on": due, "reason": reason},
        save_fields=["due_on"],
    )


def rederive_open_due_dates(
    batch: int = 500, *, actor: User | None = None, reason: str = ""
) -> int:
    """Re-derive Case.due_on for every open case under the rule set and calendar now in
    force, so the overdue lists (which read the indexed column) agree with the clocks.
    Returns how many changed. With an `actor`, each change is a timeline event (old and new
    date, `reason`). A case sent down moves its assignment's date, and the sender's case
    that waits for its result (交办) follows it. A rare administrator action: a few queries
    per open case."""
    changed = 0
    open_cases = Case.objects.exclude(state__in=FINISHED_STATES).order_by("pk")
    last_pk = 0
    while True:
        # Locked while re-derived, so a service changing one of them waits for this chunk
        # instead of having its due date overwritten with one computed from the old row.
        chunk = list(open_cases.filter(pk__gt=last_pk).select_for_update()[:batch])
        if not chunk:
            return changed
        last_pk = chunk[-1].pk
        for case in chunk:
            if case.handling_mode == HandlingMode.ASSIGN:
                # Its date is the result due from below (R-CLOSE-1): moved with the child.
                continue
            due = case_due_on(case)
            if due == case.due_on:
                continue
            changed += 1
            _move_due_on(case, due, actor, reason)
            if case.parent_id is None:
                continue
            Assignment.objects.filter(child=case).update(due_on=due)
            if case.result_required:
                parent = Case.objects.select_for_update().get(pk=case.parent_id)
                if (
                    parent.handling_mode == HandlingMode.ASSIGN
                    and parent.state not in FINISHED_STATES
                    and parent.due_on != due
                ):
                    changed += 1
                    _move_due_on(parent, due, actor, reason)


# --- extensions and pauses ----------------------------------------------------------


def _lock_open_case(case: Case, actor: User, action: str) -> Case:
    """The case services' own lock and checks (department, role, frozen states), plus: only
    an open case's time limit can change. 2022 条例: extensions and pauses are approved by the
    head of the handling body (本机关、单位负责人), so the role is leader (lifecycle.py)."""
    locked = lock_case(case, actor=actor, action=action)
    if locked.state in FINISHED_STATES:
        raise RuleViolation(f"该信访事项{State(locked.state).label}，不能调整办理期限。")
    return locked


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def _refresh_due_on(case: Case) -> dict[str, Any]:
    """Store the re-derived due date in Case.due_on (indexed; R-CLOSE-2 lists read it)."""
    before = case.due_on
    clock = case_main_clock(case)
    after = clock.due_on if clock else before
    if after != before:
        case.due_on = after
        Case.objects.filter(pk=case.pk).update(due_on=after)
    return {"due_on_before": before, "due_on": after}


def extension_grant(
    *,
    actor: User,
    case: Case,
    days: int,
    reason: str,
    legal_basis: str,
    petitioner_told_on: dt.date | None,
    petitioner_told_how: str,
) -> Extension:
    """Extend the handling time limit within the rule set's maximum, with reason told."""
    today = timezone.localdate()
    problems = []
    if not isinstance(days, int) or days <= 0:
        problems.append("延长天数必须是正整数。")
    if _blank(reason):
        problems.append("请填写延期理由。")
    if _blank(legal_basis):
        problems.append("请填写延期依据。")
    if petitioner_told_on is None or _blank(petitioner_told_how):
        problems.append("延期理由须告知信访人：请填写告知日期和告知方式。")
    elif petitioner_told_on > today:
        problems.append("告知信访人日期不能晚于今天。")
    if problems:
        raise RuleViolation(problems)
    assert petitioner_told_on is not None

    with transaction.atomic():
        locked = _lock_open_case(case, actor, "extend_deadline")
        rules = {r.code: r for r in ClockRule.objects.filter(rule_set__active=True)}
        limit = rules.get(ClockCode.EXTENSION_MAX)
        if limit is None or ClockCode.HANDLING not in rules:
            raise RuleViolation("现行期限规则不允许延长办理期限。")
        clock = case_main_clock(locked, today)
        if clock is None or clock.code != ClockCode.HANDLING:
            raise RuleViolation("该信访事项没有正在计算的办理期限，不能延期。")
        if petitioner_told_on < timezone.localdate(locked.registered_at):
            raise RuleViolation("告知信访人日期不能早于登记日期。")
        granted = sum(Extension.objects.filter(case=locked).values_list("days", flat=True))
        if granted + days > limit.amount:
            raise RuleViolation(
                f"延长期限累计不得超过{limit.amount}日：已延长{granted}日，"
                f"本次最多还可延长{max(limit.amount - granted, 0)}日。"
            )
        extension = Extension.objects.create(
            case=locked,
            rule_set=limit.rule_set,
            days=days,
            reason=reason.strip(),
            legal_basis=legal_basis.strip(),
            approved_by=actor,
            approved_on=today,
            petitioner_told_on=petitioner_told_on,
            petitioner_told_how=petitioner_told_how.strip(),
        )
        due = _refresh_due_on(locked)
        append_event(
            locked,
            kind="deadline_extended",
            actor=actor,
            payload={
                "extension_id": extension.pk,
                "days": days,
                "total_days": granted + days,
                "reason": extension.reason,
                "legal_basis": extension.legal_basis,
                "petitioner_told_on": petitioner_told_on,
                "petitioner_told_how": extension.petitioner_told_how,
                **due,
            },
        )
    return extension


def pause_start(
    *, actor: User, case: Case, reason: str, legal_basis: str, start_on: dt.date | None = None
) -> Pause:
    """Stop the case's handling clock from start_on (default today) until `pause_end`."""
    today = timezone.localdate()
    start_on = start_on or today
    problems = []
    if _blank(reason):
        problems.append("请填写中止计时的理由。")
    if _blank(legal_basis):
        problems.append("请填写中止计时的依据。")
    if start_on > today:
        problems.append("中止日期不能晚于今天。")
    if problems:
        raise RuleViolation(problems)

    with transaction.atomic():
        locked = _lock_open_case(case, actor, "pause_clock")
        if start_on < timezone.localdate(locked.registered_at):
            raise RuleViolation("中止日期不能早于登记日期。")
        if Pause.objects.filter(case=locked, end_on__isnull=True).exists():
            raise RuleViolation("该信访事项已在中止计时中，请先恢复计时。")
        if case_main_clock(locked, today) is None:
            raise RuleViolation("该信访事项没有正在计算的办理期限，无需中止计时。")
        pause = Pause.objects.create(
            case=locked,
            reason=reason.strip(),
            legal_basis=legal_basis.strip(),
            approved_by=actor,
            start_on=start_on,
        )
        append_event(
            locked,
            kind="clock_paused",
            actor=actor,
            payload={
                "pause_id": pause.pk,
                "start_on": start_on,
                "reason": pause.reason,
                "legal_basis": pause.legal_basis,
            },
        )
    return pause


def pause_end(*, actor: User, case: Case, end_on: dt.date | None = None) -> Pause:
    """Restart the clock on end_on (default today); the paused days move the due date."""
    today = timezone.localdate()
    end_on = end_on or today
    if end_on > today:
        raise RuleViolation("恢复计时日期不能晚于今天。")
    with transaction.atomic():
        locked = _lock_open_case(case, actor, "resume_clock")
        pause = Pause.objects.select_for_update().filter(case=locked, end_on__isnull=True).first()
        if pause is None:
            raise RuleViolation("该信访事项没有中止计时，无需恢复。")
        if end_on < pause.start_on:
            raise RuleViolation("恢复计时日期不能早于中止日期。")
        pause.end_on = end_on
        pause.ended_by = actor
        pause.save(update_fields=["end_on", "ended_by"])
        due = _refresh_due_on(locked)
        append_event(
            locked,
            kind="clock_resumed",
            actor=actor,
            payload={
                "pause_id": pause.pk,
                "start_on": pause.start_on,
                "end_on": end_on,
                "paused_days": (end_on - pause.start_on).days,
                **due,
            },
        )
    return pause
