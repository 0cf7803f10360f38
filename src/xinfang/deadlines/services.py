"""Writes for the calendar, rule sets, extensions and pauses; the admin calls the same code.

Every refusal is a RuleViolation raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.cases.models import Case, State
from xinfang.cases.services import lock_case
from xinfang.cases.timeline import append_event
from xinfang.configlog.models import Action
from xinfang.configlog.services import configchange_record, diff, editable_fields, snapshot
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.calendar import invalidate_calendar, package_days
from xinfang.deadlines.models import (
    CalendarDay,
    CalendarSource,
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


def calendar_seed(*, years: Iterable[int] | None = None) -> SeedResult:
    """Load holidays and 调休 workdays from chinese_calendar; idempotent.

    Rows an administrator set are kept. Package rows the installed package no longer lists
    (a corrected schedule) are removed for the years it covers.
    """
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
        _calendar_changed()
    return SeedResult(created, updated, deleted, kept, covered)


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
            rederive_open_due_dates()
    return target


def rederive_open_due_dates(batch: int = 500) -> int:
    """Re-derive Case.due_on for every open case under the rule set now in force, so the
    overdue lists (which read the indexed column) agree with the clocks. Returns how many
    changed. A rare administrator action: a few queries per open case."""
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
        updates = []
        for case in chunk:
            due = case_due_on(case)
            if due != case.due_on:
                case.due_on = due
                updates.append(case)
        Case.objects.bulk_update(updates, ["due_on"])
        changed += len(updates)


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
