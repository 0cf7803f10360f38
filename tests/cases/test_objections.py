"""A lower department objects to a case sent to it wrongly; the sender accepts (the case is
routed again, R-ROUTE-1) or rejects. Every re-route keeps both histories whole."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from tests.builders import register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Assignment, Case, CaseEvent, Objection, State
from xinfang.core.errors import RuleViolation


def _sent(tree: Tree, mode: str = "assign") -> Assignment:
    case = to_read(register(tree.city_staff), tree.city_staff)
    send = cs.case_assign_down if mode == "assign" else cs.case_transfer_down
    return send(
        routing_note="按属地分办", actor=tree.city_staff, case=case, to_department=tree.county_org
    )


@pytest.mark.parametrize("mode", ["assign", "transfer"])
def test_accepted_objection_withdraws_and_reroutes(tree: Tree, mode: str) -> None:
    assignment = _sent(tree, mode)
    objection = cs.objection_raise(
        actor=tree.county_staff,
        assignment=assignment,
        reasons="被反映人由市委管理，不属本县管理权限",
        suggested_department=tree.city_org,
    )
    parent = cs.objection_accept(
        actor=tree.city_staff, objection=objection, opinion="同意，重新分办"
    )
    child = Case.objects.get(pk=assignment.child_id)
    assert child.state == State.WITHDRAWN
    assert (parent.state, parent.handling_mode, parent.due_on) == (State.READ, "", None)
    kinds = list(CaseEvent.objects.filter(case=parent).values_list("kind", flat=True))
    assert kinds[-2:] == [f"{mode}_down", "reroute"], "the first routing stays in the history"
    # Routed again: handled here this time.
    cs.case_handle_here(actor=tree.city_staff, handler=tree.city_staff, case=parent)
    assert Case.objects.get(pk=parent.pk).state == State.HANDLING
    # The withdrawn case is frozen.
    with pytest.raises(RuleViolation, match="案件已撤回上级重新分办，本单位不再办理。"):
        cs.case_read(actor=tree.county_staff, case=child, text="阅")


def test_rejected_objection_keeps_the_assignment(tree: Tree) -> None:
    assignment = _sent(tree)
    objection = cs.objection_raise(
        actor=tree.county_staff, assignment=assignment, reasons="不属本县"
    )
    with pytest.raises(RuleViolation, match="理由"):
        cs.objection_reject(actor=tree.city_staff, objection=objection, opinion=" ")
    cs.objection_reject(
        actor=tree.city_staff, objection=objection, opinion="被反映人由县委管理，应由县委组织部办理"
    )
    assert Objection.objects.get().status == "rejected"
    assert Case.objects.get(pk=assignment.child_id).state == State.REGISTERED
    with pytest.raises(RuleViolation, match="已处理"):
        cs.objection_accept(actor=tree.city_staff, objection=objection)


def test_objection_refusals(tree: Tree) -> None:
    assignment = _sent(tree)
    with pytest.raises(RuleViolation, match="理由"):
        cs.objection_raise(actor=tree.county_staff, assignment=assignment, reasons="")
    with pytest.raises(RuleViolation, match="责任部门"):
        cs.objection_raise(actor=tree.baisha_staff, assignment=assignment, reasons="不属本县")
    objection = cs.objection_raise(
        actor=tree.county_staff, assignment=assignment, reasons="不属本县"
    )
    with pytest.raises(RuleViolation, match="待上级处理"):
        cs.objection_raise(actor=tree.county_staff, assignment=assignment, reasons="再次提出")
    with pytest.raises(RuleViolation, match="责任部门"):
        cs.objection_accept(actor=tree.county_staff, objection=objection)
    assert Objection.objects.count() == 1


def test_objection_after_handling_decided_is_refused(tree: Tree) -> None:
    assignment = _sent(tree)
    child = cs.case_read(actor=tree.county_staff, case=assignment.child, text="阅")
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=child)
    with pytest.raises(RuleViolation, match="已决定处理方式"):
        cs.objection_raise(actor=tree.county_staff, assignment=assignment, reasons="不属本县")


def test_accept_refused_once_lower_department_started(tree: Tree) -> None:
    assignment = _sent(tree)
    objection = cs.objection_raise(
        actor=tree.county_staff, assignment=assignment, reasons="不属本县"
    )
    child = cs.case_read(actor=tree.county_staff, case=assignment.child, text="阅")
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=child)
    with pytest.raises(RuleViolation, match="已开始办理"):
        cs.objection_accept(actor=tree.city_staff, objection=objection)
    assert Case.objects.get(pk=assignment.case_id).state == State.HANDLING


def test_objection_window_five_working_days(tree: Tree) -> None:
    # Sent on Friday 2025-09-26. Working days after it: Sunday 09-28 (make-up day before
    # National Day), 09-29, 09-30, then the 10-01..08 holiday, then 10-09 and 10-10.
    when = timezone.make_aware(dt.datetime(2025, 9, 26, 10))
    with mock.patch("django.utils.timezone.now", return_value=when):
        assignment = _sent(tree)
    from xinfang.cases.clocks import objection_deadline

    assert objection_deadline(assignment) == dt.date(2025, 10, 10)
    late = timezone.make_aware(dt.datetime(2025, 10, 11, 9))
    with (
        mock.patch("django.utils.timezone.now", return_value=late),
        pytest.raises(RuleViolation, match="期限"),
    ):
        cs.objection_raise(actor=tree.county_staff, assignment=assignment, reasons="不属本县")
    last_day = timezone.make_aware(dt.datetime(2025, 10, 10, 17))
    with mock.patch("django.utils.timezone.now", return_value=last_day):
        cs.objection_raise(actor=tree.county_staff, assignment=assignment, reasons="不属本县")
