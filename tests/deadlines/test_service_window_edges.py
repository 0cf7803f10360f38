"""The windows of the deadline services on their first day, last day and the day after:
the extension limit (30 days in all, 2022 rules), the dates an extension or a pause may
carry, and the admin's "due within 7 days" and "overdue" lists.

Dates are written relative to a fixed registration; every expected answer is written here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import RequestFactory

from tests.builders import at
from tests.deadlines.conftest import make_case, use_rule_set
from tests.orgtree import Tree
from xinfang.cases.actions import extension_grant, pause_end, pause_start
from xinfang.cases.admin import DeadlineFilter
from xinfang.cases.models import Case, Extension, Pause
from xinfang.core.errors import RuleViolation

pytestmark = pytest.mark.django_db
D = dt.date
REGISTERED = D(2025, 3, 3)  # a Monday
TODAY = D(2025, 3, 13)


def _grant(tree: Tree, case: Case, **changes: Any) -> Extension:
    args: dict[str, Any] = {
        "actor": tree.county_staff,
        "case": case,
        "days": 10,
        "reason": "涉及多个单位，需调取历史档案核实",
        "legal_basis": "《信访工作条例》延期规定",
        "petitioner_told_on": TODAY,
        "petitioner_told_how": "电话告知",
    }
    args.update(changes)
    with at(TODAY.year, TODAY.month, TODAY.day):
        return extension_grant(**args)


@pytest.fixture
def case(tree: Tree) -> Case:
    use_rule_set("2022")
    return make_case(tree.county_org, registered_on=REGISTERED)


def test_extension_of_one_day_is_the_smallest(tree: Tree, case: Case) -> None:
    with pytest.raises(RuleViolation, match="延长天数必须是正整数。"):
        _grant(tree, case, days=0)
    assert _grant(tree, case, days=1).days == 1


def test_extension_up_to_thirty_days_in_all_and_not_one_more(tree: Tree, case: Case) -> None:
    _grant(tree, case, days=20)
    refusal = re.escape("延长期限累计不得超过30日：已延长20日，本次最多还可延长10日。")
    with pytest.raises(RuleViolation, match=refusal):
        _grant(tree, case, days=11)  # the day after the limit
    _grant(tree, case, days=10)  # exactly the limit
    refusal = re.escape("延长期限累计不得超过30日：已延长30日，本次最多还可延长0日。")
    with pytest.raises(RuleViolation, match=refusal):
        _grant(tree, case, days=1)
    assert sorted(Extension.objects.filter(case=case).values_list("days", flat=True)) == [10, 20]


def test_thirty_days_in_one_extension(tree: Tree, case: Case) -> None:
    with pytest.raises(RuleViolation, match="延长期限累计不得超过30日"):
        _grant(tree, case, days=31)
    assert _grant(tree, case, days=30).days == 30


@pytest.mark.parametrize(
    ("told_on", "refusal"),
    [
        (REGISTERED - dt.timedelta(days=1), "告知信访人日期不能早于登记日期。"),
        (REGISTERED, None),  # the first possible day
        (TODAY, None),  # the last possible day
        (TODAY + dt.timedelta(days=1), "告知信访人日期不能晚于今天。"),
    ],
    ids=["day_before_registration", "registration_day", "today", "tomorrow"],
)
def test_extension_told_between_registration_and_today(
    tree: Tree, case: Case, told_on: D, refusal: str | None
) -> None:
    if refusal is None:
        assert _grant(tree, case, petitioner_told_on=told_on).petitioner_told_on == told_on
    else:
        with pytest.raises(RuleViolation, match=re.escape(refusal)):
            _grant(tree, case, petitioner_told_on=told_on)
        assert not Extension.objects.exists()


def _pause(tree: Tree, case: Case, start_on: D) -> Pause:
    with at(TODAY.year, TODAY.month, TODAY.day):
        return pause_start(
            actor=tree.county_staff,
            case=case,
            reason="等待司法鉴定结论",
            legal_basis="鉴定期间不计入办理期限",
            start_on=start_on,
        )


@pytest.mark.parametrize(
    ("start_on", "refusal"),
    [
        (REGISTERED - dt.timedelta(days=1), "中止日期不能早于登记日期。"),
        (REGISTERED, None),
        (TODAY, None),
        (TODAY + dt.timedelta(days=1), "中止日期不能晚于今天。"),
    ],
    ids=["day_before_registration", "registration_day", "today", "tomorrow"],
)
def test_pause_starts_between_registration_and_today(
    tree: Tree, case: Case, start_on: D, refusal: str | None
) -> None:
    if refusal is None:
        assert _pause(tree, case, start_on).start_on == start_on
    else:
        with pytest.raises(RuleViolation, match=re.escape(refusal)):
            _pause(tree, case, start_on)
        assert not Pause.objects.exists()


@pytest.mark.parametrize(
    ("end_on", "refusal"),
    [
        (D(2025, 3, 9), "恢复计时日期不能早于中止日期。"),
        (D(2025, 3, 10), None),  # the day it was paused
        (TODAY, None),
        (TODAY + dt.timedelta(days=1), "恢复计时日期不能晚于今天。"),
    ],
    ids=["day_before_pause", "pause_day", "today", "tomorrow"],
)
def test_pause_ends_between_its_start_and_today(
    tree: Tree, case: Case, end_on: D, refusal: str | None
) -> None:
    _pause(tree, case, D(2025, 3, 10))
    with at(TODAY.year, TODAY.month, TODAY.day):
        if refusal is None:
            assert pause_end(actor=tree.county_staff, case=case, end_on=end_on).end_on == end_on
        else:
            with pytest.raises(RuleViolation, match=re.escape(refusal)):
                pause_end(actor=tree.county_staff, case=case, end_on=end_on)
            assert Pause.objects.get().end_on is None


def _listed(tree: Tree, value: str) -> set[str]:
    request = RequestFactory().get("/")
    request.user = tree.county_staff
    flt = DeadlineFilter(request, {"deadline": [value]}, Case, None)  # type: ignore[arg-type]
    with at(TODAY.year, TODAY.month, TODAY.day):
        return set(flt.queryset(request, Case.objects.all()).values_list("title", flat=True))


def test_due_within_seven_days_and_overdue_at_their_edges(tree: Tree) -> None:
    for title, due in [
        ("yesterday", D(2025, 3, 12)),  # the first day overdue
        ("today", D(2025, 3, 13)),  # the first day of the seven
        ("in_7_days", D(2025, 3, 20)),  # the last day of the seven
        ("in_8_days", D(2025, 3, 21)),  # the day after
    ]:
        made = make_case(tree.county_org, registered_on=REGISTERED, due_on=due)
        Case.objects.filter(pk=made.pk).update(title=title)
    assert _listed(tree, "due_soon") == {"today", "in_7_days"}
    assert _listed(tree, "overdue") == {"yesterday"}
