"""Writes of the routing app: the record of each routing decision (R-ROUTE-1), and the
referral rules (R-ROUTE-6), each change of which is logged in the configuration audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from xinfang.cases.models import Case, HandlingMode
from xinfang.configlog.services import (
    audited_create,
    audited_delete,
    audited_update,
    editable_fields,
)
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, User
from xinfang.orgs.services import may_administer
from xinfang.routing.models import ReferralRule, RoutingDecision
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


# --- referral rules (R-ROUTE-6) -----------------------------------------------------------

REFERRAL_RULE_FIELDS = editable_fields(ReferralRule)


def _require_administrator(actor: User) -> None:
    if not may_administer(actor):
        raise RuleViolation("只有系统管理员可以修改转其他部门规则。")


def referral_rule_create(
    *,
    actor: User,
    topic: str,
    department_kind: str,
    explanation: str,
    keywords: str = "",
    priority: int = 100,
    is_active: bool = True,
) -> ReferralRule:
    """A kind of matter outside the organization department's remit and where it goes."""
    _require_administrator(actor)
    rule = ReferralRule(
        topic=topic,
        keywords=keywords,
        department_kind=department_kind,
        explanation=explanation,
        priority=priority,
        is_active=is_active,
    )
    return audited_create(actor=actor, obj=rule, fields=REFERRAL_RULE_FIELDS)


def referral_rule_update(
    *, actor: User, rule: ReferralRule, changes: Mapping[str, Any]
) -> ReferralRule:
    _require_administrator(actor)
    return audited_update(actor=actor, obj=rule, changes=changes, fields=REFERRAL_RULE_FIELDS)


def referral_rule_delete(*, actor: User, rule: ReferralRule) -> None:
    _require_administrator(actor)
    audited_delete(actor=actor, obj=rule, fields=REFERRAL_RULE_FIELDS)
