"""A lower department's objection to a case sent to it wrongly (R-ROUTE-1)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.actions.base import (
    DECISION_FIELDS,
    _raise,
    _required,
    lock_case,
    transition,
)
from xinfang.cases.clocks import objection_clock
from xinfang.cases.models import Assignment, Case, Objection, ObjectionStatus, State
from xinfang.cases.routing import refuse_if_department_may_not_hold
from xinfang.cases.timeline import append_record
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, User


def objection_raise(
    *,
    actor: User,
    assignment: Assignment,
    reasons: str,
    suggested_department: Department | None = None,
) -> Objection:
    """The receiving department objects, within the objection window and before it has
    decided how to handle the case, that the case was sent to it wrongly."""
    errors: list[str] = []
    _required(errors, reasons=reasons)
    _raise(errors)
    with transaction.atomic():
        child = lock_case(assignment.child, actor=actor, action="raise_objection")
        if child.state not in (State.REGISTERED, State.READ):
            raise RuleViolation(gettext("本单位已决定处理方式，不能再对交转办提出异议。"))
        if Objection.objects.filter(assignment=assignment, status=ObjectionStatus.PENDING).exists():
            raise RuleViolation(gettext("已有待上级处理的异议，请等待处理结果。"))
        window = objection_clock(assignment)
        last_day = window.due_on
        if timezone.localdate() > last_day:
            # A provisional last day says so: the administrator may still move it.
            raise RuleViolation(
                (
                    gettext("已超过提出异议的期限（%(last_day)s），请按交转办要求办理。")
                    % {"last_day": format(last_day, gettext("%Y年%m月%d日"))}
                )
                + window.provisional_note
            )
        objection = Objection.objects.create(
            assignment=assignment,
            reasons=reasons.strip(),
            suggested_department=suggested_department,
            raised_by=actor,
            raised_at=timezone.now(),
        )
        append_record(
            child,
            kind="raise_objection",
            actor=actor,
            payload={
                "objection": objection.pk,
                "reasons": objection.reasons,
                "suggested_department": suggested_department.pk if suggested_department else None,
            },
        )
    return objection


def _pending_objection(objection: Objection) -> Objection:
    locked = Objection.objects.select_for_update().select_related("assignment").get(pk=objection.pk)
    if locked.status != ObjectionStatus.PENDING:
        raise RuleViolation(gettext("该异议已处理。"))
    return locked


def objection_accept(*, actor: User, objection: Objection, opinion: str = "") -> Case:
    """The sender agrees: the lower case is withdrawn and the sender's case returns to be
    routed again (R-ROUTE-1). Both timelines keep the whole story."""
    with transaction.atomic():
        objection = _pending_objection(objection)
        assignment = objection.assignment
        with transition(assignment.case, "reroute", actor=actor) as back:
            parent = back.case
            # The sender withdraws the lower case: the table says from where (not once the
            # lower department has decided how to handle it).
            with transition(
                assignment.child,
                "withdraw",
                actor=actor,
                acting_department=parent.department,
                refused=gettext("承办单位已开始办理，不能撤回。"),
            ) as withdrawal:
                child = withdrawal.case
                # R-ROUTE-3: the case would come back to the sender to be routed again.
                refuse_if_department_may_not_hold(
                    parent,
                    Department.objects.get(pk=parent.department_id),
                    doing=gettext("收回本案重新分办"),
                )
                now = timezone.now()
                objection.status = ObjectionStatus.ACCEPTED
                objection.decided_by = actor
                objection.decided_at = now
                objection.decision_reasons = opinion.strip()
                objection.save(
                    update_fields=["status", "decided_by", "decided_at", "decision_reasons"]
                )
                withdrawal.write(payload={"objection": objection.pk, "opinion": opinion.strip()})
            parent.handling_mode = ""
            parent.mode_decided_at = None
            parent.due_on = None
            parent.is_key_case = False
            back.write(
                payload={
                    "objection": objection.pk,
                    "withdrawn": child.pk,
                    "opinion": opinion.strip(),
                },
                fields=[*DECISION_FIELDS, "due_on"],
            )
    return parent


def objection_reject(*, actor: User, objection: Objection, opinion: str) -> Objection:
    """The sender keeps the assignment, saying why; the lower department goes on."""
    errors: list[str] = []
    if not opinion.strip():
        errors.append(gettext("不同意异议须说明理由。"))
    _raise(errors)
    with transaction.atomic():
        objection = _pending_objection(objection)
        parent = lock_case(objection.assignment.case, actor=actor, action="decide_objection")
        child = Case.objects.select_for_update().get(pk=objection.assignment.child_id)
        objection.status = ObjectionStatus.REJECTED
        objection.decided_by = actor
        objection.decided_at = timezone.now()
        objection.decision_reasons = opinion.strip()
        objection.save(update_fields=["status", "decided_by", "decided_at", "decision_reasons"])
        append_record(
            child,
            kind="objection_rejected",
            actor=actor,
            payload={"objection": objection.pk, "opinion": opinion.strip(), "parent": parent.pk},
        )
    return objection
