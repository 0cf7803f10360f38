"""Deciding the handling mode records the routing proposal beside the decision (R-ROUTE-1),
marks key cases at prefecture level and above (R-ROUTE-5), puts important matters under
the eye of the organization department one level up (R-ROUTE-4) and derives the due date
from the rule set in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.builders import RespondentInput, register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.access import cases_visible_to
from xinfang.cases.models import Case, CaseEvent, RoutingDecision
from xinfang.cases.selectors import key_case_count
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate


def _about(tree: Tree, staff_attr: str, cadre_attr: str) -> Case:
    staff = getattr(tree, staff_attr)
    case = register(staff, respondents=[RespondentInput(cadre=getattr(tree, cadre_attr))])
    return to_read(case, staff)


def test_r_route_1_following_the_proposal_needs_no_reason(tree: Tree) -> None:
    case = _about(tree, "county_staff", "township_secretary")  # managed by the county
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
    decision = RoutingDecision.objects.get(case=case)
    assert decision.followed and decision.proposed_mode == "self"
    assert "R-ROUTE-2" in decision.proposal_rules
    assert decision.decided_by == tree.county_staff
    assert (decision.decided_department, decision.decided_department_name) == (
        tree.county_org,
        "河口县委组织部",
    )
    # The event says what was proposed and decided, and links the decision.
    event = CaseEvent.objects.get(case=case, kind="handle_here")
    assert event.payload == {
        "mode": "self",
        "routing_decision": decision.pk,
        "proposal": "建议自办：河口县委组织部",
        # Managed by the county (R-ROUTE-2); a leading cadre's misconduct, followed by the
        # city (R-ROUTE-4); handled here, the default (R-ROUTE-7).
        "proposal_rules": ["R-ROUTE-2", "R-ROUTE-4", "R-ROUTE-7"],
        "followed": True,
        "routing_note": "",
        "key_case": False,
        "handler": tree.county_staff.pk,
        "due_on": None,
    }


def test_r_route_1_departing_from_the_proposal_records_why(tree: Tree) -> None:
    # The city receives a matter about a township secretary managed by the county: the
    # proposal sends it down; keeping it needs a reason, which is recorded with the decider.
    case = _about(tree, "city_staff", "township_secretary")
    with pytest.raises(RuleViolation, match="R-ROUTE-1") as err:
        cs.case_handle_here(actor=tree.city_staff, handler=tree.city_staff, case=case)
    assert "河口县委组织部" in str(err.value)
    assert RoutingDecision.objects.count() == 0
    assert Case.objects.get(pk=case.pk).state == "read"
    cs.case_handle_here(
        actor=tree.city_staff,
        handler=tree.city_staff,
        case=case,
        routing_note="群众多次越级反映，市委组织部直接调查",
    )
    decision = RoutingDecision.objects.get(case=case)
    assert not decision.followed
    assert decision.proposed_department == tree.county_org
    assert decision.decided_department == tree.city_org
    assert decision.deviation_reason == "群众多次越级反映，市委组织部直接调查"


def test_r_route_5_key_case_at_prefecture_is_marked_and_counted(tree: Tree) -> None:
    case = _about(tree, "city_staff", "county_secretary")
    cs.case_handle_here(actor=tree.city_staff, handler=tree.city_staff, case=case)
    assert Case.objects.get(pk=case.pk).is_key_case
    today = timezone.localdate()
    assert key_case_count(tree.city_org, today - dt.timedelta(days=1), today) == 1
    assert key_case_count(tree.county_org, today - dt.timedelta(days=1), today) == 0


def test_r_route_5_a_key_matter_not_handled_at_the_prefecture_is_no_key_case(tree: Tree) -> None:
    """The city's matter about a county secretary is proposed as a key case (R-ROUTE-5);
    kept for reference instead (存查), it is not marked, and its event says so."""
    case = _about(tree, "city_staff", "county_secretary")
    cs.case_file(
        actor=tree.city_staff, case=case, reason="已另案查处", routing_note="同一问题已立案查处"
    )
    assert not Case.objects.get(pk=case.pk).is_key_case
    decision = RoutingDecision.objects.get(case=case)
    assert (decision.decided_mode, decision.decided_department) == ("file", tree.city_org)
    event = CaseEvent.objects.get(case=case, kind="file")
    assert event.payload == {
        "mode": "file",
        "routing_decision": decision.pk,
        "proposal": "建议自办：临江市委组织部",
        # Managed by the city (R-ROUTE-2), never by the county's own department (R-ROUTE-3),
        # a key case (R-ROUTE-5), an important matter (R-ROUTE-4), handled here (R-ROUTE-7).
        "proposal_rules": ["R-ROUTE-2", "R-ROUTE-3", "R-ROUTE-5", "R-ROUTE-4", "R-ROUTE-7"],
        "followed": False,
        "routing_note": "同一问题已立案查处",
        "key_case": False,
        "reason": "已另案查处",
    }


def test_r_intake_4_an_anonymous_letter_kept_as_proposed_needs_no_note(tree: Tree) -> None:
    """An anonymous letter with nothing to verify is proposed for reference (存查,
    R-INTAKE-4); kept so, no routing note is asked or recorded, and the case row says so."""
    case = to_read(
        register(
            tree.county_staff,
            petitioners=[],
            is_anonymous=True,
            anonymous_treatment="keep",
            anonymous_reason="内容笼统，无具体人和事，无从查证。",
        ),
        tree.county_staff,
    )
    cs.case_file(actor=tree.county_staff, case=case, reason="无从查证")
    case.refresh_from_db()
    assert (case.state, case.handling_mode, case.is_key_case) == ("filed", "file", False)
    assert case.mode_decided_at is not None
    event = CaseEvent.objects.get(case=case, kind="file")
    assert (event.payload["followed"], event.payload["routing_note"]) == (True, "")
    assert event.payload["reason"] == "无从查证"


def test_r_route_5_county_cannot_mark_key_cases(tree: Tree) -> None:
    case = _about(tree, "county_staff", "township_secretary")
    with pytest.raises(
        RuleViolation, match=r"^重点案件由地级以上组织部门直接查办，须决定自办（R-ROUTE-5）。$"
    ) as err:
        cs.case_handle_here(
            actor=tree.county_staff, handler=tree.county_staff, case=case, key_case=True
        )
    assert err.value.rules == ("R-ROUTE-5",)
    cs.case_handle_here(
        actor=tree.county_staff, handler=tree.county_staff, case=case, key_case=False
    )
    assert not Case.objects.get(pk=case.pk).is_key_case


def test_r_route_4_important_matter_followed_one_level_up(tree: Tree) -> None:
    case = _about(tree, "county_staff", "county_bureau_chief")  # misconduct, section rank
    assert not cases_visible_to(tree.city_staff).filter(pk=case.pk).exists()
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
    case.refresh_from_db()
    assert case.follow_department == tree.city_org
    assert cases_visible_to(tree.city_staff).filter(pk=case.pk).exists()
    assert not cases_visible_to(tree.baisha_staff).filter(pk=case.pk).exists()


def test_ordinary_matter_is_not_followed_up(tree: Tree) -> None:
    case = to_read(
        register(tree.county_staff, category="policy_history", nature="appeal"), tree.county_staff
    )
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
    assert Case.objects.get(pk=case.pk).follow_department is None


def test_due_date_follows_the_rule_set_in_force(tree: Tree) -> None:
    # 1987 set (default): a self-handled case has no clock; an assigned one is due in 3 months.
    case = to_read(register(tree.county_staff), tree.county_staff)
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
    assert Case.objects.get(pk=case.pk).due_on is None
    admin = tree.staff(tree.prov_org, "administrator")
    rule_set_activate(actor=admin, rule_set=RuleSet.objects.get(code="2022"))
    # 2022 set: handling within 60 days of registration (calendar days, rolled past rest days).
    case = to_read(register(tree.county_staff), tree.county_staff)
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
    case.refresh_from_db()
    start = timezone.localdate(case.registered_at)
    assert start + dt.timedelta(days=60) <= case.due_on <= start + dt.timedelta(days=68)


def test_switching_rule_sets_rederives_open_due_dates(tree: Tree) -> None:
    case = to_read(register(tree.county_staff), tree.county_staff)
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
    assert Case.objects.get(pk=case.pk).due_on is None  # 1987: no clock for handling here
    admin = tree.staff(tree.prov_org, "administrator")
    rule_set_activate(actor=admin, rule_set=RuleSet.objects.get(code="2022"))
    assert Case.objects.get(pk=case.pk).due_on is not None
    rule_set_activate(actor=admin, rule_set=RuleSet.objects.get(code="1987"))
    assert Case.objects.get(pk=case.pk).due_on is None
