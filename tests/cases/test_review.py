"""The review chain of the 2022 rules: 复查 by the department one level up, 复核 one level
above that, each applied for and decided within its clock; after 复核 the same matter is not
accepted again. Under the 1987 notice (no review chain) it is refused."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from tests.builders import register, to_closed
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.access import cases_visible_to
from xinfang.cases.models import Case, CaseEvent, Review, State
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate
from xinfang.petitions.models import Petition


@pytest.fixture
def rules_2022(tree: Tree) -> None:
    admin = tree.staff(tree.prov_org, "administrator")
    rule_set_activate(actor=admin, rule_set=RuleSet.objects.get(code="2022"))


def _closed(tree: Tree) -> Case:
    return to_closed(
        register(tree.county_staff), tree.staff(tree.county_org, "leader"), tree.county_staff
    )


def _apply(tree: Tree, case: Case, **kw: Any) -> Review:
    args: dict[str, Any] = {
        "applied_on": timezone.localdate(),
        "request": "对处理意见不服，请求复查",
    }
    args.update(kw)
    return cs.review_apply(actor=tree.city_staff, case=case, **args)


@pytest.mark.usefixtures("rules_2022")
def test_whole_chain_then_no_further_acceptance(tree: Tree) -> None:
    case = _closed(tree)
    review = _apply(tree, case)
    case.refresh_from_db()
    assert case.state == State.REVIEWING and review.department == tree.city_org
    assert review.due_on >= review.applied_on + dt.timedelta(days=30)
    assert cases_visible_to(tree.city_staff).filter(pk=case.pk).exists()
    cs.review_decide(
        actor=tree.city_staff, case=case, outcome="upheld", opinion="原处理意见正确，予以维持"
    )
    case.refresh_from_db()
    assert (case.state, case.review_stage) == (State.CLOSED, "reviewed")
    with pytest.raises(RuleViolation, match="已经复查"):
        _apply(tree, case)
    rereview = cs.rereview_apply(
        actor=tree.prov_staff, case=case, applied_on=timezone.localdate(), request="对复查意见不服"
    )
    assert rereview.department == tree.prov_org
    assert Case.objects.get(pk=case.pk).state == State.REREVIEWING
    cs.rereview_decide(actor=tree.prov_staff, case=case, outcome="upheld", opinion="维持复查意见")
    case.refresh_from_db()
    assert (case.state, case.review_stage) == (State.CLOSED, "final")
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-4:] == ["review_apply", "review_decide", "rereview_apply", "rereview_decide"]
    # The same matter again: registered (R-INTAKE-1), linked, but not accepted.
    with pytest.raises(RuleViolation, match="复核终结"):
        cs.rereview_apply(
            actor=tree.prov_staff, case=case, applied_on=timezone.localdate(), request="再次申请"
        )
    reg = register(tree.county_staff, repeat_of=case)
    petition = Petition.objects.filter(case=reg).latest("pk")
    assert "不再受理" in petition.not_accepted_reason


@pytest.mark.usefixtures("rules_2022")
def test_review_orders_the_case_handled_again(tree: Tree) -> None:
    case = _closed(tree)
    _apply(tree, case)
    cs.review_decide(
        actor=tree.city_staff, case=case, outcome="redo", opinion="事实不清，责令重新办理"
    )
    case.refresh_from_db()
    assert (case.state, case.review_stage, case.closed_at) == (State.HANDLING, "", None)


@pytest.mark.usefixtures("rules_2022")
def test_review_refusals(tree: Tree) -> None:
    case = _closed(tree)
    with pytest.raises(RuleViolation, match="复核须在复查之后"):
        cs.rereview_apply(
            actor=tree.prov_staff, case=case, applied_on=timezone.localdate(), request="x"
        )
    with pytest.raises(RuleViolation, match="责任部门（临江市委组织部）"):
        cs.review_apply(
            actor=tree.county_staff, case=case, applied_on=timezone.localdate(), request="不服"
        )
    with pytest.raises(RuleViolation, match="事项和理由"):
        _apply(tree, case, request="")
    with pytest.raises(RuleViolation, match="不能晚于今天"):
        _apply(tree, case, applied_on=timezone.localdate() + dt.timedelta(days=1))
    _apply(tree, case)
    with pytest.raises(RuleViolation, match="请选择结论"):
        cs.review_decide(actor=tree.city_staff, case=case, outcome="", opinion="x")
    with pytest.raises(RuleViolation, match="复查意见"):
        cs.review_decide(actor=tree.city_staff, case=case, outcome="upheld", opinion="")
    assert Case.objects.get(pk=case.pk).state == State.REVIEWING


@pytest.mark.usefixtures("rules_2022")
def test_late_application_is_refused(tree: Tree) -> None:
    case = _closed(tree)
    closed_on = timezone.localdate(case.closed_at)
    later = timezone.now() + dt.timedelta(days=45)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        pytest.raises(RuleViolation, match="已超过申请复查的期限"),
    ):
        _apply(tree, case, applied_on=closed_on + dt.timedelta(days=44))


@pytest.mark.usefixtures("rules_2022")
def test_archive_waits_for_the_review_window(tree: Tree) -> None:
    case = _closed(tree)
    with pytest.raises(RuleViolation, match="期满后方可归档"):
        cs.case_archive(actor=tree.county_staff, case=case)
    later = timezone.now() + dt.timedelta(days=40)
    with mock.patch("django.utils.timezone.now", return_value=later):
        cs.case_archive(actor=tree.county_staff, case=case)
    assert Case.objects.get(pk=case.pk).state == State.ARCHIVED


def test_no_review_chain_under_the_1987_notice(tree: Tree) -> None:
    case = _closed(tree)
    with pytest.raises(RuleViolation, match="没有复查程序"):
        _apply(tree, case)
    assert Review.objects.count() == 0


@pytest.mark.usefixtures("rules_2022")
def test_no_further_acceptance_judged_on_the_current_case(tree: Tree) -> None:
    """The not-accepted mark reads the locked case, not the caller's stale copy, and holds
    for a case archived after its 复核 too."""
    case = _closed(tree)
    stale = Case.objects.get(pk=case.pk)
    _apply(tree, case)
    cs.review_decide(actor=tree.city_staff, case=case, outcome="upheld", opinion="维持")
    cs.rereview_apply(
        actor=tree.prov_staff, case=case, applied_on=timezone.localdate(), request="不服"
    )
    cs.rereview_decide(actor=tree.prov_staff, case=case, outcome="upheld", opinion="维持")
    register(tree.county_staff, repeat_of=stale)  # loaded before the 复核
    assert "不再受理" in Petition.objects.filter(case=case).latest("pk").not_accepted_reason
    cs.case_archive(actor=tree.county_staff, case=case)
    new = register(tree.county_staff, repeat_of=case)
    assert new.previous_case_id == case.pk
    assert "不再受理" in Petition.objects.get(case=new).not_accepted_reason


# Refusals under review that come from a check before the state check.
# (The test's actors are the county's staff and the province's, so a second application is
# refused for its department before its state; ACT's report actions name no lower case.)
UNDER_REVIEW_REFUSAL: dict[tuple[str, str], str] = {
    ("reviewing", "return_report"): "该案件不是本部门交办的案件。",
    ("reviewing", "review_apply"): "只有责任部门（临江市委组织部）可以办理此案件（R-ROUTE-1）。",
    ("reviewing", "rereview_apply"): "复核须在复查之后申请。",
    ("reviewing", "rereview_decide"): "没有待答复的复核申请。",
    ("rereviewing", "return_report"): "该案件不是本部门交办的案件。",
    (
        "rereviewing",
        "review_apply",
    ): "该事项已经复查，不能再次申请复查；对复查意见不服的可申请复核。",
    ("rereviewing", "review_decide"): "没有待答复的复查申请。",
    # Unmerge leaves only 已并案, by the table of moves back (test_transitions.OWN_REFUSAL).
    ("reviewing", "unmerge"): "只有已并案的案件可以撤销并案（案件当前状态为“复查中”）。",
    ("rereviewing", "unmerge"): "只有已并案的案件可以撤销并案（案件当前状态为“复核中”）。",
}


@pytest.mark.usefixtures("rules_2022")
@pytest.mark.parametrize("stage", ["reviewing", "rereviewing"])
def test_every_other_action_is_refused_under_review(tree: Tree, stage: str) -> None:
    """The transitions table, from the two review states: every action it does not allow is
    refused in Chinese and writes nothing (the allowed ones are walked above)."""
    from tests.cases.test_transitions import (
        ACT,
        ACTIONS,
        COMPOUND,
        EXPECTED,
        LABELS,
        STATE_LABELS,
        Ctx,
        _snapshot,
    )

    case = _closed(tree)
    _apply(tree, case)
    if stage == "rereviewing":
        cs.review_decide(actor=tree.city_staff, case=case, outcome="upheld", opinion="维持")
        cs.rereview_apply(
            actor=tree.prov_staff, case=case, applied_on=timezone.localdate(), request="不服"
        )
    case.refresh_from_db()
    assert case.state == stage
    ctx = Ctx(
        tree=tree,
        staff=tree.county_staff,
        leader2=tree.staff(tree.county_org, "leader"),
        other=register(tree.county_staff),
    )
    for action in ACTIONS:  # the answer key of test_transitions.py, not the code's table
        if action in COMPOUND or action in EXPECTED[State(stage)]:
            continue
        refusal = UNDER_REVIEW_REFUSAL.get(
            (stage, action),
            f"案件当前状态为“{STATE_LABELS[State(stage)]}”，不能进行“{LABELS[action]}”操作",
        )
        before = _snapshot()
        with pytest.raises(RuleViolation, match=re.escape(refusal)):
            ACT[action](ctx, Case.objects.get(pk=case.pk))
        assert _snapshot() == before, action
        assert Case.objects.get(pk=case.pk).state == stage
