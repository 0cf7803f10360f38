"""R-REPEAT-5 "有集体上访苗头的": a letter announcing or threatening a collective visit is a
warning of its own, found in its text by the poll's scan. Generated texts only."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.alerts.helpers import petitions
from tests.orgtree import Tree
from xinfang.alerts.announce import announcement
from xinfang.alerts.compute import find
from xinfang.alerts.models import EarlyWarning, Kind
from xinfang.alerts.selectors import describe
from xinfang.alerts.services import poll

MONDAY = dt.date(2026, 3, 2)
THREAT = "如果再不解决，我们将组织全村一百多名村民集体到省委上访。"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (THREAT, "信中提及组织多人上访"),  # 组织 … 一百多名村民 … 上访, before 集体
        ("村民们说下周要集体上访。", "信中提及集体上访"),
        ("我们准备召集三十多名职工去市政府讨说法。", "信中提及组织多人上访"),
        ("再不处理我就进京上访。", "信中提及进京上访"),
        ("不行就到北京去反映。", "信中提及进京上访"),
        ("业主们商量到区政府门口静坐。", "信中提及静坐、堵门等聚集行为"),
        ("有人扬言要堵路。", "信中提及静坐、堵门等聚集行为"),
        ("七十多名退休人员聚集到省政府信访局门口。", "信中提及静坐、堵门等聚集行为"),
        ("早晚高峰这条拥堵路线车辆乱停。", None),  # a traffic jam, not a blockade
        ("商贩占道经营堵路，请城管处理。", None),
        ("赌博人员总是聚集在这里。", None),
        ("反映望海小区物业公司乱收费，请组织协调。", None),
        ("集体经济收入去向不明，请上级审计。", None),  # 集体 without a visit
        ("我去年到北京出差时发现账目问题。", None),  # Beijing, no petition
        ("", None),
    ],
)
def test_the_signs_of_a_collective_visit_in_a_text(text: str, found: str | None) -> None:
    assert announcement(text) == found


@pytest.mark.parametrize(
    ("as_of", "raised"),
    [
        (dt.date(2026, 3, 1), False),  # the day before the letter
        (dt.date(2026, 3, 2), True),  # the first day of a window holding it
        (dt.date(2026, 3, 8), True),  # the last (03-02..03-08)
        (dt.date(2026, 3, 9), False),  # the day after
    ],
)
def test_r_repeat_5_a_letter_announcing_a_collective_visit(
    tree: Tree, as_of: dt.date, raised: bool
) -> None:
    petitions(tree, MONDAY, 1, summary="反映征地补偿款被截留", content=THREAT)
    petitions(tree, MONDAY, 1, start=1)  # an ordinary letter: nothing
    got = [(f.label, f.petitioners, f.petitions) for f in find(as_of) if f.kind == Kind.ANNOUNCED]
    assert got == ([("反映征地补偿款被截留（信中提及组织多人上访）", 1, 1)] if raised else [])


def test_the_warning_says_what_it_is_without_the_letter_s_words(tree: Tree) -> None:
    petitions(tree, MONDAY, 1, summary="反映征地补偿款被截留", content=THREAT)
    poll(MONDAY)
    warning = EarlyWarning.objects.get(kind=Kind.ANNOUNCED)
    sentence = describe(warning)
    assert sentence == (
        "2026-02-24至2026-03-02，集体上访苗头“反映征地补偿款被截留（信中提及组织多人上访）”"
        "涉及信访人1人、信访件1件：来信中有集体上访的苗头，请及时掌握动向、做好工作。"
    )
    assert "一百多名" not in sentence and "省委" not in sentence
