"""The case page: where the case stands, everything in one place, protected material only
as the protection policy allows, no codes or contradictions, a query budget."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tests.builders import (
    RespondentInput,
    at,
    complete_closure,
    register,
    to_read,
    visit_interview,
)
from tests.clients import staff_client
from tests.deadlines.conftest import use_rule_set
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case


def _page(user: Any, case: Case) -> tuple[int, str]:
    response = staff_client(user).get(reverse("web:case", kwargs={"case_id": case.pk}))
    return response.status_code, response.content.decode()


def _realistic(tree: Tree) -> Case:
    """A visit with an interview, read, assigned down, handled and reported below."""
    case = register(
        tree.city_staff,
        channel="visit",
        interview=visit_interview(tree.city_staff),
        respondents=[RespondentInput(cadre=tree.county_bureau_chief)],
    )
    case = to_read(case, tree.city_staff)
    cs.case_instruct(actor=tree.city_staff, case=case, text="抓紧办理")
    child = cs.case_assign_down(
        actor=tree.city_staff, case=case, to_department=tree.county_org, routing_note="县里熟悉"
    ).child
    leader = tree.staff(tree.county_org, "leader")
    cs.assignment_receive(actor=leader, assignment=child.assignment_in)
    child = cs.case_handle_here(
        actor=leader, handler=tree.county_staff, case=to_read(child, leader)
    )
    cs.closure_submit(actor=tree.county_staff, case=child, **complete_closure(child))
    cs.closure_approve(actor=leader, case=child, review_opinion="同意报结")
    return Case.objects.get(pk=case.pk)


def test_r_intake_1_the_page_shows_the_six_steps_and_where_the_case_stands(tree: Tree) -> None:
    case = register(tree.county_staff)
    status, body = _page(tree.county_staff, case)
    assert status == 200
    for label in ("登记", "接谈", "阅看", "办理", "结案", "归档"):
        assert label in body
    assert 'aria-current="step">1. 登记' in body


def test_everything_in_one_place_in_chinese_without_codes(tree: Tree) -> None:
    case = _realistic(tree)
    status, body = _page(tree.city_staff, case)
    assert status == 200
    for text in ("领导批示", "抓紧办理", "交办", "河口县委组织部", "办理记录", "阅批", "签收"):
        assert text in body
    # The decision followed the proposal: a reason typed anyway is not shown beside it.
    assert "（采纳建议）" in body and "县里熟悉" not in body
    main = body.split("<main", 1)[1]
    for code in ("R-ROUTE", "R-CLOSE", "assign_down", '"mode"', "handling", "None"):
        assert code not in main, code
    assert "审核通过下级报结" in body  # the leader's button for the report from below


def test_a_followed_decision_shows_no_departure_reason(tree: Tree) -> None:
    case = to_read(register(tree.county_staff), tree.county_staff)
    cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
    _, body = _page(tree.county_staff, case)
    assert "（采纳建议）" in body and "未采纳建议的理由" not in body


def test_no_deadline_sentence_beside_a_due_date(tree: Tree) -> None:
    """Never "no deadline" beside a due date: an assigned case shows its result date."""
    case = _realistic(tree)
    child = Case.objects.get(parent=case)
    _, body = _page(tree.county_staff, child)
    assert child.due_on is not None
    assert f"{child.due_on:%Y-%m-%d}" in body
    assert "没有计算中的办理期限" not in body


def _card(body: str, title: str) -> str:
    """The case page's card under the heading `title`."""
    section = body[body.index(f'<h2 class="h6">{title}</h2>') :]
    return section[: section.index("</section>")]


def test_a_finished_case_shows_no_running_clock_but_what_ended_it(tree: Tree) -> None:
    """A case sent down, reported on 1 April 2025, accepted on 9 April, both archived in
    January 2026 (1987 rules: result due 12 June 2025). Looked at today, neither page
    shows a running clock or an overdue date: each says when and how it ended."""
    with at(2025, 3, 12):
        case = to_read(register(tree.city_staff), tree.city_staff)
        child = cs.case_assign_down(
            actor=tree.city_staff, case=case, to_department=tree.county_org, routing_note="县办"
        ).child
        leader = tree.staff(tree.county_org, "leader")
        cs.assignment_receive(actor=leader, assignment=child.assignment_in)
        child = cs.case_handle_here(
            actor=leader, handler=tree.county_staff, case=to_read(child, leader)
        )
    with at(2025, 4, 1):
        cs.closure_submit(actor=tree.county_staff, case=child, **complete_closure(child))
        cs.closure_approve(actor=leader, case=child, review_opinion="同意报结")
    with at(2025, 4, 9):
        child = Case.objects.get(pk=child.pk)
        cs.report_accept(actor=tree.city_staff, case=case, child=child, opinion="同意")
    with at(2026, 1, 6):
        cs.case_archive(actor=tree.county_staff, case=Case.objects.get(pk=child.pk))
        cs.case_archive(actor=tree.city_staff, case=Case.objects.get(pk=case.pk))
    _, body = _page(tree.city_staff, case)
    clocks = _card(body, "期限")
    assert "本案2025年4月9日已结案（现已归档），期限不再计算。" in clocks
    assert "已逾期" not in clocks and "办理期限：" not in clocks
    _, body = _page(tree.county_staff, child)
    clocks = _card(body, "期限")
    assert "本案2025年4月1日已结案（现已归档），期限不再计算。" in clocks
    assert "2025-04-01已结案，已停止计时" in clocks
    for running in ("正常", "即将到期", "已逾期"):
        assert running not in clocks


def _read_with_a_date(tree: Tree) -> Case:
    """1987 rules (no clock of their own on a case read): read on 2 March 2025, the leader
    asking for it done, and reported, by 10 March."""
    with at(2025, 3, 2):
        return cs.case_read(
            actor=tree.county_staff,
            case=register(tree.county_staff),
            text="查后报我",
            due_on=dt.date(2025, 3, 10),
            report_required=True,
        )


@pytest.mark.parametrize(
    ("day", "overdue"),
    [
        pytest.param(9, False, id="the-day-before"),
        pytest.param(10, False, id="the-day-itself"),
        pytest.param(11, True, id="the-day-after"),
    ],
)
def test_r_county_3_a_leaders_date_is_on_the_deadline_card_and_overdue_the_day_after(
    tree: Tree, day: int, overdue: bool
) -> None:
    """The leader's date was only in the instruction's line, and the deadline card said "no
    running deadline" beside it, also once it had passed (found in the demo: a handler's
    case with 要求12月2日前完成 looked at on 4 December)."""
    case = _read_with_a_date(tree)
    with at(2025, 3, day):
        _, body = _page(tree.county_staff, case)
    clocks = _card(body, "期限")
    assert "没有计算中的办理期限" not in clocks
    assert "领导批示要求2025年3月10日前完成" in clocks
    assert ("已逾期" in clocks) is overdue
    assert ("2025年3月10日前完成，已逾期" in _card(body, "领导批示")) is overdue


def test_r_county_3_a_reported_instruction_no_longer_runs(tree: Tree) -> None:
    case = _read_with_a_date(tree)
    with at(2025, 3, 9):
        cs.instruction_report(
            actor=tree.county_staff, instruction=case.instructions.get(), text="已查实"
        )
    with at(2025, 3, 11):
        _, body = _page(tree.county_staff, case)
    clocks = _card(body, "期限")
    assert "本案目前没有计算中的办理期限。" in clocks
    assert "已逾期" not in body


def test_r_county_3_a_finished_case_leaves_its_leaders_date_behind(tree: Tree) -> None:
    case = _read_with_a_date(tree)
    with at(2025, 3, 3):
        case = cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
        cs.closure_submit(actor=tree.county_staff, case=case, **complete_closure(case))
        leader = tree.staff(tree.county_org, "leader")
        cs.closure_approve(actor=leader, case=case, review_opinion="同意结案")
    with at(2025, 3, 11):
        _, body = _page(tree.county_staff, case)
    assert Case.objects.get(pk=case.pk).state == "closed"
    assert "领导批示要求" not in _card(body, "期限")
    assert "已逾期" not in body


def test_a_withdrawn_case_stops_its_2022_clocks_on_the_day_it_was_withdrawn(tree: Tree) -> None:
    """2022 rules: a case sent down, objected to and withdrawn on 5 March 2025 had its
    acceptance, objection and handling clocks running; they stop that day."""
    use_rule_set("2022")
    with at(2025, 3, 3):
        case = to_read(register(tree.city_staff), tree.city_staff)
        sent = cs.case_assign_down(
            actor=tree.city_staff, case=case, to_department=tree.county_org, routing_note="县办"
        )
        cs.assignment_receive(actor=tree.county_staff, assignment=sent)
    with at(2025, 3, 5):
        objection = cs.objection_raise(actor=tree.county_staff, assignment=sent, reasons="不属本县")
        cs.objection_accept(actor=tree.city_staff, objection=objection)
    _, body = _page(tree.county_staff, sent.child)
    clocks = _card(body, "期限")
    assert "本案2025年3月5日已撤回重新分办，期限不再计算。" in clocks
    assert clocks.count("2025-03-05已撤回重新分办，已停止计时") == 3
    for running in ("正常", "即将到期", "已逾期"):
        assert running not in clocks


def test_r_protect_1_identity_hidden_from_those_not_allowed(tree: Tree) -> None:
    """The department that registered it sees the petitioner; a supervisor above sees the
    hidden note on the case below."""
    case = _realistic(tree)
    child = Case.objects.get(parent=case)
    _, upper = _page(tree.city_staff, case)
    assert "王建华" in upper
    _, lower = _page(tree.city_supervisor, child)
    assert "王建华" not in lower and "（已隐去）" in lower and "已随身份一并隐去" in lower


def test_missing_and_forbidden_are_the_same_chinese_404(tree: Tree) -> None:
    case = register(tree.county_staff)
    status, body = _page(tree.baisha_staff, case)
    assert status == 404 and "不存在或无权查看" in body
    missing = staff_client(tree.county_staff).get(reverse("web:case", kwargs={"case_id": 999999}))
    assert missing.status_code == 404 and "不存在或无权查看" in missing.content.decode()


def test_query_budget(tree: Tree, django_assert_max_num_queries: Any) -> None:
    case = _realistic(tree)
    client = staff_client(tree.city_staff)
    url = reverse("web:case", kwargs={"case_id": case.pk})
    with django_assert_max_num_queries(60):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("instructions", [1, 6])
def test_query_count_does_not_grow_with_the_timeline(
    tree: Tree, instructions: int, django_assert_max_num_queries: Any
) -> None:
    case = to_read(register(tree.county_staff), tree.county_staff)
    for n in range(instructions):
        cs.case_instruct(actor=tree.county_staff, case=case, text=f"第{n}次批示")
    client = staff_client(tree.county_staff)
    with django_assert_max_num_queries(45):
        client.get(reverse("web:case", kwargs={"case_id": case.pk}))


def test_a_departing_decision_shows_its_reason(tree: Tree) -> None:
    case = to_read(register(tree.county_staff), tree.county_staff)
    cs.case_file(actor=tree.county_staff, case=case, reason="无可查证", routing_note="匿名无线索")
    _, body = _page(tree.county_staff, case)
    assert "（未采纳建议）" in body and "未采纳建议的理由：匿名无线索" in body
    assert "（采纳建议）" not in body
