"""Closure submitted, returned or approved by a leader (R-CLOSE-3 to R-CLOSE-6)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.actions.base import _raise, _required, transition
from xinfang.cases.closure import CLOSURE_FIELDS, closure_problems, closure_requirements_of
from xinfang.cases.models import Assignment, Case, Closure, ClosureStatus
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User
from xinfang.routing.terms import HandlingMode


def closure_submit(*, actor: User, case: Case, **data: Any) -> Closure:
    """A handler submits the closure; refused, listing every missing part, unless complete."""
    unknown = set(data) - set(CLOSURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown closure fields: {sorted(unknown)}")
    with transition(case, "submit_closure", actor=actor) as step:
        case = step.case
        if case.handling_mode == HandlingMode.ASSIGN:
            raise RuleViolation(
                gettext("本案已交办下级，结案材料由承办单位报送，本级审核即可（R-CLOSE-6）。")
            )
        problems = closure_problems(closure_requirements_of(case), data, timezone.localdate())
        _raise(problems, rules=("R-CLOSE-3", "R-CLOSE-4", "R-CLOSE-5"))
        clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        clean.setdefault("procedure", [])
        closure = Closure.objects.create(
            case=case, submitted_by=actor, submitted_at=timezone.now(), **clean
        )
        step.write(
            payload={"closure": closure.pk},
            records=[closure],
        )
    return closure


def _pending_closure(case: Case) -> Closure:
    closure = case.closures.filter(status=ClosureStatus.SUBMITTED).order_by("-submitted_at").first()
    if closure is None:  # The table allows this only from `closing`, which always has one.
        raise RuleViolation(gettext("没有待审核的结案材料。"))
    return closure


def closure_return(*, actor: User, case: Case, reasons: str) -> Closure:
    """A leader sends a closure back to the handler, with reasons."""
    errors: list[str] = []
    _required(errors, reasons=reasons)
    _raise(errors)
    with transition(case, "return_closure", actor=actor) as step:
        case = step.case
        closure = _pending_closure(case)
        closure.status = ClosureStatus.RETURNED
        closure.decided_by = actor
        closure.decided_at = timezone.now()
        closure.return_reasons = reasons.strip()
        closure.save(update_fields=["status", "decided_by", "decided_at", "return_reasons"])
        step.write(
            payload={"closure": closure.pk, "reasons": reasons.strip()},
            records=[closure],
        )
    return closure


def closure_approve(*, actor: User, case: Case, review_opinion: str = "") -> Closure:
    """A leader approves the closure. A case assigned from above is reported up with the
    department's review opinion (R-CLOSE-6)."""
    with transition(case, "approve_closure", actor=actor) as step:
        case = step.case
        closure = _pending_closure(case)
        if closure.submitted_by_id == actor.pk:
            raise RuleViolation(gettext("结案材料须由承办人以外的领导审批。"))
        if case.result_required and not review_opinion.strip():
            raise RuleViolation(
                gettext("向上级报送结案材料，须有明确的审查意见（R-CLOSE-6）。"),
                rules=("R-CLOSE-6",),
            )
        now = timezone.now()
        closure.status = ClosureStatus.APPROVED
        closure.decided_by = actor
        closure.decided_at = now
        closure.review_opinion = review_opinion.strip()
        closure.save(update_fields=["status", "decided_by", "decided_at", "review_opinion"])
        case.closed_at = now
        payload: dict[str, Any] = {"closure": closure.pk}
        if case.result_required:
            assignment = Assignment.objects.select_for_update().get(child=case)
            assignment.reported_at = now
            assignment.save(update_fields=["reported_at"])
            payload["reported_to"] = assignment.from_department_id
        step.write(
            payload=payload,
            fields=["closed_at"],
            records=[closure],
        )
    return closure
