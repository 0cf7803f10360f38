"""The one transition helper every case action goes through: lock the row, consult the
allowed-transitions table (lifecycle.py), check the actor's department and role, write the
change and its one timeline event in the same transaction. No state is set anywhere else."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connections, router, transaction
from django.utils.translation import gettext

from xinfang.cases.lifecycle import (
    ACTION_LABELS,
    FROZEN_MESSAGES,
    FROZEN_STATES,
    require_action_role,
    returns_from,
    target_state,
)
from xinfang.cases.models import Case, CaseEvent, State
from xinfang.cases.timeline import append_event
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, User

DECISION_FIELDS = ["handling_mode", "mode_decided_at", "is_key_case"]


def _lock_row(pk: int) -> Case:
    """SELECT ... FOR UPDATE of one case row as a raw query: every service locks a case, and
    the ORM's query building costs more than twice the raw query (measured 330 µs against
    130 µs); field conversions still apply."""
    connection = connections[router.db_for_write(Case)]
    qn = connection.ops.quote_name
    sql = f"SELECT * FROM {qn(Case._meta.db_table)} WHERE {qn(Case._meta.pk.column)} = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    rows = list(Case.objects.db_manager(connection.alias).raw(sql, [pk]))
    if not rows:
        raise Case.DoesNotExist(f"case {pk} does not exist")
    return rows[0]


def lock_case(
    case: Case,
    *,
    actor: User,
    action: str,
    acting_department: Department | None = None,
    with_department: bool = False,
) -> Case:
    """Reload `case` locked for update and check it may be changed by `actor` for `action`.

    `acting_department` is the department entitled to act when it is not the one
    responsible for the case (the reviewing department of a 复查 or 复核)."""
    # The case row alone unless the service needs the department and its jurisdiction
    # (routing decisions): joining them on every lock costs more than it saves.
    if with_department:
        locked = (
            Case.objects.select_for_update()
            .select_related("department__jurisdiction")
            .get(pk=case.pk)
        )
    else:
        locked = _lock_row(case.pk)
    # A frozen state is left only by the move back that RETURNS allows from it (unmerge).
    if locked.state in FROZEN_STATES and not returns_from(action, locked.state):
        message, rules = FROZEN_MESSAGES[State(locked.state)]
        raise RuleViolation(str(message), rules=rules)
    entitled = acting_department
    entitled_id = entitled.pk if entitled else locked.department_id
    if actor.department_id != entitled_id:
        name = (entitled or locked.department).name
        raise RuleViolation(
            gettext("只有责任部门（%(name)s）可以办理此案件（R-ROUTE-1）。") % {"name": name}
        )
    require_action_role(actor, action)
    return locked


class Transition:
    """One move of a case along the table, opened by `transition`: `case` is the locked row,
    `to` the state the table allows; `write` sets it and appends the one event."""

    def __init__(self, case: Case, action: str, to: State, actor: User) -> None:
        self.case = case
        self.action = action
        self.to = to
        self.actor = actor
        self.event: CaseEvent | None = None

    def write(
        self,
        *,
        payload: dict[str, Any],
        fields: Sequence[str] = (),
        records: Sequence[Any] = (),
    ) -> CaseEvent:
        """Set the state the table gave and append the transition's one timeline event
        (kind = the action), saving `fields` changed on `case` with it."""
        if self.event is not None:
            raise RuntimeError(f"{self.action}: a transition writes exactly one event")
        from_state = self.case.state
        self.case.state = self.to
        self.event = append_event(
            self.case,
            kind=self.action,
            actor=self.actor,
            from_state=from_state,
            to_state=self.to,
            payload=payload,
            save_fields=["state", *fields],
            records=records,
        )
        return self.event


def _return_state(case: Case, action: str) -> State | None:
    """For an action of `lifecycle.RETURNS`: the state `case` left when it entered its
    current one (that event's `from_state`), if the table lets `action` go back there."""
    allowed = returns_from(action, case.state)
    if not allowed:
        return None
    entered = (
        CaseEvent.objects.filter(case=case, to_state=case.state)
        .exclude(from_state=case.state)
        .order_by("-seq")
        .values_list("from_state", flat=True)
        .first()
    )
    if entered is None or entered not in allowed:
        return None
    return State(entered)


def refuse_transition(case: Case, action: str) -> RuleViolation:
    """The table's refusal, in Chinese, naming the current state and the action."""
    return RuleViolation(
        gettext("案件当前状态为“%(label)s”，不能进行“%(value)s”操作。")
        % {"label": State(case.state).label, "value": ACTION_LABELS[action]}
    )


@contextmanager
def transition(
    case: Case,
    action: str,
    *,
    actor: User,
    acting_department: Department | None = None,
    with_department: bool = False,
    refused: str = "",
) -> Iterator[Transition]:
    """The one way a case changes state. In one transaction: lock the row and check the
    actor (`lock_case`: sealed states, department, role), consult the allowed-transitions
    table (lifecycle.TRANSITIONS, or lifecycle.RETURNS for a move back; `refused` replaces
    the generic Chinese refusal when the table says no, `{state}` in it standing for the
    current state's name), hand the caller a `Transition` to check its rules on the locked
    row and write its records, and make sure the caller wrote the change and its one
    event."""
    with transaction.atomic():
        locked = lock_case(
            case,
            actor=actor,
            action=action,
            acting_department=acting_department,
            with_department=with_department,
        )
        to = target_state(action, locked.state) or _return_state(locked, action)
        if to is None:
            if refused:
                raise RuleViolation(refused.format(state=State(locked.state).label))
            raise refuse_transition(locked, action)
        step = Transition(locked, action, to, actor)
        yield step
        if step.event is None:
            raise RuntimeError(f"{action}: the transition ended without writing its change")


def _required(errors: list[str], **values: str) -> None:
    labels = {
        "text": gettext("批示内容"),
        "reason": gettext("理由"),
        "to_department_name": gettext("接收部门"),
        "reasons": gettext("退回理由"),
    }
    for name, value in values.items():
        if not (value or "").strip():
            errors.append(gettext("“%(value)s”不能为空。") % {"value": labels[name]})


def _raise(errors: list[str], *, rules: tuple[str, ...] = ()) -> None:
    if errors:
        raise RuleViolation(errors, rules=rules)
