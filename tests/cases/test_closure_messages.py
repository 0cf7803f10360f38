"""A refused closure lists every missing part, each in its own words (R-CLOSE-3 to R-CLOSE-5,
R-CAT-4): the full list of messages is written out here, so a changed or lost message fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.builders import complete_closure, register, to_handling
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, Closure
from xinfang.core.errors import RuleViolation


def _messages(tree: Tree, case: Case, data: dict[str, Any]) -> list[str]:
    with pytest.raises(RuleViolation, match=r"（R-|未知项目") as err:
        cs.closure_submit(actor=tree.county_staff, case=case, **data)
    assert Closure.objects.filter(case=case).count() == 0
    return list(err.value.messages)


def test_everything_missing_is_listed_in_full(tree: Tree) -> None:
    """A signed accusation about a personal request: every rule of the closure applies.
    Nothing given at all (the fields absent, not blank)."""
    case = to_handling(
        register(tree.county_staff, category="personal_request", nature="accusation"),
        tree.county_staff,
    )
    assert _messages(tree, case, {}) == [
        "结案材料须写明查明的事实（R-CLOSE-3）。",
        "结案材料须写明处理意见（R-CLOSE-3）。",
        "结案材料须写明政策依据（R-CLOSE-3）。",
        "办理手续不完备，尚缺：登记并经领导阅批、调查核实，取得证据、听取被反映人或有关单位的说明、"
        "处理意见经领导审批或集体研究、案卷材料齐全（R-CLOSE-3）。",
        "申诉或个人问题的结案材料须写明本人对处理的意见（R-CLOSE-4）。",
        "申诉或个人问题的结论须与本人见面，并记录见面日期和方式（R-CLOSE-4）。",
        "个人问题须选择处理结果：按政策解决、参照政策酌情处理或不予解决（R-CAT-4）。",
        "署名检举的查处结果须向检举人反馈（记录日期和方式），或说明未反馈的理由（R-CLOSE-5）。",
    ]


def test_an_unknown_procedure_item_is_refused(tree: Tree) -> None:
    case = to_handling(register(tree.county_staff), tree.county_staff)
    data = complete_closure(case)
    data["procedure"] = [*data["procedure"], "signed_by_petitioner"]
    assert _messages(tree, case, data) == ["办理手续中有未知项目。"]


@pytest.mark.parametrize(
    "feedback",
    [
        {"feedback_on": timezone.localdate, "feedback_how": "  "},  # the date without the how
        {"feedback_on": timezone.localdate},  # the how absent
        {"feedback_how": "电话告知"},  # the how without the date
    ],
    ids=["how_blank", "how_absent", "date_absent"],
)
def test_r_close_5_feedback_needs_both_date_and_how(tree: Tree, feedback: dict[str, Any]) -> None:
    case = to_handling(register(tree.county_staff), tree.county_staff)  # signed accusation
    data = complete_closure(case)
    del data["feedback_on"], data["feedback_how"]
    data |= {k: v() if callable(v) else v for k, v in feedback.items()}
    assert _messages(tree, case, data) == [
        "署名检举的查处结果须向检举人反馈（记录日期和方式），或说明未反馈的理由（R-CLOSE-5）。"
    ]
