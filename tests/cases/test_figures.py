"""R-COUNTY-2: the three key figures, checked against a hand-counted year (design.md).

The city organization department's 2025, case by case:

| case | registered | mode decided      | closed      | self-handled rate | closure rate |
|------|------------|-------------------|-------------|-------------------|--------------|
| A    | 2025-03-01 | self 2025-03-02   | 2025-06-01  | num, den          | num, den     |
| B    | 2025-05-01 | self 2025-05-02   | open        | num, den          | den          |
| C    | 2025-11-01 | self 2025-11-02   | 2026-01-10  | num, den          | den          |
| D    | 2025-04-01 | assign 2025-04-02 | 2025-08-01  | den               | num, den     |
| E    | 2025-06-01 | transfer          | -           | den               | -            |
| F    | 2025-07-01 | refer             | -           | excluded          | -            |
| G    | 2025-07-05 | file              | -           | den               | -            |
| H    | 2024-12-30 | self 2025-01-02   | open        | num, den          | (2024 case)  |
| I    | 2025-12-30 | self 2026-01-03   | open        | (2026 decision)   | den          |
| J    | 2025-09-01 | merged into A     | -           | -                 | -            |

Self-handled: 4 / 7 = 57.14 %. Year-end closure: 2 / 5 = 40.00 %.
Petitions received in 2025: A..G, I, J (9) + repeats on A, B, H (3) = 12; repeats: 3 + J
(found to repeat A when merged) = 4 → 33.33 %. Baisha's petitions do not count.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.builders import at, complete_closure, register
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, YearlyTarget
from xinfang.cases.selectors import (
    Rate,
    key_figures,
    repeat_petition_rate,
    self_handled_rate,
    year_end_closure_rate,
)


def _read(tree: Tree, case: Case) -> Case:
    return cs.case_read(actor=tree.city_staff, case=case, text="请办理")


def _year(tree: Tree) -> None:
    staff, lead2 = tree.city_staff, tree.staff(tree.city_org, "leader")
    with at(2024, 12, 30):
        h = _read(tree, register(staff))
    with at(2025, 1, 2):
        h = cs.case_handle_here(actor=staff, handler=staff, case=h)
    with at(2025, 2, 10):
        register(staff, repeat_of=h)
    with at(2025, 3, 1):
        a = _read(tree, register(staff))
    with at(2025, 3, 2):
        a = cs.case_handle_here(actor=staff, handler=staff, case=a)
        cs.closure_submit(actor=staff, case=a, **complete_closure(a))
    with at(2025, 4, 1):
        d = _read(tree, register(staff))
    with at(2025, 4, 2):
        child = cs.case_assign_down(
            routing_note="按实际情况分办", actor=staff, case=d, to_department=tree.county_org
        ).child
    with at(2025, 4, 10):
        register(staff, repeat_of=a)
    with at(2025, 5, 1):
        b = _read(tree, register(staff))
    with at(2025, 5, 2):
        cs.case_handle_here(actor=staff, handler=staff, case=b)
    with at(2025, 6, 1):
        cs.closure_approve(actor=lead2, case=a)
        e = _read(tree, register(staff))
        cs.case_transfer_down(
            routing_note="按实际情况分办", actor=staff, case=e, to_department=tree.county_org
        )
    with at(2025, 6, 15):
        register(staff, repeat_of=b)
    with at(2025, 7, 1):
        f = _read(tree, register(staff))
        cs.case_refer(
            routing_note="按实际情况分办",
            actor=staff,
            case=f,
            to_department=tree.city_court,
            reason="诉讼",
            explanation="已告知向法院起诉",
            explained_on=timezone.localdate(),
            explained_how="书面",
        )
    with at(2025, 7, 5):
        cs.case_file(
            routing_note="按实际情况分办",
            actor=staff,
            case=_read(tree, register(staff)),
            reason="无从查证",
        )
    with at(2025, 7, 20):
        county = tree.county_staff
        child = cs.case_handle_here(
            actor=county, handler=county, case=cs.case_read(actor=county, case=child, text="办")
        )
        cs.closure_submit(actor=county, case=child, **complete_closure(child))
        cs.closure_approve(
            actor=tree.staff(tree.county_org, "leader"), case=child, review_opinion="同意"
        )
    with at(2025, 8, 1):
        cs.report_accept(actor=staff, case=d, child=child)
    with at(2025, 9, 1):
        cs.case_merge(actor=staff, case=register(staff), into=a, reason="同一事项")
    with at(2025, 11, 1):
        c = _read(tree, register(staff))
    with at(2025, 11, 2):
        c = cs.case_handle_here(actor=staff, handler=staff, case=c)
        cs.closure_submit(actor=staff, case=c, **complete_closure(c))
    with at(2025, 12, 30):
        i = _read(tree, register(staff))
        register(tree.baisha_staff)
    with at(2026, 1, 3):
        cs.case_handle_here(actor=staff, handler=staff, case=i)
    with at(2026, 1, 10):
        cs.closure_approve(actor=lead2, case=c)


def test_hand_counted_year(tree: Tree) -> None:
    _year(tree)
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert self_handled_rate(tree.city_org, start, end) == Rate(4, 7)
    assert year_end_closure_rate(tree.city_org, 2025) == Rate(2, 5)
    assert repeat_petition_rate(tree.city_org, start, end) == Rate(4, 12)
    assert Rate(4, 7).percent == Decimal("57.14")
    assert Rate(4, 12).percent == Decimal("33.33")


def test_key_figures_against_targets(tree: Tree) -> None:
    _year(tree)
    YearlyTarget.objects.create(
        department=tree.city_org, year=2025, self_handled_rate=60, repeat_rate=30, closure_rate=40
    )
    figures = {f.code: f for f in key_figures(tree.city_org, 2025, today=dt.date(2026, 3, 1))}
    assert [f.label for f in figures.values()] == ["自办案件率", "重信重访率", "年终结案率"]
    assert figures["self_handled"].met is False
    assert figures["repeat"].met is False, "a repeat rate above its ceiling misses the target"
    assert figures["year_end_closure"].met is True


def test_empty_period_is_not_zero_percent(tree: Tree) -> None:
    rate = self_handled_rate(tree.city_org, dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert rate == Rate(0, 0) and rate.percent is None
    [first, *_] = key_figures(tree.city_org, 2020)
    assert first.met is None
