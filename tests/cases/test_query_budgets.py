"""Set-based reads (issue 10): the 时间过半 queue and the supervisor's view run a fixed number
of queries, however many cases and departments they cover."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.builders import at, register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases import queues as q
from xinfang.cases.models import Case
from xinfang.cases.supervision import department_overview, supervised_departments
from xinfang.orgs.models import User


def _assigned_child(tree: Tree, leader: User, county_leader: User, handler: User) -> Case:
    """A case the city assigns down on 12 March 2025 (1987 rules: due 12 June 2025)."""
    with at(2025, 3, 12):
        parent = to_read(register(tree.city_staff), leader)
        assignment = cs.case_assign_down(
            actor=leader, case=parent, to_department=tree.county_org, routing_note="按实际情况分办"
        )
        child = cs.case_read(actor=county_leader, case=assignment.child, text="请办理")
        return cs.case_handle_here(actor=county_leader, case=child, handler=handler)


def _queries(fn: object) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()  # type: ignore[operator]
    return len(ctx.captured_queries), result


def test_half_time_used_runs_the_same_queries_for_one_case_or_five(tree: Tree) -> None:
    leader = tree.staff(tree.city_org, "leader", name="city_leader")
    county_leader = tree.staff(tree.county_org, "leader", name="county_leader")
    handler = tree.staff(tree.county_org, "handler", name="county_handler")
    day = dt.date(2025, 4, 27)  # the 46th of 92 days: half the time used
    first = _assigned_child(tree, leader, county_leader, handler)
    one, cases = _queries(lambda: list(q.half_time_used(handler, day)))
    assert [c.pk for c in cases] == [first.pk]  # type: ignore[attr-defined]
    more = [_assigned_child(tree, leader, county_leader, handler) for _ in range(4)]
    five, cases = _queries(lambda: list(q.half_time_used(handler, day)))
    assert {c.pk for c in cases} == {first.pk, *(c.pk for c in more)}  # type: ignore[attr-defined]
    # The candidates of each visible part (the cases sent down by the sender's column,
    # cases/0016), the rule set, the assignments, extensions and pauses, the list.
    assert one == five <= 8


def test_supervisor_view_runs_a_fixed_number_of_queries(tree: Tree) -> None:
    departments = list(supervised_departments(tree.prov_supervisor))
    assert len(departments) >= 4
    register(tree.county_staff)
    count, rows = _queries(lambda: department_overview(tree.prov_supervisor))
    assert len(rows) == len(departments)  # type: ignore[arg-type]
    # The departments, four counts and the three rates with their targets: not three per
    # department below (it was 3 × departments + 5).
    assert count <= 12


def test_open_states_are_the_states_not_finished() -> None:
    from xinfang.cases.lifecycle import FINISHED_STATES
    from xinfang.cases.models import OPEN_STATES, State

    assert set(OPEN_STATES) == {s.value for s in State} - {s.value for s in FINISHED_STATES}
    assert list(OPEN_STATES) == sorted(OPEN_STATES)
