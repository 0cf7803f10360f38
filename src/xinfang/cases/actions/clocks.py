"""Time limits of one case: overdue explanations (R-CLOSE-2), extensions and pauses
(2022 rules), and due dates derived again when the calendar or the rule set changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.actions.base import _raise, _required, lock_case
from xinfang.cases.clocks import case_due_on, case_main_clock
from xinfang.cases.lifecycle import FINISHED_STATES
from xinfang.cases.models import Assignment, Case, Extension, OverdueExplanation, Pause, State
from xinfang.cases.timeline import append_event, append_record
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.models import ClockCode, ClockRule
from xinfang.orgs.models import User
from xinfang.routing.terms import HandlingMode


def overdue_explain(
    *, actor: User, case: Case, reason: str, new_expected_on: dt.date | None
) -> OverdueExplanation:
    """R-CLOSE-2: an overdue case carries an explanation with a new expected date."""
    errors: list[str] = []
    _required(errors, reason=reason)
    today = timezone.localdate()
    if new_expected_on is None or new_expected_on <= today:
        errors.append(gettext("须填写晚于今天的预计办结日期（R-CLOSE-2）。"))
    _raise(errors, rules=("R-CLOSE-2",))
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="explain_overdue")
        if case.due_on is None or case.due_on >= today or case.state in FINISHED_STATES:
            raise RuleViolation(gettext("案件未逾期，无需说明（R-CLOSE-2）。"))
        assert new_expected_on is not None
        explanation = OverdueExplanation.objects.create(
            case=case,
            reason=reason.strip(),
            new_expected_on=new_expected_on,
            explained_by=actor,
            created_at=timezone.now(),
        )
        append_record(
            case,
            kind="explain_overdue",
            actor=actor,
            payload={"explanation": explanation.pk, "new_expected_on": new_expected_on},
            records=[explanation],
        )
    return explanation


def _move_due_on(case: Case, due: dt.date | None, actor: User | None, reason: str) -> None:
    """Store a re-derived due date as a timeline event on the locked case (R-PROTECT-2): a
    due date never moves without one, so with no one to name the whole change is refused."""
    if actor is None:
        raise RuleViolation(
            (
                gettext(
                    "案件%(number)s的期限将随之改变，须以管理员名义记入办理记录：请指定执行"
                    "人（命令行加 --by 管理员用户名）后重新运行；本次未作任何改动。"
                )
                % {"number": case.number}
            ),
            rules=("R-PROTECT-2",),
        )
    before, case.due_on = case.due_on, due
    append_record(
        case,
        kind="due_rederived",
        actor=actor,
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


def _lock_open_case(case: Case, actor: User, action: str) -> Case:
    """The case services' own lock and checks (department, role, frozen states), plus: only
    an open case's time limit can change. 2022 条例: extensions and pauses are approved by the
    head of the handling body (本机关、单位负责人), so the role is leader (lifecycle.py)."""
    locked = lock_case(case, actor=actor, action=action)
    if locked.state in FINISHED_STATES:
        raise RuleViolation(
            gettext("该信访事项%(label)s，不能调整办理期限。")
            % {"label": State(locked.state).label}
        )
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
        problems.append(gettext("延长天数必须是正整数。"))
    if _blank(reason):
        problems.append(gettext("请填写延期理由。"))
    if _blank(legal_basis):
        problems.append(gettext("请填写延期依据。"))
    if petitioner_told_on is None or _blank(petitioner_told_how):
        problems.append(gettext("延期理由须告知信访人：请填写告知日期和告知方式。"))
    elif petitioner_told_on > today:
        problems.append(gettext("告知信访人日期不能晚于今天。"))
    if problems:
        raise RuleViolation(problems)
    assert petitioner_told_on is not None

    with transaction.atomic():
        locked = _lock_open_case(case, actor, "extend_deadline")
        rules = {r.code: r for r in ClockRule.objects.filter(rule_set__active=True)}
        limit = rules.get(ClockCode.EXTENSION_MAX)
        if limit is None or ClockCode.HANDLING not in rules:
            raise RuleViolation(gettext("现行期限规则不允许延长办理期限。"))
        clock = case_main_clock(locked, today)
        if clock is None or clock.code != ClockCode.HANDLING:
            raise RuleViolation(gettext("该信访事项没有正在计算的办理期限，不能延期。"))
        if petitioner_told_on < timezone.localdate(locked.registered_at):
            raise RuleViolation(gettext("告知信访人日期不能早于登记日期。"))
        granted = sum(Extension.objects.filter(case=locked).values_list("days", flat=True))
        if granted + days > limit.amount:
            raise RuleViolation(
                gettext(
                    "延长期限累计不得超过%(amount)s日：已延长%(granted)s日，本次"
                    "最多还可延长%(max)s日。"
                )
                % {
                    "amount": limit.amount,
                    "granted": granted,
                    "max": max(limit.amount - granted, 0),
                }
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
        problems.append(gettext("请填写中止计时的理由。"))
    if _blank(legal_basis):
        problems.append(gettext("请填写中止计时的依据。"))
    if start_on > today:
        problems.append(gettext("中止日期不能晚于今天。"))
    if problems:
        raise RuleViolation(problems)

    with transaction.atomic():
        locked = _lock_open_case(case, actor, "pause_clock")
        if start_on < timezone.localdate(locked.registered_at):
            raise RuleViolation(gettext("中止日期不能早于登记日期。"))
        if Pause.objects.filter(case=locked, end_on__isnull=True).exists():
            raise RuleViolation(gettext("该信访事项已在中止计时中，请先恢复计时。"))
        if case_main_clock(locked, today) is None:
            raise RuleViolation(gettext("该信访事项没有正在计算的办理期限，无需中止计时。"))
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
        raise RuleViolation(gettext("恢复计时日期不能晚于今天。"))
    with transaction.atomic():
        locked = _lock_open_case(case, actor, "resume_clock")
        pause = Pause.objects.select_for_update().filter(case=locked, end_on__isnull=True).first()
        if pause is None:
            raise RuleViolation(gettext("该信访事项没有中止计时，无需恢复。"))
        if end_on < pause.start_on:
            raise RuleViolation(gettext("恢复计时日期不能早于中止日期。"))
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
