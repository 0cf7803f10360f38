"""Writes of the early warnings: the poll and the steps of a warning's timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.alerts.compute import Found, find, thresholds
from xinfang.alerts.models import EarlyWarning, StepKind, WarningState, WarningStep
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Role, User


@dataclass(frozen=True)
class PollResult:
    found: int
    created: int
    continuing: int


def poll(as_of: dt.date) -> PollResult:
    """R-REPEAT-5: compute the warnings of the window ending on `as_of` and store the new
    ones. Idempotent and safe to run twice at once: a warning is unique per (kind,
    department, key, window end) and inserted with ON CONFLICT DO NOTHING. A key already
    warned of in an overlapping window and not closed is the same flood going on: it is not
    warned of again (its warning keeps the counts it was raised with)."""
    limits = thresholds()
    found = find(as_of)
    overlap_from = as_of - dt.timedelta(days=limits["window_days"] - 1)
    going_on = set(
        EarlyWarning.objects.filter(
            window_end__gte=overlap_from, window_end__lt=as_of, closed_on__isnull=True
        ).values_list("kind", "department_id", "key")
    )
    new = [f for f in found if (f.kind, f.department_id, f.key) not in going_on]
    now = timezone.now()
    before = EarlyWarning.objects.filter(window_end=as_of).count()
    EarlyWarning.objects.bulk_create(
        [_row(f, limits, now) for f in new], ignore_conflicts=True, batch_size=500
    )
    after = EarlyWarning.objects.filter(window_end=as_of).count()
    return PollResult(found=len(found), created=after - before, continuing=len(found) - len(new))


def _row(f: Found, limits: dict[str, object], now: dt.datetime) -> EarlyWarning:
    return EarlyWarning(
        kind=f.kind,
        key=f.key[:200],
        label=f.label,
        department_id=f.department_id,
        window_start=f.window.start,
        window_end=f.window.end,
        petitioners=f.petitioners,
        petitions=f.petitions,
        baseline=f.baseline,
        growth=f.growth,
        score=f.score,
        explanation=f.explanation(limits),
        created_at=now,
    )


# Which step may follow which state, and the state it leaves.
_STEPS: dict[str, tuple[frozenset[str], str]] = {
    StepKind.ACKNOWLEDGE: (frozenset({WarningState.OPEN}), WarningState.ACKNOWLEDGED),
    StepKind.ASSIGN: (
        frozenset({WarningState.OPEN, WarningState.ACKNOWLEDGED, WarningState.ASSIGNED}),
        WarningState.ASSIGNED,
    ),
    StepKind.ACT: (
        frozenset({WarningState.ASSIGNED, WarningState.ACTING}),
        WarningState.ACTING,
    ),
    StepKind.CLOSE: (
        frozenset(
            {
                WarningState.OPEN,
                WarningState.ACKNOWLEDGED,
                WarningState.ASSIGNED,
                WarningState.ACTING,
            }
        ),
        WarningState.CLOSED,
    ),
}


def steps_allowed(warning: EarlyWarning, user: User) -> list[str]:
    """The steps `user` may take on `warning` now: a leader of its department takes any;
    the assignee records what was done (处置) and nothing else."""
    allowed = [k for k, (states, _) in _STEPS.items() if warning.state in states]
    if user.department_id == warning.department_id and user.has_role(Role.LEADER):
        return allowed
    if warning.assignee_id is not None and warning.assignee_id == user.pk:
        return [k for k in allowed if k == StepKind.ACT]
    return []


def warning_step(
    warning: EarlyWarning,
    *,
    kind: str,
    actor: User,
    note: str = "",
    assignee: User | None = None,
    on: dt.datetime | None = None,
) -> WarningStep:
    """Take one step on the warning's timeline, with the warning row locked."""
    with transaction.atomic():
        locked = EarlyWarning.objects.select_for_update().get(pk=warning.pk)
        if kind not in _STEPS:
            raise RuleViolation(gettext("没有这个处置步骤。"))
        if kind not in steps_allowed(locked, actor):
            raise RuleViolation(
                gettext("该预警当前为“%(state)s”，您不能进行“%(step)s”。")
                % {"state": locked.get_state_display(), "step": StepKind(kind).label}
            )
        problems = []
        if kind == StepKind.ASSIGN and (
            assignee is None or assignee.department_id != locked.department_id
        ):
            problems.append(gettext("请选择本部门的承办人。"))
        if kind in (StepKind.ACT, StepKind.CLOSE) and not note.strip():
            problems.append(gettext("请写明处置情况。"))
        if problems:
            raise RuleViolation(problems)
        now = on or timezone.now()
        step = WarningStep.objects.create(
            warning=locked,
            kind=kind,
            actor=actor,
            assignee=assignee if kind == StepKind.ASSIGN else None,
            note=note.strip(),
            created_at=now,
        )
        locked.state = _STEPS[kind][1]
        if kind == StepKind.ASSIGN:
            locked.assignee = assignee
        if kind == StepKind.CLOSE:
            locked.closed_on = timezone.localdate(now)
        locked.save(update_fields=["state", "assignee", "closed_on"])
        warning.refresh_from_db()
        return step
