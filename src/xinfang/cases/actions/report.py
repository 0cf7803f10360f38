"""A closure reported up from below, accepted or returned by the sender (R-CLOSE-6)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.actions.base import _raise, _required, lock_case, transition
from xinfang.cases.models import Assignment, Case
from xinfang.cases.routing import refuse_if_department_may_not_hold
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, User
from xinfang.routing.terms import HandlingMode


def _reported_assignment(parent: Case, child: Case) -> Assignment:
    assignment = Assignment.objects.select_for_update().filter(case=parent, child=child).first()
    if assignment is None or assignment.mode != HandlingMode.ASSIGN:
        raise RuleViolation(gettext("该案件不是本部门交办的案件。"))
    pending = (
        assignment.reported_at is not None
        and assignment.accepted_at is None
        and (assignment.returned_at is None or assignment.returned_at < assignment.reported_at)
    )
    if not pending:
        raise RuleViolation(gettext("承办单位尚未报送结案材料，或已审核。"))
    return assignment


def report_accept(*, actor: User, case: Case, child: Case, opinion: str = "") -> Case:
    """The upper level accepts the reported closure: its own case closes (R-CLOSE-6)."""
    with transition(case, "accept_report", actor=actor) as step:
        case = step.case
        assignment = _reported_assignment(case, child)
        now = timezone.now()
        assignment.accepted_at = now
        assignment.save(update_fields=["accepted_at"])
        case.closed_at = now
        step.write(
            payload={"child": child.pk, "opinion": opinion.strip()},
            fields=["closed_at"],
        )
    return case


def report_return(*, actor: User, case: Case, child: Case, reasons: str) -> Case:
    """The upper level sends the reported closure back; the lower case reopens (R-CLOSE-6)."""
    errors: list[str] = []
    _required(errors, reasons=reasons)
    _raise(errors)
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="return_report")
        assignment = _reported_assignment(case, child)
        # The sender reopens the lower case: its department acts on the lower case's row.
        with transition(
            child, "return_report", actor=actor, acting_department=case.department
        ) as step:
            child = step.case
            # R-ROUTE-3: the returned case is handled again by the department below.
            refuse_if_department_may_not_hold(
                child, Department.objects.get(pk=child.department_id), doing=gettext("重新办理本案")
            )
            now = timezone.now()
            assignment.returned_at = now
            assignment.return_reasons = reasons.strip()
            assignment.save(update_fields=["returned_at", "return_reasons"])
            child.closed_at = None
            step.write(
                payload={"parent": case.pk, "reasons": reasons.strip()},
                fields=["closed_at"],
            )
    return child
