"""The work queues (cases/queues.py): what each holds, their window edges, who sees which.

A small world built through the services: 临江市委组织部 (city) assigns a case down to
河口县委组织部 (county) on Wednesday 12 March 2025. Under the 1987 rules in force the result
is due three months later (R-CLOSE-1): Thursday 12 June 2025, a working day, so no rolling.
The clock runs 92 days (19 left in March + 30 + 31 + 12), so half of it is used on the 46th
day, 27 April 2025.
"""

from __future__ import annotations

import datetime as dt

from tests.builders import at, complete_closure, register, to_closing, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases import queues as q
from xinfang.cases.models import Case
from xinfang.orgs.models import User

D = dt.date
SENT = (2025, 3, 12)
DUE = D(2025, 6, 12)
REVIEW = "经审查，事实清楚，处理恰当，同意结案。"


def _pks(cases: object) -> set[int]:
    return set(cases.values_list("pk", flat=True))  # type: ignore[attr-defined]


class World:
    """The city's case assigned down, the county's child handled by a named handler."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.city_leader = tree.staff(tree.city_org, "leader", name="city_leader")
        self.city_registrar = tree.staff(tree.city_org, "registrar", name="city_registrar")
        self.county_leader = tree.staff(tree.county_org, "leader", name="county_leader")
        self.county_leader2 = tree.staff(tree.county_org, "leader", name="county_leader2")
        self.county_handler = tree.staff(tree.county_org, "handler", name="county_handler")
        self.other_handler = tree.staff(tree.county_org, "handler", name="other_handler")
        with at(*SENT):
            parent = to_read(register(tree.city_staff), self.city_leader)
            assignment = cs.case_assign_down(
                actor=self.city_leader,
                case=parent,
                to_department=tree.county_org,
                routing_note="按实际情况分办",
            )
            cs.assignment_receive(actor=tree.county_staff, assignment=assignment)
            child = cs.case_read(actor=self.county_leader, case=assignment.child, text="请办理")
            self.child = cs.case_handle_here(
                actor=self.county_leader, case=child, handler=self.county_handler
            )
        self.parent = Case.objects.get(pk=parent.pk)


def test_r_close_1_the_world_is_due_on_12_june(tree: Tree) -> None:
    w = World(tree)
    assert w.child.due_on == DUE
    assert w.parent.due_on == DUE and w.parent.handling_mode == "assign"


def test_due_within_7_days_day_7_in_day_8_out(tree: Tree) -> None:
    """R-CLOSE-2: 7日内到期 runs from today (due today) to today + 7."""
    w = World(tree)
    child = {w.child.pk}
    # Today 5 June: due 12 June is 7 days away, the last day in.
    assert _pks(q.due_within_7_days(w.county_handler, D(2025, 6, 5))) == child
    # Today 4 June: 8 days away, out.
    assert _pks(q.due_within_7_days(w.county_handler, D(2025, 6, 4))) == set()
    # Today 12 June: due today, still in.
    assert _pks(q.due_within_7_days(w.county_handler, D(2025, 6, 12))) == child
    # Today 13 June: overdue, out.
    assert _pks(q.due_within_7_days(w.county_handler, D(2025, 6, 13))) == set()
    # The sender sees the child (R-SUPER-2), never its own parent, which waits for it.
    assert _pks(q.due_within_7_days(w.city_leader, D(2025, 6, 5))) == child
    # Another county sees nothing.
    assert _pks(q.due_within_7_days(tree.baisha_staff, D(2025, 6, 5))) == set()


def test_half_time_used_from_day_46_until_the_due_day(tree: Tree) -> None:
    """R-CLOSE-2: 时间过半 from the day half the 92 days are used, until it is overdue."""
    w = World(tree)
    child = {w.child.pk}
    # 26 April: 45 of 92 days used (0.489), out.
    assert _pks(q.half_time_used(w.county_handler, D(2025, 4, 26))) == set()
    # 27 April: 46 of 92 (0.5), in.
    assert _pks(q.half_time_used(w.county_handler, D(2025, 4, 27))) == child
    # 12 June: due today, still in (it is also due within 7 days).
    assert _pks(q.half_time_used(w.county_handler, D(2025, 6, 12))) == child
    # 13 June: overdue, out.
    assert _pks(q.half_time_used(w.county_handler, D(2025, 6, 13))) == set()
    # The supervisor one level above the city sees the county's case (R-SUPER-1).
    assert _pks(q.half_time_used(tree.prov_supervisor, D(2025, 4, 27))) == child


def test_overdue_due_today_is_not_yesterday_is_and_explanation_moves_it(tree: Tree) -> None:
    """R-CLOSE-2: overdue from the day after the due date; explained once explained."""
    w = World(tree)
    child = {w.child.pk}
    assert _pks(q.overdue_without_explanation(w.county_handler, D(2025, 6, 12))) == set()
    assert _pks(q.overdue_without_explanation(w.county_handler, D(2025, 6, 13))) == child
    assert _pks(q.overdue_with_explanation(w.county_handler, D(2025, 6, 13))) == set()
    # The sender sees the child, not its own parent (which has the same due date).
    assert _pks(q.overdue_without_explanation(w.city_leader, D(2025, 6, 13))) == child
    with at(2025, 6, 13):
        cs.overdue_explain(
            actor=w.county_handler,
            case=w.child,
            reason="调查涉及外地取证，尚未完成",
            new_expected_on=D(2025, 7, 1),
        )
    assert _pks(q.overdue_without_explanation(w.county_handler, D(2025, 6, 13))) == set()
    assert _pks(q.overdue_with_explanation(w.county_handler, D(2025, 6, 13))) == child
    assert _pks(q.overdue_with_explanation(w.city_leader, D(2025, 6, 20))) == child
    assert _pks(q.overdue_with_explanation(tree.prov_supervisor, D(2025, 6, 20))) == child


def test_my_cases_is_the_named_handlers_open_cases(tree: Tree) -> None:
    w = World(tree)
    assert _pks(q.my_cases(w.county_handler)) == {w.child.pk}
    assert _pks(q.my_cases(w.other_handler)) == set()
    with at(2025, 4, 1):
        cs.closure_submit(actor=w.county_handler, case=w.child, **complete_closure(w.child))
        cs.closure_approve(actor=w.county_leader2, case=w.child, review_opinion=REVIEW)
    # Closed (reported up): no longer work of the handler's.
    assert _pks(q.my_cases(w.county_handler)) == set()


def test_to_read_is_the_departments_registered_cases(tree: Tree) -> None:
    w = World(tree)
    registered = register(tree.county_staff)
    read = to_read(register(tree.county_staff), w.county_leader)
    assert _pks(q.to_read(w.county_leader)) == {registered.pk}
    assert read.pk not in _pks(q.to_read(w.county_leader))
    # The city sees nothing of the county's registrations; the child is already read.
    assert _pks(q.to_read(w.city_leader)) == set()


def test_closures_awaiting_approval_are_the_departments_closing_cases(tree: Tree) -> None:
    w = World(tree)
    closing = to_closing(register(tree.county_staff), w.county_leader, w.county_handler)
    assert _pks(q.closures_awaiting_approval(w.county_leader)) == {closing.pk}
    assert _pks(q.closures_awaiting_approval(w.city_leader)) == set()
    cs.closure_approve(actor=w.county_leader2, case=closing)
    assert _pks(q.closures_awaiting_approval(w.county_leader)) == set()


def test_r_close_6_reports_awaiting_acceptance_until_accepted_or_returned(tree: Tree) -> None:
    w = World(tree)
    assert _pks(q.reports_awaiting_acceptance(w.city_leader)) == set()
    with at(2025, 4, 1):
        cs.closure_submit(actor=w.county_handler, case=w.child, **complete_closure(w.child))
        cs.closure_approve(actor=w.county_leader2, case=w.child, review_opinion=REVIEW)
    # Reported: the city's own case waits for its acceptance.
    assert _pks(q.reports_awaiting_acceptance(w.city_leader)) == {w.parent.pk}
    assert _pks(q.reports_awaiting_acceptance(w.county_leader)) == set()
    with at(2025, 4, 2):
        cs.report_return(
            actor=w.city_leader, case=w.parent, child=w.child, reasons="事实不清，请补充调查"
        )
    assert _pks(q.reports_awaiting_acceptance(w.city_leader)) == set()
    with at(2025, 4, 8):
        child = Case.objects.get(pk=w.child.pk)
        cs.closure_submit(actor=w.county_handler, case=child, **complete_closure(child))
        cs.closure_approve(actor=w.county_leader2, case=child, review_opinion=REVIEW)
    assert _pks(q.reports_awaiting_acceptance(w.city_leader)) == {w.parent.pk}
    with at(2025, 4, 9):
        cs.report_accept(actor=w.city_leader, case=w.parent, child=w.child, opinion="同意")
    assert _pks(q.reports_awaiting_acceptance(w.city_leader)) == set()


def test_sent_down_follows_the_child_until_the_matter_is_closed(tree: Tree) -> None:
    w = World(tree)
    assert _pks(q.sent_down(w.city_registrar)) == {w.child.pk}
    assert _pks(q.sent_down(w.county_leader)) == set()
    with at(2025, 4, 1):
        cs.closure_submit(actor=w.county_handler, case=w.child, **complete_closure(w.child))
        cs.closure_approve(actor=w.county_leader2, case=w.child, review_opinion=REVIEW)
    # The child is closed but the city has not accepted its report: still followed.
    assert _pks(q.sent_down(w.city_registrar)) == {w.child.pk}
    with at(2025, 4, 9):
        cs.report_accept(actor=w.city_leader, case=w.parent, child=w.child, opinion="同意")
    assert _pks(q.sent_down(w.city_registrar)) == set()


def test_a_transferred_case_is_followed_until_the_child_closes(tree: Tree) -> None:
    w = World(tree)
    case = to_read(register(tree.city_staff), w.city_leader)
    moved = cs.case_transfer_down(
        actor=w.city_leader, case=case, to_department=tree.county_org, routing_note="按实际分办"
    )
    assert _pks(q.sent_down(w.city_leader)) == {w.child.pk, moved.child.pk}
    child = cs.case_handle_here(
        actor=w.county_leader,
        case=cs.case_read(actor=w.county_leader, case=moved.child, text="办理"),
        handler=w.county_handler,
    )
    cs.closure_submit(actor=w.county_handler, case=child, **complete_closure(child))
    cs.closure_approve(actor=w.county_leader2, case=child)
    assert _pks(q.sent_down(w.city_leader)) == {w.child.pk}


def test_to_route_is_the_departments_read_cases_with_no_mode(tree: Tree) -> None:
    """待分办 (R-ROUTE-7): read, no handling mode yet; gone once routed; back after an
    accepted objection takes the case back to be routed again (R-ROUTE-1)."""
    w = World(tree)
    registered = register(tree.city_staff)
    read = to_read(register(tree.city_staff), w.city_leader)
    routed = cs.case_handle_here(
        actor=w.city_leader,
        case=to_read(register(tree.city_staff), w.city_leader),
        handler=tree.city_staff,
    )
    assert _pks(q.to_route(w.city_leader)) == {read.pk}
    assert registered.pk not in _pks(q.to_route(w.city_leader))
    assert routed.pk not in _pks(q.to_route(w.city_leader))
    # The county does not route the city's cases.
    assert _pks(q.to_route(w.county_leader)) == set()
    sent = cs.case_assign_down(
        actor=w.city_leader, case=read, to_department=tree.county_org, routing_note="按属地分办"
    )
    assert _pks(q.to_route(w.city_leader)) == set()
    # The county has received it, not read it: not yet its to route.
    assert _pks(q.to_route(w.county_leader)) == set()
    objection = cs.objection_raise(actor=w.county_leader, assignment=sent, reasons="不属本县")
    cs.objection_accept(actor=w.city_leader, objection=objection, opinion="同意，重新分办")
    assert _pks(q.to_route(w.city_leader)) == {read.pk}


def test_objections_awaiting_decision_until_accepted_or_rejected(tree: Tree) -> None:
    """异议待决定 (R-ROUTE-1): the sender's own case while its receiver's objection waits."""
    w = World(tree)
    case = to_read(register(tree.city_staff), w.city_leader)
    sent = cs.case_transfer_down(
        actor=w.city_leader, case=case, to_department=tree.county_org, routing_note="按属地分办"
    )
    assert _pks(q.objections_awaiting_decision(w.city_leader)) == set()
    objection = cs.objection_raise(actor=w.county_leader, assignment=sent, reasons="不属本县")
    assert _pks(q.objections_awaiting_decision(w.city_leader)) == {case.pk}
    # The objecting department does not decide it; a stranger does not see it.
    assert _pks(q.objections_awaiting_decision(w.county_leader)) == set()
    assert _pks(q.objections_awaiting_decision(tree.baisha_staff)) == set()
    cs.objection_reject(actor=w.city_leader, objection=objection, opinion="应由县委组织部办理")
    assert _pks(q.objections_awaiting_decision(w.city_leader)) == set()
    # A second objection, accepted, leaves the queue too.
    again = cs.objection_raise(actor=w.county_leader, assignment=sent, reasons="确不属本县")
    assert _pks(q.objections_awaiting_decision(w.city_leader)) == {case.pk}
    cs.objection_accept(actor=w.city_leader, objection=again)
    assert _pks(q.objections_awaiting_decision(w.city_leader)) == set()


def _keys(user: User) -> list[str]:
    return [queue.key for queue in q.queues_for(user)]


def test_which_queues_each_role_sees(tree: Tree) -> None:
    dept = tree.county_org
    assert _keys(tree.staff(dept, "registrar")) == [
        "to_read",
        "due_within_7_days",
        "overdue_without_explanation",
        "sent_down",
    ]
    assert _keys(tree.staff(dept, "handler")) == [
        "my_cases",
        "due_within_7_days",
        "half_time_used",
        "overdue_without_explanation",
        "overdue_with_explanation",
    ]
    assert _keys(tree.staff(dept, "leader")) == [
        "to_read",
        "to_route",
        "objections_awaiting_decision",
        "closures_awaiting_approval",
        "reports_awaiting_acceptance",
        "due_within_7_days",
        "half_time_used",
        "overdue_without_explanation",
        "overdue_with_explanation",
        "sent_down",
    ]
    assert _keys(tree.prov_supervisor) == [
        "due_within_7_days",
        "half_time_used",
        "overdue_without_explanation",
        "overdue_with_explanation",
    ]
    assert _keys(tree.staff(dept, "administrator")) == []
    titles = {queue.key: queue.title for queue in q.QUEUES}
    assert titles == {
        "to_read": "待阅批",
        "to_route": "待分办",
        "objections_awaiting_decision": "异议待决定",
        "my_cases": "我承办的案件",
        "closures_awaiting_approval": "待审批结案",
        "reports_awaiting_acceptance": "下级报结待审核",
        "due_within_7_days": "7日内到期",
        "half_time_used": "时间过半",
        "overdue_without_explanation": "逾期未说明",
        "overdue_with_explanation": "逾期已说明",
        "sent_down": "交转办跟踪",
    }
