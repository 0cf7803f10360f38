"""A single calendar day set or removed by an administrator moves the due dates it touches,
each with a timeline event (R-PROTECT-2), like a whole year entered or a rule set changed."""

from __future__ import annotations

import datetime as dt

from tests.deadlines.conftest import make_case, use_rule_set
from tests.orgtree import Tree
from xinfang.cases.clocks import case_due_on
from xinfang.cases.models import Case, CaseEvent
from xinfang.deadlines.services import calendar_day_delete, calendar_day_set
from xinfang.orgs.models import User

D = dt.date


def test_a_rest_day_on_the_last_day_moves_the_due_date(tree: Tree, administrator: User) -> None:
    use_rule_set("2022")
    # 2022 rules: handled within 60 days of registration on 1 September 2026, the last day,
    # Saturday 31 October, rolls to Monday 2 November.
    case = make_case(tree.county_org, registered_on=D(2026, 9, 1))
    assert case_due_on(case) == D(2026, 11, 2)
    Case.objects.filter(pk=case.pk).update(due_on=D(2026, 11, 2))

    calendar_day_set(actor=administrator, date=D(2026, 11, 2), is_workday=False, name="临时休息")
    assert Case.objects.get(pk=case.pk).due_on == D(2026, 11, 3)
    event = CaseEvent.objects.get(case=case, kind="due_rederived")
    assert event.payload == {
        "due_on_before": "2026-11-02",
        "due_on": "2026-11-03",
        "reason": "调整2026年11月2日的工作日安排后重新计算",
    }

    calendar_day_delete(actor=administrator, date=D(2026, 11, 2))
    assert Case.objects.get(pk=case.pk).due_on == D(2026, 11, 2)
    assert CaseEvent.objects.filter(case=case, kind="due_rederived").count() == 2


def test_a_day_that_moves_no_due_date_writes_no_event(tree: Tree, administrator: User) -> None:
    use_rule_set("2022")
    case = make_case(tree.county_org, registered_on=D(2026, 9, 1), due_on=D(2026, 11, 2))
    calendar_day_set(actor=administrator, date=D(2026, 12, 24), is_workday=False, name="调休")
    assert Case.objects.get(pk=case.pk).due_on == D(2026, 11, 2)
    assert not CaseEvent.objects.filter(case=case).exists()
