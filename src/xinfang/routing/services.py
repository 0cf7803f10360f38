"""Writes of the routing app: the record of each routing decision (R-ROUTE-1), and the
referral rules (R-ROUTE-6), each change of which is logged in the configuration audit log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from xinfang.configlog.services import (
    audited_create,
    audited_delete,
    audited_update,
    editable_fields,
)
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, User
from xinfang.orgs.services import may_administer
from xinfang.routing.models import ReferralRule, RuleNature, SuggestionModel
from xinfang.routing.terms import Category
from xinfang.routing.textmodel import KEYWORD_WEIGHT, train

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
    nature: str = RuleNature.ANY,
    any_category: bool = False,
    priority: int = 100,
    is_active: bool = True,
) -> ReferralRule:
    """A kind of matter outside the organization department's remit and where it goes."""
    _require_administrator(actor)
    rule = ReferralRule(
        topic=topic,
        keywords=keywords,
        nature=nature,
        any_category=any_category,
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


# --- the suggestion model (issue 11 item 4) -----------------------------------------------


def suggestion_model_train(
    *,
    office: Department | None,
    texts: Sequence[str],
    labels: Sequence[str],
    now: datetime,
    purpose: str = SuggestionModel.Purpose.CATEGORY,
) -> SuggestionModel:
    """Train the office's (or the global, office None) model and store it in place of the
    previous one. Category model: registered texts and their confirmed categories; referral
    model: referred matters' texts and the kind of department they went to. Both also learn
    the active referral rules' keywords (as "outside the remit", or as the rule's department
    kind). Refuses when fewer than two labels would be learnt."""
    rules = ReferralRule.objects.filter(is_active=True).order_by("priority", "id")
    keyed = [
        (k, Category.OUTSIDE_REMIT.value if purpose == "category" else r.department_kind)
        for r in rules
        for k in r.keyword_list
    ]
    all_texts = [*texts, *(k for k, _ in keyed for _ in range(KEYWORD_WEIGHT))]
    all_labels = [*labels, *(y for _, y in keyed for _ in range(KEYWORD_WEIGHT))]
    if len(set(all_labels)) < 2:
        raise RuleViolation(
            gettext("训练文本建议模型至少需要两种问题类别或转交部门类别的已登记信访件或关键词。")
        )
    model = train(all_texts, all_labels)
    with transaction.atomic():
        SuggestionModel.objects.filter(office=office, purpose=purpose).delete()
        return SuggestionModel.objects.create(
            office=office,
            purpose=purpose,
            model=model.to_json(),
            documents=len(texts),
            trained_at=now,
        )
