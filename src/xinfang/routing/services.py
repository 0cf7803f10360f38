"""Writes of the routing app: the record of each routing decision (R-ROUTE-1), and the
referral rules (R-ROUTE-6), each change of which is logged in the configuration audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from xinfang.configlog.services import (
    audited_create,
    audited_delete,
    audited_update,
    editable_fields,
)
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User
from xinfang.orgs.services import may_administer
from xinfang.routing.models import ReferralRule

# --- referral rules (R-ROUTE-6) -----------------------------------------------------------

REFERRAL_RULE_FIELDS = editable_fields(ReferralRule)


def _require_administrator(actor: User) -> None:
    if not may_administer(actor):
        raise RuleViolation(gettext("只有系统管理员可以修改转其他部门规则。"))


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
