"""Each action names the missing input in Chinese and writes nothing (base._required), and a
refusal carries the rules it rests on (`RuleViolation.rules`), which the API returns."""

from __future__ import annotations

import pytest

from tests.builders import register, to_closed, to_closing, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, CaseEvent
from xinfang.core.errors import RuleViolation


def _unchanged(case: Case, events: int) -> None:
    assert CaseEvent.objects.filter(case=case).count() == events


def test_read_needs_the_instruction_text(tree: Tree) -> None:
    case = register(tree.city_staff)
    with pytest.raises(RuleViolation, match=r"^“批示内容”不能为空。$"):
        cs.case_read(actor=tree.city_staff, case=case, text="  ")
    _unchanged(case, 1)


def test_filing_needs_a_reason(tree: Tree) -> None:
    case = to_read(register(tree.city_staff), tree.city_staff)
    with pytest.raises(RuleViolation, match=r"^“理由”不能为空。$"):
        cs.case_file(actor=tree.city_staff, case=case, reason="")
    _unchanged(case, 2)


def test_referring_needs_the_receiver_and_the_reason_with_its_rule(tree: Tree) -> None:
    case = to_read(register(tree.city_staff), tree.city_staff)
    with pytest.raises(RuleViolation) as refused:
        cs.case_refer(
            actor=tree.city_staff,
            case=case,
            reason=" ",
            explanation="",
            explained_on=None,
            explained_how="",
            to_department_name="",
        )
    assert refused.value.messages == [
        "“接收部门”不能为空。",
        "“理由”不能为空。",
        "转其他部门办理，须记录向信访人解释的内容、日期和方式（R-ROUTE-6）。",
        # Reported in the same refusal, not in a second round (the form shows them all).
        "所作决定与系统建议不同（建议自办：临江市委组织部），须说明理由（R-ROUTE-1）。",
    ]
    assert refused.value.rules == ("R-ROUTE-6", "R-ROUTE-1")
    _unchanged(case, 2)


def test_an_archived_case_refuses_with_its_rule(tree: Tree) -> None:
    leader = tree.staff(tree.city_org, "leader")
    case = to_closed(register(tree.city_staff), leader, tree.city_staff)
    case = cs.case_archive(actor=leader, case=case)
    with pytest.raises(RuleViolation, match="案件已归档") as refused:
        cs.case_instruct(actor=leader, case=case, text="再看看")
    assert refused.value.rules == ("R-CLOSE-7",)


def test_returning_a_closure_needs_the_reasons(tree: Tree) -> None:
    leader = tree.staff(tree.city_org, "leader")
    case = to_closing(register(tree.city_staff), leader, tree.city_staff)
    with pytest.raises(RuleViolation, match=r"^“退回理由”不能为空。$"):
        cs.closure_return(actor=leader, case=case, reasons="")
    assert Case.objects.get(pk=case.pk).state == "closing"
