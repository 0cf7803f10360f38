"""The workbench's counts (`queue_counts`, issue 10): one statement for the queues that are
conditions on the open visible cases, and their own statements for the rest. Each count must
be the number of cases its queue lists, for every role, on a varied world; the expected
figures are written here, worked out from the world below (not from the code under test).

The world (tests/cases/test_queues.py's, plus): on 12 March 2025 the city assigns a case
down to the county (the county's child, handled by county_handler, due 12 June); the county
registers two cases (to read), reads one more (to route), puts one to closing, hands one to
other_handler and pauses another of other_handler's (a paused clock is in no clock queue);
on 2 May the county registers one more handled case, due later. The city transfers a
second case down, to which the county objects (pending). 13 June: the child is overdue,
not explained; on 20 June it has been explained.
"""

from __future__ import annotations

import datetime as dt

from tests.builders import at, complete_closure, register, to_closing, to_handling, to_read
from tests.cases.test_queues import World
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases import queues as q
from xinfang.cases.models import Case
from xinfang.orgs.models import User

D = dt.date


def _each(user: User, day: dt.date) -> dict[str, int]:
    """Each queue's own count, one statement per queue (what the pages list)."""
    return {queue.key: queue.cases(user, day).count() for queue in q.queues_for(user)}


def _sent_down(w: World, handler: User, summary: str) -> Case:
    """A city case assigned down to the county and handled there by `handler` (a clock)."""
    parent = to_read(register(w.tree.city_staff, summary=summary), w.city_leader)
    assignment = cs.case_assign_down(
        actor=w.city_leader, case=parent, to_department=w.tree.county_org, routing_note="请办理"
    )
    cs.assignment_receive(actor=w.tree.county_staff, assignment=assignment)
    child = cs.case_read(actor=w.county_leader, case=assignment.child, text="请办理")
    return cs.case_handle_here(actor=w.county_leader, case=child, handler=handler)


def _varied(tree: Tree) -> World:
    w = World(tree)
    county = tree.county_staff
    with at(2025, 3, 12):
        register(county, summary="县里登记的第一件")
        register(county, summary="县里登记的第二件")
        to_read(register(county, summary="县里已阅批的"), w.county_leader)
        to_closing(register(county, summary="县里报结的"), w.county_leader, w.county_handler)
        to_handling(register(county, summary="县里自办的"), w.county_leader, w.county_handler)
        paused = _sent_down(w, w.other_handler, "中止计时的")
        transferred = to_read(register(tree.city_staff, summary="市里转办的"), w.city_leader)
        sent = cs.case_transfer_down(
            actor=w.city_leader,
            case=transferred,
            to_department=tree.county_org,
            routing_note="按属地分办",
        )
        reported = _sent_down(w, w.county_handler, "已报结待市里审核的")
    with at(2025, 2, 10):
        late = _sent_down(w, w.other_handler, "二月交办的")
    with at(2025, 5, 12):
        cs.overdue_explain(
            actor=w.other_handler,
            case=late,
            reason="涉及外地取证，尚未完成",
            new_expected_on=D(2025, 6, 30),
        )
    with at(2025, 3, 14):
        cs.objection_raise(actor=w.county_leader, assignment=sent, reasons="不属本县")
    with at(2025, 3, 20):
        cs.pause_start(actor=county, case=paused, reason="等待鉴定结论", legal_basis="条例")
    with at(2025, 4, 1):
        cs.closure_submit(actor=w.county_handler, case=reported, **complete_closure(reported))
        cs.closure_approve(actor=w.county_leader2, case=reported, review_opinion="同意结案。")
        _sent_down(w, w.other_handler, "四月交办的")
    with at(2025, 5, 2):
        _sent_down(w, w.county_handler, "五月交办的")
    return w


LEADER_QUEUES = (
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
)
CLOCKS = (
    "due_within_7_days",
    "half_time_used",
    "overdue_without_explanation",
    "overdue_with_explanation",
)


def _leader(*counts: int) -> dict[str, int]:
    return dict(zip(LEADER_QUEUES, counts, strict=True))


def _clocks(*counts: int) -> dict[str, int]:
    return dict(zip(CLOCKS, counts, strict=True))


def test_counts_together_are_each_queues_own_count(tree: Tree) -> None:
    """5 June: the child is due within 7 days (12 June), the child and the April case have
    used half their time, the February case (due 12 May) is overdue and explained, the
    paused case counts nowhere. 13 June: the child is overdue, unexplained; only the April
    case (due 1 July) is still half used; the May case (due 4 August) is not yet. The county
    sees all its department's cases (handlers too); the city sees what it sent down, and its
    own cases awaiting the objection and the report; another county sees nothing."""
    w = _varied(tree)
    june5, june13 = D(2025, 6, 5), D(2025, 6, 13)
    # to_read: two registered + the transferred child; to_route: one read; one closing.
    county_leader = {
        june5: _leader(3, 1, 0, 1, 0, 1, 2, 0, 1, 0),
        june13: _leader(3, 1, 0, 1, 0, 0, 1, 1, 1, 0),
    }
    # The city: one objection, one report; seven children sent down followed.
    city_leader = {
        june5: _leader(0, 0, 1, 0, 1, 1, 2, 0, 1, 7),
        june13: _leader(0, 0, 1, 0, 1, 0, 1, 1, 1, 7),
    }
    expected: dict[User, dict[dt.date, dict[str, int]]] = {
        w.county_leader: county_leader,
        w.city_leader: city_leader,
        # The child, the May case, and the county's two handled here (no clock under the
        # 1987 rules: the one handled, the one whose closure awaits approval); the paused,
        # April and February cases.
        w.county_handler: {
            june5: {"my_cases": 4, **_clocks(1, 2, 0, 1)},
            june13: {"my_cases": 4, **_clocks(0, 1, 1, 1)},
        },
        w.other_handler: {
            june5: {"my_cases": 3, **_clocks(1, 2, 0, 1)},
            june13: {"my_cases": 3, **_clocks(0, 1, 1, 1)},
        },
        w.city_registrar: {
            june5: {"to_read": 0, "due_within_7_days": 1, "overdue_without_explanation": 0},
            june13: {"to_read": 0, "due_within_7_days": 0, "overdue_without_explanation": 1},
        },
        tree.prov_supervisor: {june5: _clocks(1, 2, 0, 1), june13: _clocks(0, 1, 1, 1)},
        tree.baisha_staff: {june5: {}, june13: {}},
    }
    expected[w.city_registrar][june5]["sent_down"] = 7
    expected[w.city_registrar][june13]["sent_down"] = 7
    for user, days in expected.items():
        for day, counts in days.items():
            if user == tree.baisha_staff:
                counts = dict.fromkeys(_each(user, day), 0)
                assert len(counts) == 11
            assert _each(user, day) == counts, (user, day)
            assert q.queue_counts(user, day) == counts, (user, day)
            # In page order, as the workbench shows them.
            assert list(q.queue_counts(user, day)) == [k.key for k in q.queues_for(user)]
