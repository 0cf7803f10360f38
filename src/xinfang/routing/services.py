"""Writes of the routing app: the record of each routing decision (R-ROUTE-1)."""

from __future__ import annotations

from django.utils import timezone

from xinfang.cases.models import Case, HandlingMode
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, User
from xinfang.routing.models import RoutingDecision
from xinfang.routing.proposal import RoutingProposal


def proposal_followed(proposal: RoutingProposal, mode: str, department: Department | None) -> bool:
    """The decision follows the proposal when mode and department agree; a referral the
    proposal could not name a department for follows it whatever department is chosen."""
    if proposal.mode != mode:
        return False
    if proposal.department is None:
        return mode == HandlingMode.REFER
    return department is not None and proposal.department.id == department.pk


def routing_decision_record(
    *,
    case: Case,
    proposal: RoutingProposal,
    mode: str,
    department: Department | None,
    department_name: str,
    reason: str,
    actor: User,
) -> RoutingDecision:
    """R-ROUTE-1: record the proposal beside the decision; a decision that departs from the
    proposal must say why. Called inside the deciding transaction."""
    followed = proposal_followed(proposal, mode, department)
    if not followed and not reason.strip():
        raise RuleViolation(
            f"所作决定与系统建议不同（{proposal.headline}），须说明理由（R-ROUTE-1）。",
            rules=("R-ROUTE-1",),
        )
    return RoutingDecision.objects.create(
        case=case,
        proposed_mode=proposal.mode,
        proposed_department_id=proposal.department.id if proposal.department else None,
        proposed_department_name=proposal.department_name,
        proposal_reasons=[r.text for r in proposal.reasons],
        proposal_rules=list(proposal.rules),
        proposed_key_case=proposal.is_key_case,
        decided_mode=mode,
        decided_department=department,
        decided_department_name=department.name if department else department_name,
        followed=followed,
        deviation_reason=reason.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )
