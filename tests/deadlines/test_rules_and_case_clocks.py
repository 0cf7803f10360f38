"""Rule sets as data, and which clocks apply to which case (R-CLOSE-1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.deadlines.conftest import CJK, at, make_assigned, make_case, use_rule_set
from tests.orgtree import Tree
from xinfang.cases.clocks import case_clocks, case_due_on
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.clocks import result_due_on
from xinfang.deadlines.models import ClockRule, RuleSet
from xinfang.deadlines.selectors import active_rule_set
from xinfang.deadlines.services import rule_set_activate
from xinfang.orgs.models import User
from xinfang.routing.terms import HandlingMode

D = dt.date
pytestmark = pytest.mark.django_db


def test_seeded_rule_sets_and_1987_in_force() -> None:
    assert active_rule_set().code == "1987"  # type: ignore[union-attr]
    rules = {
        (r.rule_set.code, r.code): (r.amount, r.unit)
        for r in ClockRule.objects.select_related("rule_set")
    }
    assert rules == {
        ("1987", "result_report"): (3, "months"),
        ("2022", "acceptance_notice"): (15, "calendar_days"),
        ("2022", "handling"): (60, "calendar_days"),
        ("2022", "extension_max"): (30, "calendar_days"),
        ("2022", "review_apply"): (30, "calendar_days"),
        ("2022", "review_decide"): (30, "calendar_days"),
        ("2022", "rereview_apply"): (30, "calendar_days"),
        ("2022", "rereview_decide"): (30, "calendar_days"),
        ("2022", "objection"): (5, "working_days"),
    }
    assert all(CJK.search(r.name) and r.legal_basis for r in ClockRule.objects.all())


def test_activating_a_rule_set_leaves_exactly_one_active(administrator: User) -> None:
    rule_set_activate(actor=administrator, rule_set=RuleSet.objects.get(code="2022"))
    assert list(RuleSet.objects.filter(active=True).values_list("code", flat=True)) == ["2022"]
    rule_set_activate(actor=administrator, rule_set=RuleSet.objects.get(code="1987"))
    assert list(RuleSet.objects.filter(active=True).values_list("code", flat=True)) == ["1987"]


def test_only_administrators_activate_rule_sets(tree: Tree) -> None:
    with pytest.raises(RuleViolation, match="只有系统管理员可以修改工作日历和期限规则。") as exc:
        rule_set_activate(actor=tree.county_staff, rule_set=RuleSet.objects.get(code="2022"))
    assert CJK.search(str(exc.value))
    assert active_rule_set().code == "1987"  # type: ignore[union-attr]


def test_database_refuses_a_second_active_rule_set() -> None:
    # PostgreSQL names the constraint; SQLite names the column of the partial unique index.
    unique = r"ruleset_one_active|UNIQUE constraint failed: deadlines_ruleset\.active"
    with pytest.raises(IntegrityError, match=unique), transaction.atomic():
        RuleSet.objects.filter(code="2022").update(active=True)


def test_r_close_1_assigned_case_due_three_months_after_sending(tree: Tree) -> None:
    """R-CLOSE-1 (1987 set): the result clock starts the day the upper level sent the case."""
    child = make_assigned(tree, sent_on=D(2025, 3, 10), received_on=D(2025, 3, 12))
    [clock] = case_clocks(child, today=D(2025, 4, 1))
    assert clock.code == "result_report"
    assert clock.due_on == D(2025, 6, 10) == result_due_on(D(2025, 3, 10))
    assert case_due_on(child, today=D(2025, 4, 1)) == D(2025, 6, 10)


def test_1987_rules_set_no_clock_for_self_handled_cases(tree: Tree) -> None:
    case = make_case(tree.county_org, registered_on=D(2025, 3, 10))
    assert case_clocks(case, today=D(2025, 4, 1)) == []


def test_2022_self_handled_case_clocks_start_at_registration(tree: Tree) -> None:
    use_rule_set("2022")
    case = make_case(tree.county_org, registered_on=D(2025, 8, 5))
    clocks = {c.code: c for c in case_clocks(case, today=D(2025, 8, 10))}
    assert set(clocks) == {"acceptance_notice", "handling"}
    assert clocks["handling"].due_on == D(2025, 10, 9)  # 4 Oct in the holiday -> 9 Oct
    assert clocks["acceptance_notice"].due_on == D(2025, 8, 20)
    # The acceptance clock stopped when the handling mode was decided (same day).
    assert clocks["acceptance_notice"].stopped_on == D(2025, 8, 5)


def test_2022_assigned_case_clocks_start_at_receipt(tree: Tree) -> None:
    use_rule_set("2022")
    child = make_assigned(tree, sent_on=D(2025, 9, 24), received_on=D(2025, 9, 26))
    clocks = {c.code: c for c in case_clocks(child, today=D(2025, 9, 29))}
    assert set(clocks) == {"acceptance_notice", "objection", "handling"}
    assert clocks["objection"].due_on == D(2025, 10, 10)  # 5 working days after receipt
    assert clocks["handling"].due_on == D(2025, 11, 25)
    assert clocks["handling"].level == "normal"


def test_2022_cases_sent_on_have_no_handling_clock_here(tree: Tree) -> None:
    use_rule_set("2022")
    case = make_case(
        tree.city_org, registered_on=D(2025, 8, 5), mode=HandlingMode.TRANSFER, state="transferred"
    )
    assert [c.code for c in case_clocks(case, today=D(2025, 8, 10))] == ["acceptance_notice"]


def test_closed_case_clock_stops_on_closing_day(tree: Tree) -> None:
    use_rule_set("2022")
    case = make_case(
        tree.county_org, registered_on=D(2025, 8, 1), state="closed", closed_at=at(D(2025, 8, 20))
    )
    handling = next(c for c in case_clocks(case, today=D(2026, 1, 1)) if c.code == "handling")
    assert handling.stopped_on == D(2025, 8, 20)
    assert handling.level == "normal"  # closed in time, never overdue
    assert handling.used_fraction == pytest.approx(19 / 60)
