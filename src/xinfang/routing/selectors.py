"""Reads for routing: the active referral rules as plain facts, and the rules in Chinese. The
adapter from a case to `RoutingFacts` is cases/routing.py (`facts_for_case`)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.core.citations import on_screen
from xinfang.orgs.models import DepartmentKind
from xinfang.routing.models import ReferralRule, RuleNature, SuggestionModel
from xinfang.routing.proposal import (
    ReferralRuleFacts,
)
from xinfang.routing.textmodel import TextModel

# Parsed models by row and training time: the page asks while the registrar types, and
# parsing a large model's JSON each time would cost more than the prediction.
_PARSED: dict[tuple[int, str, int | None, str, int], TextModel] = {}


def referral_rules() -> tuple[ReferralRuleFacts, ...]:
    """The active referral rules in matching order (R-ROUTE-6)."""
    return tuple(
        ReferralRuleFacts(
            topic=r.topic,
            keywords=r.keyword_list,
            department_kind=r.department_kind,
            explanation=r.explanation,
            nature=r.nature,
            any_category=r.any_category,
        )
        for r in ReferralRule.objects.filter(is_active=True).order_by("priority", "id")
    )


def suggestion_model_for(
    office_id: int | None, purpose: str = SuggestionModel.Purpose.CATEGORY
) -> TextModel | None:
    """The office's own model for `purpose`, else the deployment's global one, else None."""
    rows = SuggestionModel.objects.filter(purpose=purpose).defer("model")
    row = (
        rows.filter(office_id=office_id).order_by("-trained_at").first()
        if office_id is not None
        else None
    ) or rows.filter(office__isnull=True).order_by("-trained_at").first()
    if row is None:
        return None
    key = (row.pk, purpose, row.office_id, row.trained_at.isoformat(), row.documents)
    if key not in _PARSED:
        if len(_PARSED) >= 8:  # a few offices' models per process; the oldest goes first
            del _PARSED[next(iter(_PARSED))]
        _PARSED[key] = TextModel.from_json(row.model)
    return _PARSED[key]


def describe_rule(rule: ReferralRule) -> str:
    """One referral rule as an administrator reads it."""
    kind = str(DepartmentKind(rule.department_kind).label)
    state = "" if rule.is_active else gettext("（已停用）")
    accusation = rule.nature == RuleNature.ACCUSATION
    if rule.keyword_list and rule.any_category:
        words = "、".join(rule.keyword_list)
        if accusation:
            head = gettext(
                "检举揭发的内容涉及“%(words)s”等的，不论登记的问题类别，登记时建议按“%(topic)s”"
                "转%(kind)s办理"
            ) % {"words": words, "topic": rule.topic, "kind": kind}
        else:
            head = gettext(
                "来信来访内容涉及“%(words)s”等的，不论登记的问题类别，登记时建议按“%(topic)s”"
                "转%(kind)s办理"
            ) % {"words": words, "topic": rule.topic, "kind": kind}
    elif rule.keyword_list:
        words = "、".join(rule.keyword_list)
        if accusation:
            words = gettext("%(words)s（仅检举揭发）") % {"words": words}
        head = gettext(
            "不属于组织部门业务范围的来信来访，内容涉及“%(words)s”等的，按“%(topic)s”转%(kind)s办理"
        ) % {"words": words, "topic": rule.topic, "kind": kind}
    else:
        head = gettext(
            "不属于组织部门业务范围、其他规则都不适用的来信来访，按“%(topic)s”转%(kind)s办理"
        ) % {"topic": rule.topic, "kind": kind}
    # R-ROUTE-6: the rows of the data are the referrals' local details; an administrator's
    # page, so the sentence names no rule ID.
    return gettext(
        "%(head)s；转交时向信访人解释：%(explanation)s（匹配顺序%(priority)s）%(state)s"
    ) % {"head": head, "explanation": rule.explanation, "priority": rule.priority, "state": state}


def describe_rules() -> list[str]:
    """The current referral rules, then the fixed principles, as Chinese sentences; a
    principle's rules by their grounds (the document and section), not by ID."""
    rules = [describe_rule(r) for r in ReferralRule.objects.order_by("priority", "id")]
    return [*rules, *(on_screen(str(p)) for p in PRINCIPLES)]


# The principles in code (proposal.py), stated for administrators; they are not editable.
PRINCIPLES: tuple[StrOrPromise, ...] = (
    _(
        "匿名信件经登记定为“存查备考”的，建议存查；但反映本级主要领导干部的，不由本部门存查，"
        "报送上级（R-INTAKE-4、R-ROUTE-3）。"
    ),
    _(
        "干部本人的个人问题（入党和参加工作时间、离退休、职级待遇），按登记的当事干部的管理权限，"
        "由管理该干部的党委的组织部门办理（R-CAT-4、R-ROUTE-2）。"
    ),
    _(
        "反映干部问题的，按照干部管理权限，由管理该干部的党委的组织部门调查处理；"
        "本级管理的自办，下级管理的转办或交办，上级管理的报送上级（R-ROUTE-2）。"
    ),
    _(
        "反映主要领导干部问题的，不转给其同级组织部门查处，改由上一级组织部门负责；该组织部门"
        "不能自办、存查、转办或交办，也不能通过收回、退回重办、并案或重信重访持有此类事项（R-ROUTE-3）。"
    ),
    _(
        "反映领导干部的不正之风或组织、干部工作问题属于重要问题，下级办理时上一级组织部门应当过问；"
        "交办下级并要求报结果（R-ROUTE-4、R-ROUTE-7）。"
    ),
    _(
        "被反映人为县处级以上干部或县级以上党委主要领导干部的，建议列为重点案件，"
        "由地级以上组织部门直接查办（R-ROUTE-5）。"
    ),
    _("其他情况建议自办，自办为主、多办少转（R-ROUTE-7）。"),
)
