"""Extensions (延期) and pauses (中止计时): every bad input is refused with nothing written."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.deadlines.conftest import CJK, make_case, use_rule_set
from tests.orgtree import Tree
from xinfang.cases.actions import extension_grant, pause_end, pause_start
from xinfang.cases.clocks import case_due_on
from xinfang.cases.models import Case, CaseEvent, Extension, Pause
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.calendar import get_calendar
from xinfang.deadlines.clocks import add_months

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture
def case(tree: Tree) -> Case:
    use_rule_set("2022")
    return make_case(tree.county_org, registered_on=TODAY - 10 * DAY)


def grant(tree: Tree, case: Case, **changes: Any) -> Extension:
    args: dict[str, Any] = {
        "actor": tree.county_staff,
        "case": case,
        "days": 20,
        "reason": "涉及多个单位，需调取历史档案核实",
        "legal_basis": "《信访工作条例》延期规定",
        "petitioner_told_on": TODAY,
        "petitioner_told_how": "电话告知",
    }
    args.update(changes)
    return extension_grant(**args)


def test_extension_moves_the_due_date_and_writes_one_event(tree: Tree, case: Case) -> None:
    registered = TODAY - 10 * DAY
    cal = get_calendar()
    assert case_due_on(case) == cal.next_workday_on_or_after(registered + 60 * DAY)
    extension = grant(tree, case)
    case.refresh_from_db()
    assert extension.approved_by == tree.county_staff
    assert case.due_on == case_due_on(case) == cal.next_workday_on_or_after(registered + 80 * DAY)
    [event] = CaseEvent.objects.filter(case=case)
    assert event.kind == "deadline_extended"
    assert event.payload["days"] == 20 and event.payload["total_days"] == 20


def _extension_refusals() -> list[tuple[str, Callable[[Tree, Case], Any], str]]:
    def archived(tree: Tree, case: Case) -> None:
        Case.objects.filter(pk=case.pk).update(state="archived")
        grant(tree, case)

    def closed(tree: Tree, case: Case) -> None:
        Case.objects.filter(pk=case.pk).update(state="closed")
        grant(tree, case)

    def over_max(tree: Tree, case: Case) -> None:
        grant(tree, case, days=20)
        grant(tree, case, days=11)

    def rules_1987(tree: Tree, case: Case) -> None:
        use_rule_set("1987")
        grant(tree, case)

    return [
        ("zero_days", lambda t, c: grant(t, c, days=0), "正整数"),
        ("blank_reason", lambda t, c: grant(t, c, reason="  "), "延期理由"),
        ("blank_basis", lambda t, c: grant(t, c, legal_basis=""), "依据"),
        ("not_told", lambda t, c: grant(t, c, petitioner_told_on=None), "告知"),
        ("told_how_missing", lambda t, c: grant(t, c, petitioner_told_how=""), "告知方式"),
        ("told_in_future", lambda t, c: grant(t, c, petitioner_told_on=TODAY + DAY), "今天"),
        (
            "told_before_registration",
            lambda t, c: grant(t, c, petitioner_told_on=TODAY - 30 * DAY),
            "登记日期",
        ),
        ("over_30_days_in_one", lambda t, c: grant(t, c, days=31), "不得超过30日"),
        ("over_30_days_in_total", over_max, "不得超过30日"),
        ("no_extension_clock_1987", rules_1987, "不允许延长"),
        ("closed_case", closed, "已结案"),
        ("archived_case", archived, "已归档"),
        # 2022 条例: approved by the head of the handling body, i.e. a leader of its department.
        (
            "not_a_leader",
            lambda t, c: grant(t, c, actor=t.staff(t.county_org, "handler")),
            "部领导",
        ),
        ("other_department", lambda t, c: grant(t, c, actor=t.city_staff), "责任部门"),
        ("other_kind_same_county", lambda t, c: grant(t, c, actor=t.county_hr_staff), "责任部门"),
    ]


@pytest.mark.parametrize(
    ("name", "attempt", "text"), _extension_refusals(), ids=[r[0] for r in _extension_refusals()]
)
def test_extension_refusals(
    tree: Tree, case: Case, name: str, attempt: Callable[[Tree, Case], Any], text: str
) -> None:
    extensions_before = Extension.objects.count()
    events_before = CaseEvent.objects.count()
    due_before = Case.objects.get(pk=case.pk).due_on
    if name == "over_30_days_in_total":
        extensions_before, events_before = 1, 1  # the first, valid grant stays
    with pytest.raises(RuleViolation, match=re.escape(text)) as exc:
        attempt(tree, case)
    assert CJK.search(str(exc.value)) and text in str(exc.value), str(exc.value)
    assert Extension.objects.count() == extensions_before
    assert CaseEvent.objects.count() == events_before
    if name != "over_30_days_in_total":
        assert Case.objects.get(pk=case.pk).due_on == due_before


def test_pause_then_resume_moves_the_due_date(tree: Tree) -> None:
    """Under the 1987 set (R-CLOSE-1: three months, no rolling) so the dates are exact."""
    registered = TODAY - 10 * DAY
    case = make_case(tree.county_org, registered_on=registered, result_required=True)
    due = case_due_on(case)
    assert due == add_months(registered, 3)
    pause = pause_start(
        actor=tree.county_staff,
        case=case,
        reason="等待司法鉴定结论",
        legal_basis="需要鉴定的期间不计入办理期限",
        start_on=TODAY - 5 * DAY,
    )
    assert case_due_on(case) == due + 6 * DAY  # open: counted up to and including today
    pause_end(actor=tree.county_staff, case=case, end_on=TODAY)
    case.refresh_from_db()
    pause.refresh_from_db()
    assert pause.end_on == TODAY and pause.ended_by == tree.county_staff
    assert case.due_on == case_due_on(case) == due + 5 * DAY
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "clock_paused",
        "clock_resumed",
    ]


@pytest.mark.parametrize(
    ("name", "kwargs", "text"),
    [
        ("blank_reason", {"reason": ""}, "理由"),
        ("blank_basis", {"legal_basis": " "}, "依据"),
        ("future_start", {"start_on": TODAY + DAY}, "今天"),
        ("before_registration", {"start_on": TODAY - 30 * DAY}, "登记日期"),
    ],
)
def test_pause_start_refusals(
    tree: Tree, case: Case, name: str, kwargs: dict[str, Any], text: str
) -> None:
    args: dict[str, Any] = {
        "actor": tree.county_staff,
        "case": case,
        "reason": "等待鉴定",
        "legal_basis": "鉴定期间不计入",
    }
    args.update(kwargs)
    with pytest.raises(RuleViolation, match=re.escape(text)) as exc:
        pause_start(**args)
    assert text in str(exc.value)
    assert not Pause.objects.exists() and not CaseEvent.objects.exists()


def test_pause_refusals_on_state(tree: Tree, case: Case) -> None:
    with pytest.raises(RuleViolation, match="没有中止计时"):
        pause_end(actor=tree.county_staff, case=case)
    pause_start(
        actor=tree.county_staff,
        case=case,
        reason="等待鉴定",
        legal_basis="鉴定期间",
        start_on=TODAY - DAY,
    )
    with pytest.raises(RuleViolation, match="已在中止计时中"):
        pause_start(actor=tree.county_staff, case=case, reason="再次", legal_basis="再次")
    with pytest.raises(RuleViolation, match="不能早于中止日期"):
        pause_end(actor=tree.county_staff, case=case, end_on=TODAY - 2 * DAY)
    with pytest.raises(RuleViolation, match="责任部门"):
        pause_end(actor=tree.county_hr_staff, case=case)
    assert Pause.objects.count() == 1 and CaseEvent.objects.count() == 1
