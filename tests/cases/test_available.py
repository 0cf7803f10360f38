"""actions_open_to: which buttons a user gets on a case, as a literal table.

Each row: a scenario built through the real actions, the user (role and relation to the
case), and the expected list, written here (never read from the code under test). The
relation is the department's: the responsible department ("own"), the sender of the case
("sender"), the department a case was sent down to ("receiver"), the department one level up
that reviews ("reviewer"), any other ("other").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.builders import (
    at,
    complete_closure,
    register,
    registration,
    to_closed,
    to_closing,
    to_read,
)
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.available import actions_open_to
from xinfang.cases.models import Case
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate
from xinfang.orgs.models import Department


@dataclass
class Built:
    case: Case
    # relation -> department of that relation for this scenario
    departments: dict[str, Department]


def _county(tree: Tree) -> Case:
    return register(tree.county_staff)


def _own(tree: Tree, case: Case) -> Built:
    return Built(
        case, {"own": tree.county_org, "other": tree.baisha_org, "reviewer": tree.city_org}
    )


def registered(tree: Tree) -> Built:
    return _own(tree, _county(tree))


def read(tree: Tree) -> Built:
    return _own(tree, to_read(_county(tree), tree.county_staff))


def handling(tree: Tree) -> Built:
    case = to_read(_county(tree), tree.county_staff)
    return _own(
        tree, cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
    )


def closing(tree: Tree) -> Built:
    return _own(tree, to_closing(_county(tree), tree.county_staff, tree.county_staff))


def closed(tree: Tree) -> Built:
    leader = tree.staff(tree.county_org, "leader")
    return _own(tree, to_closed(_county(tree), leader, tree.county_staff))


def archived(tree: Tree) -> Built:
    case = closed(tree).case
    return _own(tree, cs.case_archive(actor=tree.county_staff, case=case))


def _sent(tree: Tree) -> Case:
    """A city case assigned down to 河口县委组织部 (result required); returns the child."""
    case = to_read(register(tree.city_staff), tree.city_staff)
    return cs.case_assign_down(
        actor=tree.city_staff,
        case=case,
        to_department=tree.county_org,
        routing_note="县里更了解情况",
    ).child


def _family(tree: Tree, case: Case) -> Built:
    return Built(
        case,
        {"sender": tree.city_org, "receiver": tree.county_org, "other": tree.baisha_org},
    )


def child_received(tree: Tree) -> Built:
    return _family(tree, _sent(tree))


def parent_waiting(tree: Tree) -> Built:
    child = _sent(tree)
    return _family(tree, Case.objects.get(pk=child.parent_id))


def parent_objected(tree: Tree) -> Built:
    child = _sent(tree)
    cs.objection_raise(
        actor=tree.county_staff, assignment=child.assignment_in, reasons="不属本级管理"
    )
    return _family(tree, Case.objects.get(pk=child.parent_id))


def child_objected(tree: Tree) -> Built:
    child = _sent(tree)
    cs.objection_raise(
        actor=tree.county_staff, assignment=child.assignment_in, reasons="不属本级管理"
    )
    return _family(tree, Case.objects.get(pk=child.pk))


def parent_reported(tree: Tree) -> Built:
    child = _sent(tree)
    leader = tree.staff(tree.county_org, "leader")
    child = to_read(child, leader)
    child = cs.case_handle_here(actor=leader, handler=tree.county_staff, case=child)
    cs.closure_submit(actor=tree.county_staff, case=child, **complete_closure(child))
    cs.closure_approve(actor=leader, case=child, review_opinion="事实清楚，同意报结")
    return _family(tree, Case.objects.get(pk=child.parent_id))


def child_reported(tree: Tree) -> Built:
    """The lower case closed and reported up, waiting for the sender's acceptance."""
    parent = parent_reported(tree).case
    return _family(tree, Case.objects.get(parent=parent))


def child_accepted(tree: Tree) -> Built:
    parent = parent_reported(tree).case
    child = Case.objects.get(parent=parent)
    cs.report_accept(actor=tree.city_staff, case=parent, child=child)
    return _family(tree, Case.objects.get(pk=child.pk))


def child_overdue(tree: Tree) -> Built:
    """Assigned down and handled below, its three months past (R-CLOSE-2)."""
    with at(2024, 1, 10):
        child = _sent(tree)
        child = cs.case_handle_here(
            actor=tree.county_staff,
            handler=tree.county_staff,
            case=to_read(child, tree.county_staff),
        )
    return _family(tree, Case.objects.get(pk=child.pk))


def _rules_2022(tree: Tree) -> None:
    admin = tree.staff(tree.prov_org, "administrator")
    rule_set_activate(actor=admin, rule_set=RuleSet.objects.get(code="2022"))


def handling_2022(tree: Tree) -> Built:
    _rules_2022(tree)
    return handling(tree)


def closed_2022(tree: Tree) -> Built:
    _rules_2022(tree)
    return closed(tree)


def reviewing_2022(tree: Tree) -> Built:
    built = closed_2022(tree)
    cs.review_apply(
        actor=tree.city_staff, case=built.case, applied_on=timezone.localdate(), request="不服"
    )
    return _own(tree, Case.objects.get(pk=built.case.pk))


def paused_2022(tree: Tree) -> Built:
    built = handling_2022(tree)
    cs.pause_start(actor=tree.county_staff, case=built.case, reason="等待鉴定", legal_basis="条例")
    return built


def repeated(tree: Tree) -> Built:
    """Issue 11: a registered case holding a repeat (R-REPEAT-4) besides its first letter."""
    case = _county(tree)
    registration(tree.county_staff, repeat_of=case)
    return _own(tree, case)


def merged(tree: Tree) -> Built:
    case = _county(tree)
    cs.case_merge(actor=tree.county_staff, case=case, into=_county(tree), reason="同一事项")
    return _own(tree, case)


def merged_into_archived(tree: Tree) -> Built:
    """Merged into a case archived since: the merge can no longer be undone."""
    built = merged(tree)
    into = Case.objects.get(pk=Case.objects.get(pk=built.case.pk).merged_into_id)
    cs.case_read(actor=tree.county_staff, case=into, text="阅")
    cs.case_file(actor=tree.county_staff, case=into, reason="存查", routing_note="存查即可")
    cs.case_archive(actor=tree.county_staff, case=into)
    return built


SCENARIOS: dict[str, Callable[[Tree], Built]] = {
    f.__name__: f
    for f in (
        registered,
        read,
        handling,
        closing,
        closed,
        archived,
        child_received,
        parent_waiting,
        parent_objected,
        child_objected,
        parent_reported,
        child_reported,
        child_accepted,
        child_overdue,
        handling_2022,
        closed_2022,
        reviewing_2022,
        paused_2022,
        repeated,
        merged,
        merged_into_archived,
    )
}

LEADER_READ = ["read", "merge", "instruct", "report_upward", "add_interview"]
DECIDE = ["handle_here", "assign_down", "transfer_down", "refer", "file", "merge"]

# (role, scenario, relation) -> the buttons, in the page's order.
TABLE: list[tuple[str, str, str, list[str]]] = [
    ("leader", "registered", "own", LEADER_READ),
    ("registrar", "registered", "own", ["merge", "add_interview", "add_attachment"]),
    ("handler", "registered", "own", ["add_interview", "add_attachment"]),
    ("leader", "registered", "other", []),
    ("supervisor", "registered", "reviewer", []),
    ("leader", "read", "own", [*DECIDE, "instruct", "report_upward", "add_interview"]),
    ("registrar", "read", "own", ["merge", "add_interview", "add_attachment"]),
    ("handler", "read", "own", ["add_interview", "add_attachment"]),
    ("handler", "handling", "own", ["submit_closure", "add_interview", "add_attachment"]),
    ("leader", "handling", "own", ["instruct", "report_upward", "name_handler", "add_interview"]),
    (
        "leader",
        "closing",
        "own",
        ["instruct", "approve_closure", "return_closure", "report_upward", "add_interview"],
    ),
    ("handler", "closing", "own", ["add_interview", "add_attachment"]),
    ("registrar", "closed", "own", ["archive", "add_interview", "add_attachment"]),
    ("leader", "closed", "other", []),
    ("leader", "archived", "own", []),
    ("registrar", "archived", "own", []),
    # Sent down: the receiver signs for it, may object, reads it, reports progress.
    (
        "leader",
        "child_received",
        "receiver",
        [
            "read",
            "receive_assignment",
            "raise_objection",
            "instruct",
            "report_progress",
            "report_upward",
        ],
    ),
    ("registrar", "child_received", "receiver", ["receive_assignment"]),
    ("handler", "child_received", "receiver", ["receive_assignment", "report_progress"]),
    ("leader", "child_received", "sender", []),
    ("leader", "parent_waiting", "sender", ["instruct", "report_upward", "add_interview"]),
    ("handler", "parent_waiting", "sender", ["add_interview", "add_attachment"]),
    ("leader", "parent_waiting", "receiver", []),
    (
        "leader",
        "parent_objected",
        "sender",
        ["decide_objection", "instruct", "report_upward", "add_interview"],
    ),
    ("leader", "child_objected", "sender", ["decide_objection"]),
    (
        "leader",
        "child_objected",
        "receiver",
        ["read", "receive_assignment", "instruct", "report_progress", "report_upward"],
    ),
    (
        "leader",
        "parent_reported",
        "sender",
        ["instruct", "accept_report", "return_report", "report_upward", "add_interview"],
    ),
    ("registrar", "parent_reported", "sender", ["add_interview", "add_attachment"]),
    # R-CLOSE-6: the lower case is archived only once the sender has accepted its report.
    # (never signed for, so signing is still offered; its petitions are the sender's)
    ("registrar", "child_reported", "receiver", ["receive_assignment"]),
    ("registrar", "child_accepted", "receiver", ["receive_assignment", "archive"]),
    ("leader", "parent_reported", "receiver", []),
    (
        "handler",
        "child_overdue",
        "receiver",
        ["receive_assignment", "report_progress", "explain_overdue", "submit_closure"],
    ),
    ("registrar", "child_overdue", "receiver", ["receive_assignment"]),
    # 2022 rules: extensions and pauses by the leader; the review chain one level up.
    (
        "leader",
        "handling_2022",
        "own",
        [
            "instruct",
            "extend_deadline",
            "pause_clock",
            "report_upward",
            "name_handler",
            "add_interview",
        ],
    ),
    ("handler", "handling_2022", "own", ["submit_closure", "add_interview", "add_attachment"]),
    (
        "leader",
        "paused_2022",
        "own",
        [
            "instruct",
            "extend_deadline",
            "resume_clock",
            "report_upward",
            "name_handler",
            "add_interview",
        ],
    ),
    ("registrar", "closed_2022", "reviewer", ["review_apply"]),
    ("leader", "closed_2022", "reviewer", []),
    ("registrar", "closed_2022", "own", ["archive", "add_interview", "add_attachment"]),
    ("leader", "reviewing_2022", "reviewer", ["review_decide"]),
    ("leader", "reviewing_2022", "own", ["instruct", "report_upward", "add_interview"]),
    # Issue 11: a repeat is unlinked by a registrar or leader of the department; a merged
    # case offers only its unmerge, and not once the case it went into is archived.
    (
        "registrar",
        "repeated",
        "own",
        ["merge", "unlink_repeat", "add_interview", "add_attachment"],
    ),
    (
        "leader",
        "repeated",
        "own",
        ["read", "merge", "unlink_repeat", "instruct", "report_upward", "add_interview"],
    ),
    ("handler", "repeated", "own", ["add_interview", "add_attachment"]),
    ("leader", "repeated", "other", []),
    ("registrar", "merged", "own", ["unmerge"]),
    ("leader", "merged", "own", ["unmerge"]),
    ("handler", "merged", "own", []),
    ("leader", "merged", "other", []),
    ("leader", "merged_into_archived", "own", []),
]


@pytest.mark.parametrize(
    ("role", "scenario", "relation", "expected"),
    TABLE,
    ids=[f"{r}-{s}-{rel}" for r, s, rel, _ in TABLE],
)
def test_actions_open_to(
    tree: Tree, role: str, scenario: str, relation: str, expected: list[str]
) -> None:
    built = SCENARIOS[scenario](tree)
    case = Case.objects.get(pk=built.case.pk)
    user = tree.staff(built.departments[relation], role)
    assert actions_open_to(user, case) == expected


def test_nothing_for_a_user_without_a_department(tree: Tree) -> None:
    case = registered(tree).case
    user = tree.staff(tree.county_org, "leader")
    user.department = None
    assert actions_open_to(user, case) == []


def test_objection_window_closes(tree: Tree) -> None:
    """The receiving department objects within five working days of receipt (issue 3)."""
    with at(2024, 3, 4):
        child = _sent(tree)
    leader = tree.staff(tree.county_org, "leader")
    assert "raise_objection" in actions_open_to(leader, child, today=dt.date(2024, 3, 8))
    assert "raise_objection" not in actions_open_to(leader, child, today=dt.date(2024, 3, 12))


def test_r_close_6_the_action_refuses_archiving_before_acceptance(tree: Tree) -> None:
    """The button is absent (table above) and the action refuses on its own, by the same
    function (cases/closure.py awaits_acceptance); once accepted it archives."""
    child = child_reported(tree).case
    county = tree.staff(tree.county_org, "registrar")
    with pytest.raises(RuleViolation, match="须经上级审核通过后方可归档（R-CLOSE-6）"):
        cs.case_archive(actor=county, case=child)
    parent = Case.objects.get(pk=child.parent_id)
    cs.report_accept(actor=tree.city_staff, case=parent, child=child)
    assert cs.case_archive(actor=county, case=child).state == "archived"
