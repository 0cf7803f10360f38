"""Sending cases down and reporting results up (R-CLOSE-1, R-CLOSE-6, R-ROUTE-3, R-SUPER-2)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from tests.builders import RespondentInput, at, complete_closure, register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.access import cases_visible_to
from xinfang.cases.models import Assignment, Case, CaseEvent, RoutingDecision, State
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.clocks import add_months
from xinfang.petitions.services import PetitionerInput


def _assigned(tree: Tree) -> tuple[Case, Case]:
    case = to_read(register(tree.city_staff), tree.city_staff)
    assignment = cs.case_assign_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=case,
        to_department=tree.county_org,
    )
    return Case.objects.get(pk=case.pk), assignment.child


def _closed_child(tree: Tree, child: Case) -> Case:
    staff = tree.county_staff
    child = cs.case_handle_here(
        actor=staff, handler=staff, case=cs.case_read(actor=staff, case=child, text="办理")
    )
    cs.closure_submit(actor=staff, case=child, **complete_closure(child))
    leader2 = tree.staff(tree.county_org, "leader")
    cs.closure_approve(actor=leader2, case=child, review_opinion="经审查，事实清楚，同意结案。")
    return Case.objects.get(pk=child.pk)


def test_r_close_1_assigned_result_due_three_months_after_assignment(tree: Tree) -> None:
    parent, child = _assigned(tree)
    today = timezone.localdate()
    assert child.due_on == add_months(today, 3)
    assert parent.due_on == child.due_on
    assert child.result_required and child.parent_id == parent.pk
    assert parent.state == State.HANDLING and parent.handling_mode == "assign"


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 11, 30), dt.date(2027, 2, 28)),
        (dt.date(2027, 11, 30), dt.date(2028, 2, 29)),
        (dt.date(2026, 3, 15), dt.date(2026, 6, 15)),
    ],
)
def test_r_close_1_three_months_clamps_to_month_end(start: dt.date, due: dt.date) -> None:
    assert add_months(start, 3) == due


def test_transfer_down_needs_no_result_and_sender_follows(tree: Tree) -> None:
    case = to_read(register(tree.city_staff), tree.city_staff)
    assignment = cs.case_transfer_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=case,
        to_department=tree.county_org,
    )
    case.refresh_from_db()
    assert case.state == State.TRANSFERRED
    assert not assignment.child.result_required and assignment.child.due_on is None
    # R-SUPER-2: the sender keeps seeing the case below, the receiver sees its own.
    assert cases_visible_to(tree.city_staff).filter(pk=assignment.child.pk).exists()
    assert cases_visible_to(tree.county_staff).filter(pk=assignment.child.pk).exists()
    assert not cases_visible_to(tree.baisha_staff).filter(pk=assignment.child.pk).exists()
    # R-INTAKE-6: the receiver's case records where it came from.
    first = CaseEvent.objects.get(case=assignment.child, seq=1)
    assert first.kind == "received_from_upper" and first.payload["parent"] == case.pk


def test_receipt_is_recorded_once(tree: Tree) -> None:
    _, child = _assigned(tree)
    a = cs.assignment_receive(actor=tree.county_staff, assignment=child.assignment_in)
    again = cs.assignment_receive(actor=tree.county_staff, assignment=a)
    assert again.received_at == a.received_at
    assert CaseEvent.objects.filter(case=child, kind="receive_assignment").count() == 1


def test_only_downwards(tree: Tree) -> None:
    case = to_read(register(tree.county_staff), tree.county_staff)
    with pytest.raises(RuleViolation, match="不是本级以下"):
        cs.case_transfer_down(
            routing_note="按实际情况分办",
            actor=tree.county_staff,
            case=case,
            to_department=tree.city_org,
        )
    with pytest.raises(RuleViolation, match="不是本级以下"):
        cs.case_assign_down(
            routing_note="按实际情况分办",
            actor=tree.county_staff,
            case=case,
            to_department=tree.baisha_org,
        )


def test_r_route_3_never_to_same_level_org_department_of_main_leader(tree: Tree) -> None:
    case = register(tree.city_staff, respondents=[RespondentInput(cadre=tree.county_secretary)])
    case = to_read(case, tree.city_staff)
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        cs.case_assign_down(
            routing_note="按实际情况分办",
            actor=tree.city_staff,
            case=case,
            to_department=tree.county_org,
        )
    assert "周建国" in str(err.value)
    assert Assignment.objects.count() == 0
    # Another county's organization department is not the same-level one.
    cs.case_assign_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=case,
        to_department=tree.baisha_org,
    )


def test_r_route_3_r_county_5_never_to_the_units_personnel_department(tree: Tree) -> None:
    """R-ROUTE-3 with R-COUNTY-5: in a unit, the personnel department plays the organization
    department's part, so a case about the unit's main leader is never sent to it."""
    from xinfang.orgs.services import cadre_create

    chairman = cadre_create(
        name="冯志强",
        title="党委书记、董事长",
        jurisdiction=tree.energy,
        managing_jurisdiction=tree.province,
        rank="bureau",
        is_main_leader=True,
    )
    case = to_read(
        register(tree.prov_staff, respondents=[RespondentInput(cadre=chairman)]), tree.prov_staff
    )
    expected = (
        "本案反映的是冯志强（主要领导干部）的问题，东川能源集团人力资源部是其同级组织部门，"
        "不能接收转交的本案，应由东川省委组织部办理（R-ROUTE-3）。"
    )
    with pytest.raises(RuleViolation, match=expected):
        cs.case_assign_down(
            routing_note="按实际情况分办",
            actor=tree.prov_staff,
            case=case,
            to_department=tree.energy_personnel,
        )
    assert Assignment.objects.count() == 0


def test_r_close_6_report_needs_review_opinion_then_upper_accepts(tree: Tree) -> None:
    parent, child = _assigned(tree)
    staff = tree.county_staff
    child = cs.case_handle_here(
        actor=staff, handler=staff, case=cs.case_read(actor=staff, case=child, text="办理")
    )
    cs.closure_submit(actor=staff, case=child, **complete_closure(child))
    leader2 = tree.staff(tree.county_org, "leader")
    with pytest.raises(RuleViolation, match="R-CLOSE-6"):
        cs.closure_approve(actor=leader2, case=child)
    assert Case.objects.get(pk=child.pk).state == State.CLOSING
    cs.closure_approve(actor=leader2, case=child, review_opinion="同意结案。")
    assignment = Assignment.objects.get(child=child)
    assert assignment.reported_at is not None
    # The lower level may not archive before the upper level has accepted.
    with pytest.raises(RuleViolation, match="R-CLOSE-6"):
        cs.case_archive(actor=staff, case=child)
    # The parent cannot close itself: the result comes from below.
    with pytest.raises(RuleViolation, match="交办"):
        cs.closure_submit(actor=tree.city_staff, case=parent, **complete_closure(parent))
    cs.report_accept(actor=tree.city_staff, case=parent, child=child, opinion="同意。")
    parent.refresh_from_db()
    assert parent.state == State.CLOSED and parent.closed_at is not None
    cs.case_archive(actor=staff, case=child)
    with pytest.raises(RuleViolation, match="不能进行"):
        cs.report_accept(actor=tree.city_staff, case=parent, child=child)


def test_r_close_6_upper_returns_report_and_lower_case_reopens(tree: Tree) -> None:
    parent, child = _assigned(tree)
    child = _closed_child(tree, child)
    with pytest.raises(RuleViolation, match="“退回理由”不能为空。"):
        cs.report_return(actor=tree.city_staff, case=parent, child=child, reasons="  ")
    reopened = cs.report_return(
        actor=tree.city_staff, case=parent, child=child, reasons="未写明政策依据"
    )
    assert reopened.state == State.HANDLING and reopened.closed_at is None
    assert Assignment.objects.get(child=child).return_reasons == "未写明政策依据"
    # Nothing pending any more: a second return is refused.
    with pytest.raises(RuleViolation, match="承办单位尚未报送结案材料，或已审核。"):
        cs.report_return(actor=tree.city_staff, case=parent, child=child, reasons="再次退回")
    # Reported again after correction, then accepted.
    cs.closure_submit(actor=tree.county_staff, case=reopened, **complete_closure(reopened))
    leader2 = tree.staff(tree.county_org, "leader")
    cs.closure_approve(actor=leader2, case=reopened, review_opinion="已补充政策依据。")
    cs.report_accept(actor=tree.city_staff, case=parent, child=reopened)
    assert Case.objects.get(pk=parent.pk).state == State.CLOSED


def test_report_decisions_only_by_the_sender(tree: Tree) -> None:
    parent, child = _assigned(tree)
    child = _closed_child(tree, child)
    with pytest.raises(RuleViolation, match="责任部门"):
        cs.report_accept(actor=tree.county_staff, case=parent, child=child)


def test_r_close_2_overdue_explanation(tree: Tree) -> None:
    _, child = _assigned(tree)
    with pytest.raises(RuleViolation, match="未逾期"):
        cs.overdue_explain(
            actor=tree.county_staff,
            case=child,
            reason="调查取证需要时间",
            new_expected_on=timezone.localdate() + dt.timedelta(days=30),
        )
    later = timezone.now() + dt.timedelta(days=120)
    with mock.patch("django.utils.timezone.now", return_value=later):
        with pytest.raises(RuleViolation, match="R-CLOSE-2"):
            cs.overdue_explain(actor=tree.county_staff, case=child, reason="", new_expected_on=None)
        explanation = cs.overdue_explain(
            actor=tree.county_staff,
            case=child,
            reason="涉及人员较多，调查取证需要时间",
            new_expected_on=timezone.localdate() + dt.timedelta(days=20),
        )
    assert explanation.explained_by == tree.county_staff
    assert CaseEvent.objects.filter(case=child, kind="explain_overdue").count() == 1


def test_r_close_1_progress_reported_along_the_way(tree: Tree) -> None:
    parent, child = _assigned(tree)
    with pytest.raises(RuleViolation, match="R-CLOSE-1"):
        cs.progress_report(actor=tree.county_staff, case=child, text=" ")
    cs.progress_report(actor=tree.county_staff, case=child, text="已找当事人谈话，正在调取档案")
    event = CaseEvent.objects.get(case=child, kind="report_progress")
    assert event.payload == {"text": "已找当事人谈话，正在调取档案", "to": parent.pk}
    # The sender sees it: the lower case is visible to it, timeline included.
    assert cases_visible_to(tree.city_staff).filter(pk=child.pk).exists()
    own = to_read(register(tree.county_staff), tree.county_staff)
    with pytest.raises(RuleViolation, match="交办案件"):
        cs.progress_report(actor=tree.county_staff, case=own, text="进展")


def test_a_case_received_from_above_cannot_be_merged_away(tree: Tree) -> None:
    """R-SUPER-2: the upper case waits for this one; a wrong assignment is objected to."""
    _, child = _assigned(tree)
    own = register(tree.county_staff)
    with pytest.raises(RuleViolation, match="异议"):
        cs.case_merge(actor=tree.county_staff, case=child, into=own, reason="同一事项")
    assert Case.objects.get(pk=child.pk).state == State.REGISTERED


def test_r_route_4_an_important_matter_sent_down_is_followed_one_level_above(
    tree: Tree,
) -> None:
    """The city sends the county a matter about a county bureau chief (managed by the
    county, R-ROUTE-2; a leading cadre's misconduct, R-ROUTE-4): the decision names the
    county, and the case below is followed by the department one level above it, the
    city's."""
    parent = to_read(
        register(tree.city_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)]),
        tree.city_staff,
    )
    assignment = cs.case_assign_down(
        actor=tree.city_staff, case=parent, to_department=tree.county_org, routing_note="属地"
    )
    decision = RoutingDecision.objects.get(case=parent)
    assert (decision.decided_mode, decision.decided_department, decision.followed) == (
        "assign",
        tree.county_org,
        True,
    )
    assert Case.objects.get(pk=assignment.child_id).follow_department == tree.city_org


@pytest.mark.parametrize(
    ("send", "kw", "mode"),
    [
        # A leading cadre's misconduct: proposed 交办 (R-ROUTE-4, a result required).
        ("case_assign_down", {}, "assign"),
        # His appeal on a policy matter: proposed 转办.
        ("case_transfer_down", {"category": "policy_history", "nature": "appeal"}, "transfer"),
    ],
)
def test_sending_down_as_proposed_asks_no_note_and_records_none(
    tree: Tree, send: str, kw: dict[str, str], mode: str
) -> None:
    parent = to_read(
        register(
            tree.city_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)], **kw
        ),
        tree.city_staff,
    )
    assignment = getattr(cs, send)(
        actor=tree.city_staff, case=parent, to_department=tree.county_org
    )
    assert (assignment.mode, assignment.note) == (mode, "")
    event = CaseEvent.objects.get(case=parent, kind=send.removeprefix("case_"))
    assert (event.payload["followed"], event.payload["routing_note"], event.payload["note"]) == (
        True,
        "",
        "",
    )


def test_receipt_records_the_assignment_and_the_due_date_it_leaves(tree: Tree) -> None:
    """签收 under the 1987 rules: the result is still due three months from the sending (12
    March 2025 -> 12 June), and the event says which assignment was signed for."""
    with at(2025, 3, 12):
        _, child = _assigned(tree)
    assignment = child.assignment_in
    with at(2025, 3, 14):
        cs.assignment_receive(actor=tree.county_staff, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.received_at is not None
    assert timezone.localdate(assignment.received_at) == dt.date(2025, 3, 14)
    assert assignment.due_on == dt.date(2025, 6, 12)
    assert Case.objects.get(pk=child.pk).due_on == dt.date(2025, 6, 12)
    event = CaseEvent.objects.get(case=child, kind="receive_assignment")
    assert (event.from_state, event.to_state) == ("registered", "registered")
    assert event.payload == {"assignment": assignment.pk, "due_on": "2025-06-12"}


def test_receipt_rederives_the_due_date_under_the_2022_rules(tree: Tree) -> None:
    from xinfang.cases.clocks import case_due_on
    from xinfang.deadlines.models import RuleSet
    from xinfang.deadlines.services import rule_set_activate

    rule_set_activate(
        actor=tree.staff(tree.prov_org, "administrator"), rule_set=RuleSet.objects.get(code="2022")
    )
    _, child = _assigned(tree)
    later = timezone.now() + dt.timedelta(days=10)
    with mock.patch("django.utils.timezone.now", return_value=later):
        cs.assignment_receive(actor=tree.county_staff, assignment=child.assignment_in)
        child.refresh_from_db()
        assert child.due_on == case_due_on(child)
    assert child.due_on >= timezone.localdate() + dt.timedelta(days=70)
    assert Assignment.objects.get(child=child).due_on == child.due_on


def test_an_assignment_writes_the_case_below_and_both_events_as_decided(tree: Tree) -> None:
    """交办 (R-ROUTE-7, R-CLOSE-1, R-INTAKE-6): the case made below carries the matter as
    registered above, under the receiver's own number; the assignment keeps the note and
    the due date; the sender's event and the receiver's first event say where it went and
    where it came from."""
    case = to_read(
        register(
            tree.city_staff,
            summary="反映某局干部选拔程序不规范",
            category="organization_work",
            nature="suggestion",
            is_collective=True,
            head_count=6,
            petitioners=[PetitionerInput(name="代表甲", is_representative=True)],
        ),
        tree.city_staff,
    )
    Case.objects.filter(pk=case.pk).update(report_upward=True)
    case = Case.objects.get(pk=case.pk)
    assignment = cs.case_assign_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=case,
        to_department=tree.county_org,
        note="  请三个月内报结果  ",
    )
    today = timezone.localdate()
    due = add_months(today, 3)
    child = Case.objects.get(pk=assignment.child_id)
    assert child.number == f"{tree.county_org.pk:04d}-{today.year}-000001"
    assert (
        child.department,
        child.parent_id,
        child.title,
        child.category,
        child.nature,
        child.is_collective,
        child.report_upward,
        child.is_key_case,
        child.result_required,
        child.due_on,
    ) == (
        tree.county_org,
        case.pk,
        "反映某局干部选拔程序不规范",
        "organization_work",
        "suggestion",
        True,
        True,
        False,
        True,
        due,
    )
    stored = Assignment.objects.get(pk=assignment.pk)
    assert (stored.note, stored.due_on, stored.mode) == ("请三个月内报结果", due, "assign")
    sent = CaseEvent.objects.filter(case=case).latest("seq")
    assert sent.kind == "assign_down"
    assert {k: sent.payload[k] for k in ("to_department", "child", "due_on", "note", "mode")} == {
        "to_department": tree.county_org.pk,
        "child": child.pk,
        "due_on": due.isoformat(),
        "note": "请三个月内报结果",
        "mode": "assign",
    }
    received = CaseEvent.objects.get(case=child, seq=1)
    assert (received.kind, received.from_state, received.to_state) == (
        "received_from_upper",
        "",
        child.state,
    )
    assert received.payload == {
        "parent": case.pk,
        "mode": "assign",
        "from_department": tree.city_org.pk,
        "due_on": due.isoformat(),
    }
