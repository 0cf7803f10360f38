"""R-STAFF-1: the 承办人 of a case handled here. Deciding 自办 names one, and a leader of the
department names another later (指定承办人), each with its event, so a handler's
workload and 我承办的案件 always hold the cases naming him (docs/decisions.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import at, complete_closure, register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases import queues as q
from xinfang.cases.available import actions_open_to
from xinfang.cases.models import Case, CaseEvent, State
from xinfang.cases.selectors import staff_workload
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate
from xinfang.orgs.models import User


def _handlers(tree: Tree) -> tuple[User, User]:
    return (
        tree.staff(tree.county_org, "handler", name="wang"),
        tree.staff(tree.county_org, "handler", name="li"),
    )


def _handled_by(tree: Tree, handler: User) -> Case:
    case = to_read(register(tree.county_staff), tree.county_staff)
    return cs.case_handle_here(actor=tree.county_staff, case=case, handler=handler)


def _events(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def test_r_staff_1_deciding_to_handle_here_without_a_handler_is_refused(tree: Tree) -> None:
    case = to_read(register(tree.county_staff), tree.county_staff)
    with pytest.raises(RuleViolation, match=r"^决定自办须指定本部门的承办人。$") as err:
        cs.case_handle_here(actor=tree.county_staff, case=case, handler=None)
    assert err.value.rules == ("R-STAFF-1",)
    case.refresh_from_db()
    assert (case.state, case.handler_id, case.handling_mode) == ("read", None, "")
    assert _events(case) == ["register", "read"]


def test_r_staff_1_the_decision_records_the_handler_and_the_due_date(tree: Tree) -> None:
    """The 决定自办 event names the handler, and the due date under the 2022 rules: 60 days
    from registration (1 September 2025 + 60 = 31 October, a Friday and a working day)."""
    wang, _li = _handlers(tree)
    admin = tree.staff(tree.prov_org, "administrator")
    rule_set_activate(actor=admin, rule_set=RuleSet.objects.get(code="2022"))
    with at(2025, 9, 1):
        case = _handled_by(tree, wang)
    case.refresh_from_db()
    assert (case.state, case.handler_id, case.due_on) == (
        "handling",
        wang.pk,
        dt.date(2025, 10, 31),
    )
    event = CaseEvent.objects.get(case=case, kind="handle_here")
    assert (event.payload["handler"], event.payload["due_on"], event.payload["mode"]) == (
        wang.pk,
        "2025-10-31",
        "self",
    )


def test_r_staff_1_a_leader_names_another_handler_with_the_reason(tree: Tree) -> None:
    wang, li = _handlers(tree)
    case = _handled_by(tree, wang)
    cs.case_name_handler(actor=tree.county_staff, case=case, handler=li, reason=" 王某调离 ")
    case.refresh_from_db()
    assert (case.state, case.handler_id) == ("handling", li.pk)
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None
    assert (event.kind, event.from_state, event.to_state, event.actor_id) == (
        "name_handler",
        "handling",
        "handling",
        tree.county_staff.pk,
    )
    assert event.payload == {"handler": li.pk, "previous_handler": wang.pk, "reason": "王某调离"}
    # The work moves with the name: his queue and the department's workload (R-STAFF-1).
    assert [c.pk for c in q.my_cases(li)] == [case.pk]
    assert list(q.my_cases(wang)) == []
    rows = {w.user.username: w.open_cases for w in staff_workload(tree.county_org)}
    assert (rows["wang"], rows["li"]) == (0, 1)


def test_r_staff_1_a_case_without_a_handler_gets_one_without_a_reason(tree: Tree) -> None:
    """A case decided 自办 before a handler was required (or through the API of that time)
    names none: the leader names one, no reason asked."""
    wang, _li = _handlers(tree)
    case = _handled_by(tree, wang)
    Case.objects.filter(pk=case.pk).update(handler=None)
    cs.case_name_handler(actor=tree.county_staff, case=case, handler=wang)
    case.refresh_from_db()
    assert case.handler_id == wang.pk
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.kind == "name_handler"
    assert event.payload == {"handler": wang.pk, "previous_handler": None, "reason": ""}


def test_r_staff_1_replacing_a_handler_says_why(tree: Tree) -> None:
    wang, li = _handlers(tree)
    case = _handled_by(tree, wang)
    with pytest.raises(RuleViolation, match=r"^更换承办人须写明理由。$") as err:
        cs.case_name_handler(actor=tree.county_staff, case=case, handler=li, reason="  ")
    assert err.value.rules == ("R-STAFF-1",)
    assert Case.objects.get(pk=case.pk).handler_id == wang.pk
    assert _events(case) == ["register", "read", "handle_here"]


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("same", "^wang已是本案的承办人。$"),
        # Not named: the API takes any user's id, and the refusal would tell whose it is.
        ("other_department", "^所指定的人员不是本部门的承办人，不能指定其承办。$"),
        ("not_a_handler", "^county-leader不是本部门的承办人，不能指定其承办。$"),
        ("inactive", "^zhao不是本部门的承办人，不能指定其承办。$"),
    ],
)
def test_r_staff_1_only_another_handler_of_the_department_is_named(
    tree: Tree, who: str, message: str
) -> None:
    wang, _li = _handlers(tree)
    case = _handled_by(tree, wang)
    gone = tree.staff(tree.county_org, "handler", name="zhao")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    named = {
        "same": wang,
        "other_department": tree.baisha_staff,
        "not_a_handler": tree.staff(tree.county_org, "leader", name="county-leader"),
        "inactive": User.objects.get(pk=gone.pk),
    }[who]
    with pytest.raises(RuleViolation, match=message) as err:
        cs.case_name_handler(actor=tree.county_staff, case=case, handler=named, reason="调整")
    assert err.value.rules == ("R-STAFF-1",)
    assert Case.objects.get(pk=case.pk).handler_id == wang.pk
    assert _events(case) == ["register", "read", "handle_here"]


def test_r_staff_1_an_inactive_handler_is_not_named_when_deciding_either(tree: Tree) -> None:
    gone = tree.staff(tree.county_org, "handler", name="zhao")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    case = to_read(register(tree.county_staff), tree.county_staff)
    with pytest.raises(RuleViolation, match=r"^zhao不是本部门的承办人，不能指定其承办。$") as err:
        cs.case_handle_here(
            actor=tree.county_staff, case=case, handler=User.objects.get(pk=gone.pk)
        )
    assert err.value.rules == ("R-STAFF-1",)
    assert Case.objects.get(pk=case.pk).state == "read"


def test_r_staff_1_only_a_case_being_handled_here_takes_a_handler(tree: Tree) -> None:
    wang, li = _handlers(tree)
    refused = "^只有本部门自办、正在办理的案件可以指定承办人。$"
    read = to_read(register(tree.county_staff), tree.county_staff)
    with pytest.raises(RuleViolation, match=refused) as err:
        cs.case_name_handler(actor=tree.county_staff, case=read, handler=li)
    assert err.value.rules == ("R-STAFF-1",)
    # Submitted for closure: the leader approves or returns it first.
    closing = _handled_by(tree, wang)
    cs.closure_submit(actor=wang, case=closing, **complete_closure(closing))
    with pytest.raises(RuleViolation, match=refused):
        cs.case_name_handler(actor=tree.county_staff, case=closing, handler=li, reason="调整")
    # The city's own case of a 交办 is handled below, by the county's handler.
    city = cs.case_read(actor=tree.city_staff, case=register(tree.city_staff), text="阅")
    cs.case_assign_down(
        actor=tree.city_staff,
        case=city,
        to_department=tree.county_org,
        routing_note="县里熟悉情况",
    )
    city.refresh_from_db()
    assert city.state == State.HANDLING
    with pytest.raises(RuleViolation, match=refused):
        cs.case_name_handler(actor=tree.city_staff, case=city, handler=tree.city_staff)
    assert [Case.objects.get(pk=c.pk).handler_id for c in (read, closing, city)] == [
        None,
        wang.pk,
        None,
    ]


def test_r_staff_1_only_a_leader_of_the_department_names_the_handler(tree: Tree) -> None:
    wang, li = _handlers(tree)
    case = _handled_by(tree, wang)
    with pytest.raises(RuleViolation, match="指定承办人"):
        cs.case_name_handler(actor=wang, case=case, handler=li, reason="调整")
    with pytest.raises(RuleViolation, match="只有责任部门（河口县委组织部）可以办理此案件"):
        cs.case_name_handler(actor=tree.city_staff, case=case, handler=li, reason="调整")
    assert Case.objects.get(pk=case.pk).handler_id == wang.pk


def test_r_staff_1_the_page_offers_naming_the_handler_where_the_action_allows(
    tree: Tree,
) -> None:
    wang, _li = _handlers(tree)
    case = _handled_by(tree, wang)
    assert "name_handler" in actions_open_to(tree.county_staff, case)
    assert "name_handler" not in actions_open_to(wang, case)
    assert "name_handler" not in actions_open_to(tree.city_staff, case)
    read = to_read(register(tree.county_staff), tree.county_staff)
    assert "name_handler" not in actions_open_to(tree.county_staff, read)
    city = cs.case_read(actor=tree.city_staff, case=register(tree.city_staff), text="阅")
    cs.case_assign_down(
        actor=tree.city_staff, case=city, to_department=tree.county_org, routing_note="县里办"
    )
    city.refresh_from_db()
    assert "name_handler" not in actions_open_to(tree.city_staff, city)
