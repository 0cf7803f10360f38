"""Visibility as a union of indexed parts (issue 10) stays exactly what the rule says through
the actions that change who sees a case: send down (转办/交办), follow (R-ROUTE-4), review
(复查), merge. The rule is written out here once more, in its first form (an OR across the
cases table), as the answer each user's set is compared with."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tests.builders import RespondentInput, register, to_closed, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.access import cases_sent_down_by, cases_visible_to, visible_among, visible_parts
from xinfang.cases.lifecycle import FINISHED_STATES, FROZEN_STATES
from xinfang.cases.models import Assignment, Case, Review
from xinfang.cases.queues import sent_down
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate
from xinfang.orgs.models import Role, User
from xinfang.routing.terms import HandlingMode


def _reference(user: User) -> set[int]:
    """The rule (design.md, Security), as first written."""
    dept = user.department
    assert dept is not None
    visible = Q(department=dept) | Q(parent__department=dept) | Q(follow_department=dept)
    visible |= Q(Exists(Review.objects.filter(case=OuterRef("pk"), department=dept)))
    if user.has_role(Role.SUPERVISOR):
        visible |= Q(
            department__kind=dept.kind,
            department__jurisdiction__path__startswith=dept.jurisdiction.path,
        ) & ~Q(department__jurisdiction=dept.jurisdiction)
    return set(Case.objects.filter(visible).values_list("pk", flat=True))


def _users(tree: Tree) -> list[User]:
    return [
        tree.prov_staff,
        tree.city_staff,
        tree.county_staff,
        tree.baisha_staff,
        tree.county_hr_staff,
        tree.city_supervisor,
        tree.prov_supervisor,
        tree.energy_staff,
    ]


def _agree(tree: Tree) -> None:
    every = list(Case.objects.values_list("pk", flat=True))
    odd = [pk for pk in every if pk % 2]
    for user in _users(tree):
        expected = _reference(user)
        assert set(cases_visible_to(user).values_list("pk", flat=True)) == expected, user
        # The candidates' form of the rule (issue 11): the same cases among any few named.
        among = visible_among(user, Q(pk__in=every))
        assert set(among.values_list("pk", flat=True)) == expected, user
        some = visible_among(user, Q(pk__in=odd) | Q(root_id__in=odd))
        named = set(
            Case.objects.filter(Q(pk__in=odd) | Q(root_id__in=odd)).values_list("pk", flat=True)
        )
        assert set(some.values_list("pk", flat=True)) == expected & named, user
        # The parts the counts and the search read apart: disjoint, and together the rule.
        parts = [set(p.values_list("pk", flat=True)) for p in visible_parts(user)]
        assert sum(len(p) for p in parts) == len(set().union(*parts)), user
        assert set().union(*parts) == expected, user
        sent = set(
            Assignment.objects.filter(from_department=user.department).values_list(
                "child_id", flat=True
            )
        )
        assert set(cases_sent_down_by(user).values_list("pk", flat=True)) == sent, user
        own = visible_among(user, Q(pk__in=every), own_department_only=True)
        mine = {
            pk for pk in expected if Case.objects.get(pk=pk).department_id == user.department_id
        }
        assert set(own.values_list("pk", flat=True)) == mine, user


def test_union_agrees_through_send_down_follow_review_merge(tree: Tree) -> None:
    city_leader = tree.staff(tree.city_org, "leader")
    county_leader = tree.staff(tree.county_org, "leader")
    _agree(tree)
    # Sent down: 交办 and 转办 make children the sender sees (R-SUPER-2).
    assigned = to_read(register(tree.city_staff), tree.city_staff)
    child = cs.case_assign_down(
        actor=tree.city_staff,
        case=assigned,
        to_department=tree.county_org,
        routing_note="按实际情况分办",
    ).child
    transferred = to_read(register(tree.city_staff), tree.city_staff)
    cs.case_transfer_down(
        actor=tree.city_staff,
        case=transferred,
        to_department=tree.baisha_org,
        routing_note="按实际情况分办",
    )
    assert child.pk in set(cases_visible_to(tree.city_staff).values_list("pk", flat=True))
    _agree(tree)
    # Followed one level up (R-ROUTE-4): a misconduct matter about a county bureau chief.
    followed = to_read(
        register(
            tree.county_staff,
            category="misconduct",
            nature="accusation",
            respondents=[RespondentInput(cadre=tree.county_bureau_chief)],
        ),
        tree.county_staff,
    )
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=followed)
    followed.refresh_from_db()
    assert followed.follow_department == tree.city_org
    _agree(tree)
    # Reviewed (复查, 2022 rules) by the department one level up.
    rule_set_activate(
        actor=tree.staff(tree.prov_org, "administrator"), rule_set=RuleSet.objects.get(code="2022")
    )
    closed = to_closed(register(tree.county_staff), county_leader, tree.county_staff)
    cs.review_apply(
        actor=tree.city_staff,
        case=closed,
        applied_on=timezone.localdate(),
        request="对处理意见不服，请求复查",
    )
    assert closed.pk in set(cases_visible_to(tree.city_staff).values_list("pk", flat=True))
    _agree(tree)
    # Merged: the duplicate stays visible where it was; nothing else changes.
    target = register(tree.county_staff)
    cs.case_merge(
        actor=county_leader, case=register(tree.county_staff), into=target, reason="同一事项"
    )
    _agree(tree)
    assert city_leader.department == tree.city_org
    assert Case.objects.filter(handling_mode=HandlingMode.TRANSFER).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's EXPLAIN QUERY PLAN")
def test_visibility_reads_no_whole_table(tree: Tree) -> None:
    """Every part of the union is a range of an index: no SCAN of the cases table."""
    for _ in range(3):
        register(tree.county_staff)
    for user in _users(tree):
        sql, params = cases_visible_to(user).order_by("-registered_at")[:50].query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = [row[-1] for row in cur.fetchall()]
        assert not [p for p in plan if p.startswith("SCAN cases_case")], plan


def _senders_agree(tree: Tree) -> None:
    """The column of the sender (`Case.sent_down_by`, issue 10) is set on every case sent
    down, to its assignment's from_department, and on no other case; the sent-down queue
    (交转办跟踪, R-SUPER-2) read from it lists what it listed read from the assignments."""
    from_assignments = dict(Assignment.objects.values_list("child_id", "from_department_id"))
    on_cases = dict(
        Case.objects.filter(sent_down_by__isnull=False).values_list("pk", "sent_down_by_id")
    )
    assert on_cases == from_assignments
    for user in _users(tree):
        children = Assignment.objects.filter(from_department=user.department).values("child_id")
        expected = (
            Case.objects.filter(pk__in=children)
            .exclude(state__in=FROZEN_STATES)
            .exclude(state__in=FINISHED_STATES, parent__state__in=FINISHED_STATES)
        )
        listed = sent_down(user)
        assert set(listed.values_list("pk", flat=True)) == set(
            expected.values_list("pk", flat=True)
        ), user
        assert listed.count() == expected.count(), user


def test_the_sender_is_on_the_child_and_only_there(tree: Tree) -> None:
    """R-SUPER-2: a case is sent down by a department when its own assignment came from it,
    through 交办 and 转办, a second level of sending (the grandchild is its sender's, not
    the province's), a withdrawal (R-ROUTE-1), a merge (R-REPEAT-4) and a closure:
    `cases_sent_down_by` is then exactly those cases, the visible parts are still disjoint
    and the rule, and the sent-down queue lists what it listed from the assignments."""
    register(tree.city_staff)
    _senders_agree(tree)
    # The province assigns down to the city (交办); the city sends that child on (转办).
    first = to_read(register(tree.prov_staff), tree.prov_staff)
    child = cs.case_assign_down(
        actor=tree.prov_staff, case=first, to_department=tree.city_org, routing_note="属地办理"
    ).child
    child = to_read(child, tree.city_staff)
    grandchild = cs.case_transfer_down(
        actor=tree.city_staff, case=child, to_department=tree.county_org, routing_note="属地"
    ).child
    assert Case.objects.get(pk=child.pk).sent_down_by_id == tree.prov_org.pk
    assert Case.objects.get(pk=grandchild.pk).sent_down_by_id == tree.city_org.pk
    assert Case.objects.get(pk=first.pk).sent_down_by_id is None
    assert set(cases_sent_down_by(tree.prov_staff).values_list("pk", flat=True)) == {child.pk}
    assert set(cases_sent_down_by(tree.city_staff).values_list("pk", flat=True)) == {grandchild.pk}
    _senders_agree(tree)
    _agree(tree)
    # Withdrawn after the county's objection (R-ROUTE-1): the sender keeps the column, the
    # case stays visible to it as sent down, and the second sending makes a new child.
    sent = to_read(register(tree.city_staff), tree.city_staff)
    assignment = cs.case_assign_down(
        actor=tree.city_staff, case=sent, to_department=tree.county_org, routing_note="属地"
    )
    objection = cs.objection_raise(
        actor=tree.county_staff,
        assignment=assignment,
        reasons="被反映人由市委管理，不属本县管理权限",
        suggested_department=tree.city_org,
    )
    cs.objection_accept(actor=tree.city_staff, objection=objection, opinion="同意，重新分办")
    again = cs.case_transfer_down(
        actor=tree.city_staff, case=sent, to_department=tree.baisha_org, routing_note="属地"
    ).child
    assert Case.objects.get(pk=assignment.child_id).sent_down_by_id == tree.city_org.pk
    assert Case.objects.get(pk=again.pk).sent_down_by_id == tree.city_org.pk
    _senders_agree(tree)
    _agree(tree)
    # Merged: a county registration merged into the case the city sent down (a case sent
    # down cannot itself be merged away, R-REPEAT-4) gets no sender; the target keeps its.
    merged = cs.case_merge(
        actor=tree.staff(tree.county_org, "leader"),
        case=register(tree.county_staff),
        into=Case.objects.get(pk=grandchild.pk),
        reason="同一事项",
    )
    assert Case.objects.get(pk=merged.pk).sent_down_by_id is None
    assert Case.objects.get(pk=grandchild.pk).sent_down_by_id == tree.city_org.pk
    _senders_agree(tree)
    _agree(tree)
    # The sent-down queue's two halves: the province's child, finished (转办 further down)
    # while the province's case waits for it (交办), is listed; Baisha's child closed
    # under the city's transferred case is not (both finished).
    assert Case.objects.get(pk=child.pk).state == "transferred"
    assert set(sent_down(tree.prov_staff).values_list("pk", flat=True)) == {child.pk}
    baisha_leader = tree.staff(tree.baisha_org, "leader")
    to_closed(Case.objects.get(pk=again.pk), baisha_leader, tree.baisha_staff)
    assert again.pk not in set(sent_down(tree.city_staff).values_list("pk", flat=True))
    assert again.pk in set(cases_sent_down_by(tree.city_staff).values_list("pk", flat=True))
    _senders_agree(tree)
    _agree(tree)
