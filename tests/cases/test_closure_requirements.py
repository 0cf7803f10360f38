"""R-CLOSE-3, R-CLOSE-4, R-CLOSE-5, R-CAT-4: what a closure must contain, as a literal table.

The expected rows are written here from the rulebook, not read from cases.closure.
"""

from __future__ import annotations

import datetime as dt

import pytest

from xinfang.cases.closure import ClosureRequirements, closure_problems, closure_requirements

ALL_STEPS = (
    "registered",
    "investigated",
    "respondent_heard",
    "decision_approved",
    "materials_complete",
)
NO_RESPONDENT = ("registered", "investigated", "decision_approved", "materials_complete")

# (nature, category, signed accusation) -> (procedure, petitioner opinion, outcome, feedback)
TABLE = [
    # R-CLOSE-3 + R-CLOSE-5: a signed accusation hears the respondent and answers the accuser.
    ("accusation", "misconduct", True, ALL_STEPS, False, False, True),
    # An anonymous accusation has no one to answer (R-CLOSE-5 applies to signed ones only).
    ("accusation", "misconduct", False, ALL_STEPS, False, False, False),
    # R-CLOSE-4: appeals and requests — the petitioner's opinion and the conclusion shown.
    ("appeal", "misconduct", False, NO_RESPONDENT, True, False, False),
    ("request", "organization_work", False, NO_RESPONDENT, True, False, False),
    # R-CAT-4 + R-CLOSE-4: a personal request, whatever its nature.
    ("suggestion", "personal_request", False, NO_RESPONDENT, True, True, False),
    ("accusation", "personal_request", True, ALL_STEPS, True, True, True),
    # Opinions and suggestions: the R-CLOSE-3 core only.
    ("suggestion", "organization_work", False, NO_RESPONDENT, False, False, False),
    # `signed` means nothing for a case that is not an accusation.
    ("suggestion", "organization_work", True, NO_RESPONDENT, False, False, False),
]


@pytest.mark.parametrize(
    ("nature", "category", "signed", "procedure", "opinion", "outcome", "feedback"), TABLE
)
def test_closure_requirements_table(
    nature: str,
    category: str,
    signed: bool,
    procedure: tuple[str, ...],
    opinion: bool,
    outcome: bool,
    feedback: bool,
) -> None:
    assert closure_requirements(
        nature=nature, category=category, signed_accusation=signed
    ) == ClosureRequirements(
        procedure=procedure,
        petitioner_opinion=opinion,
        personal_outcome=outcome,
        accuser_feedback=feedback,
    )


TODAY = dt.date(2026, 6, 30)
CORE = {"facts": "事实", "decision": "意见", "policy_basis": "依据", "procedure": list(ALL_STEPS)}


def test_r_close_3_core_complete_and_missing() -> None:
    need = closure_requirements(
        nature="suggestion", category="organization_work", signed_accusation=False
    )
    assert closure_problems(need, CORE, TODAY) == []
    assert closure_problems(need, {**CORE, "policy_basis": "  "}, TODAY) == [
        "结案材料须写明政策依据（R-CLOSE-3）。"
    ]
    assert closure_problems(need, {**CORE, "procedure": ["registered"]}, TODAY) == [
        "办理手续不完备，尚缺：调查核实，取得证据、处理意见经领导审批或集体研究、"
        "案卷材料齐全（R-CLOSE-3）。"
    ]


def test_r_close_5_feedback_date_window() -> None:
    """The feedback date may be today (last day) and not tomorrow (the day after)."""
    need = closure_requirements(nature="accusation", category="misconduct", signed_accusation=True)
    given = {**CORE, "feedback_how": "电话"}
    assert closure_problems(need, {**given, "feedback_on": TODAY}, TODAY) == []
    assert closure_problems(
        need, {**given, "feedback_on": TODAY + dt.timedelta(days=1)}, TODAY
    ) == ["反馈日期不能晚于今天。"]
    assert closure_problems(need, CORE, TODAY) == [
        "署名检举的查处结果须向检举人反馈（记录日期和方式），或说明未反馈的理由（R-CLOSE-5）。"
    ]
    assert closure_problems(need, {**CORE, "no_feedback_reason": "联系不上"}, TODAY) == []


def test_r_cat_4_personal_outcome_must_be_one_of_three() -> None:
    need = closure_requirements(
        nature="suggestion", category="personal_request", signed_accusation=False
    )
    shown = {
        **CORE,
        "petitioner_opinion": "认可",
        "conclusion_shown_on": TODAY,
        "conclusion_shown_how": "当面",
    }
    assert closure_problems(need, {**shown, "personal_outcome": "granted"}, TODAY) == []
    assert closure_problems(need, {**shown, "personal_outcome": "maybe"}, TODAY) == [
        "个人问题须选择处理结果：按政策解决、参照政策酌情处理或不予解决（R-CAT-4）。"
    ]
