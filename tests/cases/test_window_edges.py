"""Every time window of the case services on its first day, its last day and the day after.

Dates are fixed (services run as of a given local day through `at`), and every expected last
day is worked out by hand in the comments, not computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.builders import at, complete_closure, register, to_closed, to_handling, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, Closure, OverdueExplanation, Review, State
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate

D = dt.date


@pytest.fixture
def rules_2022(tree: Tree) -> None:
    admin = tree.staff(tree.prov_org, "administrator")
    rule_set_activate(actor=admin, rule_set=RuleSet.objects.get(code="2022"))


def _closed_on(tree: Tree, day: D) -> Case:
    with at(day.year, day.month, day.day):
        return to_closed(
            register(tree.county_staff), tree.staff(tree.county_org, "leader"), tree.county_staff
        )


# --- Archive waits for the review window (2022 rules: 30 calendar days, rolled past rest days)


@pytest.mark.usefixtures("rules_2022")
def test_archive_refused_through_the_last_day_of_the_review_window(tree: Tree) -> None:
    # Closed Monday 3 March 2025; 30 days later is Wednesday 2 April, a working day.
    case = _closed_on(tree, D(2025, 3, 3))
    refusal = re.escape("申请复查的期限至2025年04月02日届满，期满后方可归档。")
    for day in (D(2025, 3, 3), D(2025, 4, 2)):  # first day, last day
        with at(day.year, day.month, day.day), pytest.raises(RuleViolation, match=refusal):
            cs.case_archive(actor=tree.county_staff, case=case)
    with at(2025, 4, 3):  # the day after
        cs.case_archive(actor=tree.county_staff, case=case)
    assert Case.objects.get(pk=case.pk).state == State.ARCHIVED


@pytest.mark.usefixtures("rules_2022")
def test_archive_after_a_review_waits_for_the_rereview_window(tree: Tree) -> None:
    # Closed 3 March 2025; review applied and decided on Monday 10 March; the 复核 window
    # runs 30 days from the decision: Wednesday 9 April 2025, a working day.
    case = _closed_on(tree, D(2025, 3, 3))
    with at(2025, 3, 10):
        cs.review_apply(actor=tree.city_staff, case=case, applied_on=D(2025, 3, 10), request="不服")
        cs.review_decide(actor=tree.city_staff, case=case, outcome="upheld", opinion="维持")
    refusal = re.escape("申请复核的期限至2025年04月09日届满，期满后方可归档。")
    for day in (D(2025, 3, 10), D(2025, 4, 9)):
        with at(day.year, day.month, day.day), pytest.raises(RuleViolation, match=refusal):
            cs.case_archive(actor=tree.county_staff, case=case)
    with at(2025, 4, 10):
        cs.case_archive(actor=tree.county_staff, case=case)
    assert Case.objects.get(pk=case.pk).state == State.ARCHIVED


# --- Review and re-review applications (2022 rules: 30 days from the answer) -------------


@pytest.mark.usefixtures("rules_2022")
@pytest.mark.parametrize(
    ("applied_on", "accepted"),
    [(D(2025, 3, 3), True), (D(2025, 4, 2), True), (D(2025, 4, 3), False)],
    ids=["first_day", "last_day", "day_after"],
)
def test_review_application_window(tree: Tree, applied_on: D, accepted: bool) -> None:
    case = _closed_on(tree, D(2025, 3, 3))
    with at(2025, 4, 20):
        if accepted:
            cs.review_apply(actor=tree.city_staff, case=case, applied_on=applied_on, request="不服")
            assert Case.objects.get(pk=case.pk).state == State.REVIEWING
        else:
            refusal = re.escape("已超过申请复查的期限（2025年04月02日前），不予受理。")
            with pytest.raises(RuleViolation, match=refusal):
                cs.review_apply(
                    actor=tree.city_staff, case=case, applied_on=applied_on, request="不服"
                )
            assert Review.objects.filter(case=case).count() == 0


@pytest.mark.usefixtures("rules_2022")
@pytest.mark.parametrize(
    ("applied_on", "accepted"),
    [(D(2025, 3, 10), True), (D(2025, 4, 9), True), (D(2025, 4, 10), False)],
    ids=["first_day", "last_day", "day_after"],
)
def test_rereview_application_window(tree: Tree, applied_on: D, accepted: bool) -> None:
    case = _closed_on(tree, D(2025, 3, 3))
    with at(2025, 3, 10):
        cs.review_apply(actor=tree.city_staff, case=case, applied_on=D(2025, 3, 10), request="不服")
        cs.review_decide(actor=tree.city_staff, case=case, outcome="upheld", opinion="维持")
    with at(2025, 4, 20):
        if accepted:
            cs.rereview_apply(
                actor=tree.prov_staff, case=case, applied_on=applied_on, request="不服复查"
            )
            assert Case.objects.get(pk=case.pk).state == State.REREVIEWING
        else:
            refusal = re.escape("已超过申请复核的期限（2025年04月09日前），不予受理。")
            with pytest.raises(RuleViolation, match=refusal):
                cs.rereview_apply(
                    actor=tree.prov_staff, case=case, applied_on=applied_on, request="不服复查"
                )
            assert Review.objects.filter(case=case).count() == 1


@pytest.mark.usefixtures("rules_2022")
def test_review_application_dated_today_is_accepted_tomorrow_refused(tree: Tree) -> None:
    case = _closed_on(tree, D(2025, 3, 3))
    with at(2025, 3, 5), pytest.raises(RuleViolation, match="申请日期不能晚于今天"):
        cs.review_apply(actor=tree.city_staff, case=case, applied_on=D(2025, 3, 6), request="不服")
    with at(2025, 3, 5):
        cs.review_apply(actor=tree.city_staff, case=case, applied_on=D(2025, 3, 5), request="不服")


# --- Objection to a case sent down (five working days from receipt) ----------------------


def test_objection_on_the_day_the_case_is_sent(tree: Tree) -> None:
    """First day of the window (the last day and the day after: test_objections.py)."""
    with at(2025, 9, 26):
        case = to_read(register(tree.city_staff), tree.city_staff)
        assignment = cs.case_assign_down(
            routing_note="按属地分办",
            actor=tree.city_staff,
            case=case,
            to_department=tree.county_org,
        )
        objection = cs.objection_raise(
            actor=tree.county_staff, assignment=assignment, reasons="不属本县管理权限"
        )
    assert objection.assignment_id == assignment.pk


# --- Instruction due dates (R-COUNTY-3) ------------------------------------------------------


def test_instruction_due_today_is_accepted_yesterday_refused(tree: Tree) -> None:
    with at(2025, 5, 12):
        case = register(tree.county_staff)
        with pytest.raises(RuleViolation, match="要求完成日期不能早于今天"):
            cs.case_read(actor=tree.county_staff, case=case, text="阅", due_on=D(2025, 5, 11))
        cs.case_read(actor=tree.county_staff, case=case, text="阅", due_on=D(2025, 5, 12))
    assert Case.objects.get(pk=case.pk).state == State.READ


# --- Dates told to the petitioner: today at the latest --------------------------------------


def test_referral_explained_today_accepted_tomorrow_refused(tree: Tree) -> None:
    def refer(case: Case, on: D) -> None:
        cs.case_refer(
            routing_note="按实际情况分办",
            actor=tree.city_staff,
            case=case,
            to_department=tree.city_court,
            reason="属诉讼事项",
            explanation="您反映的问题属法院受理范围，已转市中级人民法院。",
            explained_on=on,
            explained_how="书面告知",
        )

    with at(2025, 5, 12):
        case = to_read(register(tree.city_staff), tree.city_staff)
        with pytest.raises(RuleViolation, match="不能晚于今天"):
            refer(case, D(2025, 5, 13))
        refer(case, D(2025, 5, 12))
    assert Case.objects.get(pk=case.pk).state == State.REFERRED


@pytest.mark.parametrize(
    ("field", "label"), [("conclusion_shown_on", "见面日期"), ("feedback_on", "反馈日期")]
)
def test_closure_dates_today_accepted_tomorrow_refused(tree: Tree, field: str, label: str) -> None:
    with at(2025, 5, 12):
        case = to_handling(register(tree.county_staff, nature="appeal"), tree.county_staff)
        data = complete_closure(case)
        with pytest.raises(RuleViolation, match=f"{label}不能晚于今天。"):
            cs.closure_submit(actor=tree.county_staff, case=case, **data | {field: D(2025, 5, 13)})
        cs.closure_submit(actor=tree.county_staff, case=case, **data | {field: D(2025, 5, 12)})
    assert Closure.objects.filter(case=case).count() == 1


# --- Overdue explanations (R-CLOSE-2) --------------------------------------------------------


def test_overdue_explanation_only_from_the_day_after_the_due_date(tree: Tree) -> None:
    # Assigned on Monday 10 March 2025 with a result required: due three months later,
    # Tuesday 10 June 2025 (R-CLOSE-1; the 1987 notice does not roll past rest days).
    with at(2025, 3, 10):
        parent = to_read(register(tree.city_staff), tree.city_staff)
        assignment = cs.case_assign_down(
            routing_note="按属地分办",
            actor=tree.city_staff,
            case=parent,
            to_department=tree.county_org,
        )
    child = Case.objects.get(pk=assignment.child_id)
    assert child.due_on == D(2025, 6, 10)

    def explain(on: D) -> OverdueExplanation:
        return cs.overdue_explain(
            actor=tree.county_staff, case=child, reason="调查取证中", new_expected_on=on
        )

    for today in (D(2025, 3, 10), D(2025, 6, 10)):  # first day, last day: not overdue
        with (
            at(today.year, today.month, today.day),
            pytest.raises(RuleViolation, match=re.escape("案件未逾期，无需说明（R-CLOSE-2）。")),
        ):
            explain(D(2025, 7, 1))
    with at(2025, 6, 11):  # the day after: overdue
        with pytest.raises(RuleViolation, match=re.escape("须填写晚于今天的预计办结日期")):
            explain(D(2025, 6, 11))  # the new date must be later than today
        explanation = explain(D(2025, 6, 12))
    assert explanation.new_expected_on == D(2025, 6, 12)
