"""What a closure must contain (R-CLOSE-3 to R-CLOSE-5, R-CAT-4): one definition.

`closure_requirements` says, for a case's nature and category and whether a signed
accusation is among its petitions, which parts a closure needs; `closure_problems` lists,
in Chinese, what a submitted closure lacks. The closure service refuses with it, and the
demo and the test builders fill a closure from the same requirements, so a new requirement
reaches them all at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from xinfang.cases.family import petitions_of_case
from xinfang.cases.models import PROCEDURE_CHECKLIST, Assignment, Case, PersonalOutcome
from xinfang.routing.terms import Category, Nature

# The fields a closure is submitted with (Closure model columns a handler fills).
CLOSURE_FIELDS = (
    "facts",
    "decision",
    "policy_basis",
    "procedure",
    "personal_outcome",
    "petitioner_opinion",
    "conclusion_shown_on",
    "conclusion_shown_how",
    "feedback_on",
    "feedback_how",
    "no_feedback_reason",
)


@dataclass(frozen=True)
class ClosureRequirements:
    """The parts a closure of one case must have. Facts, decision and policy basis are
    always required (R-CLOSE-3); the rest depend on the case."""

    # R-CLOSE-3 手续完备: the checklist items that must be ticked, in checklist order.
    procedure: tuple[str, ...]
    # R-CLOSE-4: appeals, requests and personal requests — the petitioner's opinion and the
    # conclusion shown to him (date and manner).
    petitioner_opinion: bool
    # R-CAT-4: a personal request is granted, handled as a special case, or refused.
    personal_outcome: bool
    # R-CLOSE-5: a signed accusation — feedback to the accuser, or the reason for none.
    accuser_feedback: bool


def closure_requirements(
    *, nature: str, category: str, signed_accusation: bool
) -> ClosureRequirements:
    """R-CLOSE-3, R-CLOSE-4, R-CLOSE-5, R-CAT-4 as data. `signed_accusation`: the case is an
    accusation and at least one of its petitions is signed."""
    personal = category == Category.PERSONAL_REQUEST
    return ClosureRequirements(
        # The respondent is heard only where there is one: accusations (R-CLOSE-3).
        procedure=tuple(
            k for k in PROCEDURE_CHECKLIST if k != "respondent_heard" or nature == Nature.ACCUSATION
        ),
        petitioner_opinion=nature in (Nature.APPEAL, Nature.REQUEST) or personal,
        personal_outcome=personal,
        accuser_feedback=signed_accusation and nature == Nature.ACCUSATION,
    )


def closure_requirements_of(case: Case) -> ClosureRequirements:
    """The requirements for `case`, reading whether any of its petitions is signed."""
    signed = (
        case.nature == Nature.ACCUSATION
        and petitions_of_case(case).filter(is_anonymous=False).exists()
    )
    return closure_requirements(
        nature=case.nature, category=case.category, signed_accusation=signed
    )


def _blank(value: Any) -> bool:
    return not (value or "").strip()


def closure_problems(
    need: ClosureRequirements, data: Mapping[str, Any], today: dt.date
) -> list[str]:
    """Everything missing from closure `data` against `need`, each in Chinese with its rule
    ID; empty when the closure is complete."""
    errors: list[str] = []
    # R-CLOSE-3: 事实清楚，处理恰当，手续完备.
    required = (
        ("facts", gettext("查明的事实")),
        ("decision", gettext("处理意见")),
        ("policy_basis", gettext("政策依据")),
    )
    for key, label in required:
        if _blank(data.get(key)):
            errors.append(gettext("结案材料须写明%(label)s（R-CLOSE-3）。") % {"label": label})
    done = set(data.get("procedure") or [])
    missing = [str(PROCEDURE_CHECKLIST[k]) for k in need.procedure if k not in done]
    if missing:
        errors.append(
            gettext("办理手续不完备，尚缺：%(join)s（R-CLOSE-3）。") % {"join": "、".join(missing)}
        )
    if done - set(PROCEDURE_CHECKLIST):
        errors.append(gettext("办理手续中有未知项目。"))
    # R-CLOSE-4: appeals and personal requests — the petitioner's opinion, conclusion shown.
    if need.petitioner_opinion:
        if _blank(data.get("petitioner_opinion")):
            errors.append(gettext("申诉或个人问题的结案材料须写明本人对处理的意见（R-CLOSE-4）。"))
        if not data.get("conclusion_shown_on") or _blank(data.get("conclusion_shown_how")):
            errors.append(
                gettext("申诉或个人问题的结论须与本人见面，并记录见面日期和方式（R-CLOSE-4）。")
            )
    # R-CAT-4: personal requests — granted, special case, or refused, with policy cited.
    if need.personal_outcome and data.get("personal_outcome") not in PersonalOutcome.values:
        errors.append(
            gettext("个人问题须选择处理结果：按政策解决、参照政策酌情处理或不予解决（R-CAT-4）。")
        )
    # R-CLOSE-5: signed accusations — feedback to the accuser, or why none.
    if need.accuser_feedback:
        gave = data.get("feedback_on") and not _blank(data.get("feedback_how"))
        if not gave and _blank(data.get("no_feedback_reason")):
            errors.append(
                gettext(
                    "署名检举的查处结果须向检举人反馈（记录日期和方式），或说明未反馈的理由（R-CLOSE-5）。"
                )
            )
    for key, label in (
        ("conclusion_shown_on", gettext("见面日期")),
        ("feedback_on", gettext("反馈日期")),
    ):
        value = data.get(key)
        if value and value > today:
            errors.append(gettext("%(label)s不能晚于今天。") % {"label": label})
    return errors


def awaits_acceptance(case: Case) -> bool:
    """R-CLOSE-6: a case whose result is reported up is not finished here (not archived)
    until the sender has accepted the report."""
    return (
        case.result_required
        and not Assignment.objects.filter(child=case, accepted_at__isnull=False).exists()
    )
