"""A closure is refused unless complete (R-CLOSE-3, R-CLOSE-4, R-CLOSE-5, R-CAT-4), and each
refusal says in Chinese what is missing, writing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import complete_closure, register, to_handling
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, Closure, State
from xinfang.core.errors import RuleViolation


def _handling(tree: Tree, **kw: Any) -> Case:
    return to_handling(register(tree.county_staff, **kw), tree.county_staff)


def _refused(tree: Tree, case: Case, data: dict[str, Any]) -> str:
    # Each caller checks the words of its own rule; every refusal cites a rule ID or names
    # the date that may not be later than today.
    with pytest.raises(RuleViolation, match=r"（R-(CLOSE|CAT)-\d）|不能晚于今天") as err:
        cs.closure_submit(actor=tree.county_staff, case=case, **data)
    assert Closure.objects.filter(case=case).count() == 0
    assert Case.objects.get(pk=case.pk).state == State.HANDLING
    return str(err.value)


@pytest.mark.parametrize(
    ("field", "words"),
    [("facts", "查明的事实"), ("decision", "处理意见"), ("policy_basis", "政策依据")],
)
def test_r_close_3_facts_decision_basis_required(tree: Tree, field: str, words: str) -> None:
    case = _handling(tree)
    data = complete_closure(case) | {field: "  "}
    message = _refused(tree, case, data)
    assert words in message and "R-CLOSE-3" in message


def test_r_close_3_procedure_checklist_complete(tree: Tree) -> None:
    case = _handling(tree)
    data = complete_closure(case) | {"procedure": ["registered", "investigated"]}
    message = _refused(tree, case, data)
    assert "办理手续不完备" in message and "听取被反映人或有关单位的说明" in message


def test_r_close_3_respondent_heard_only_for_accusations(tree: Tree) -> None:
    case = _handling(tree, nature="suggestion", category="organization_work")
    data = complete_closure(case)
    data["procedure"] = [p for p in data["procedure"] if p != "respondent_heard"]
    cs.closure_submit(actor=tree.county_staff, case=case, **data)
    assert Case.objects.get(pk=case.pk).state == State.CLOSING


def test_refusal_lists_every_missing_part_at_once(tree: Tree) -> None:
    case = _handling(tree, nature="appeal", category="policy_history")
    message = _refused(tree, case, {"procedure": []})
    for words in ("查明的事实", "处理意见", "政策依据", "办理手续", "本人对处理的意见", "见面"):
        assert words in message


@pytest.mark.parametrize("nature", ["appeal", "request"])
@pytest.mark.parametrize(
    "missing", ["petitioner_opinion", "conclusion_shown_on", "conclusion_shown_how"]
)
def test_r_close_4_appeals_and_requests_need_opinion_and_conclusion_shown(
    tree: Tree, nature: str, missing: str
) -> None:
    case = _handling(tree, nature=nature, category="policy_history")
    data = complete_closure(case) | {missing: None if missing.endswith("_on") else ""}
    assert "R-CLOSE-4" in _refused(tree, case, data)


def test_r_close_4_not_required_for_suggestions(tree: Tree) -> None:
    case = _handling(tree, nature="suggestion", category="organization_work")
    data = complete_closure(case) | {
        "petitioner_opinion": "",
        "conclusion_shown_on": None,
        "conclusion_shown_how": "",
    }
    cs.closure_submit(actor=tree.county_staff, case=case, **data)


def test_r_cat_4_personal_request_needs_one_of_three_outcomes(tree: Tree) -> None:
    case = _handling(tree, nature="request", category="personal_request")
    data = complete_closure(case) | {"personal_outcome": ""}
    assert "R-CAT-4" in _refused(tree, case, data)
    data["personal_outcome"] = "refused"
    cs.closure_submit(actor=tree.county_staff, case=case, **data)
    assert Closure.objects.get(case=case).personal_outcome == "refused"


def test_r_close_5_signed_accusation_needs_feedback_or_reason(tree: Tree) -> None:
    case = _handling(tree)  # signed accusation by default
    data = complete_closure(case) | {"feedback_on": None, "feedback_how": ""}
    assert "R-CLOSE-5" in _refused(tree, case, data)
    data["no_feedback_reason"] = "检举人已去世，无法反馈。"
    cs.closure_submit(actor=tree.county_staff, case=case, **data)


def test_r_close_5_anonymous_accusation_needs_no_feedback(tree: Tree) -> None:
    case = _handling(
        tree,
        petitioners=[],
        is_anonymous=True,
        anonymous_treatment="investigate",
        anonymous_reason="反映的时间、地点、人物具体，可以查证。",
    )
    data = complete_closure(case) | {"feedback_on": None, "feedback_how": ""}
    cs.closure_submit(actor=tree.county_staff, case=case, **data)
    assert Case.objects.get(pk=case.pk).state == State.CLOSING


def test_dates_in_the_future_are_refused(tree: Tree) -> None:
    import datetime as dt

    case = _handling(tree)
    data = complete_closure(case)
    data["feedback_on"] = data["feedback_on"] + dt.timedelta(days=3)
    assert "反馈日期不能晚于今天" in _refused(tree, case, data)


def test_returned_closure_stays_as_history_and_can_be_resubmitted(tree: Tree) -> None:
    case = _handling(tree)
    cs.closure_submit(actor=tree.county_staff, case=case, **complete_closure(case))
    leader2 = tree.staff(tree.county_org, "leader")
    with pytest.raises(RuleViolation, match="“退回理由”不能为空。"):
        cs.closure_return(actor=leader2, case=case, reasons="")
    cs.closure_return(actor=leader2, case=case, reasons="调查不充分，请补充证据。")
    cs.closure_submit(actor=tree.county_staff, case=case, **complete_closure(case))
    cs.closure_approve(actor=leader2, case=case)
    statuses = list(
        Closure.objects.filter(case=case).order_by("pk").values_list("status", flat=True)
    )
    assert statuses == ["returned", "approved"]


def test_closure_needs_a_leader_other_than_the_submitter(tree: Tree) -> None:
    case = _handling(tree)
    cs.closure_submit(actor=tree.county_staff, case=case, **complete_closure(case))
    with pytest.raises(RuleViolation, match="承办人以外"):
        cs.closure_approve(actor=tree.county_staff, case=case)


def test_roles_are_checked(tree: Tree) -> None:
    registrar = tree.staff(tree.county_org, "registrar")
    case = register(registrar)
    with pytest.raises(RuleViolation, match="部领导"):
        cs.case_read(actor=registrar, case=case, text="阅")
    with pytest.raises(RuleViolation, match="责任部门"):
        cs.case_read(actor=tree.baisha_staff, case=case, text="阅")
