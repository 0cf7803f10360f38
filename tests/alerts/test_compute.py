"""Early warning (R-REPEAT-5): the window, the baseline and growth, distinct petitioners,
collective visits, cadres named by several petitioners. Expected values are written here."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.test import override_settings

from tests.alerts.helpers import person, petitions
from tests.builders import visit_interview
from tests.orgtree import Tree
from xinfang.alerts.compute import Window, find
from xinfang.alerts.models import Kind, PetitionPlace
from xinfang.matching.models import MatterBand
from xinfang.petitions.models import Petition
from xinfang.petitions.services import RespondentInput

MONDAY = dt.date(2026, 3, 2)


def _kinds(as_of: dt.date) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for f in find(as_of):
        out.setdefault(f.kind, []).append((f.label, f.petitioners))
    return out


def test_window_counts_both_ends() -> None:
    w = Window.ending(dt.date(2026, 3, 8), 7)
    assert (w.start, w.end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    assert w.shifted(1) == Window(dt.date(2026, 2, 23), dt.date(2026, 3, 1))


@pytest.mark.parametrize(
    ("as_of", "raised"),
    [
        (dt.date(2026, 3, 1), False),  # the day before: not yet received
        (dt.date(2026, 3, 2), True),  # first day of the window that holds them
        (dt.date(2026, 3, 8), True),  # last day (window 03-02..03-08)
        (dt.date(2026, 3, 9), False),  # the day after: out of the window
    ],
)
def test_r_repeat_5_window_edges(tree: Tree, as_of: dt.date, raised: bool) -> None:
    petitions(tree, MONDAY, 5)
    got = _kinds(as_of).get(Kind.CATEGORY, [])
    assert got == ([("落实政策和历史遗留问题", 5)] if raised else [])


def test_r_repeat_5_the_same_matter_by_text(tree: Tree) -> None:
    petitions(tree, MONDAY, 5)
    matters = [f for f in find(MONDAY) if f.kind == Kind.MATTER]
    assert [(f.label, f.petitioners, f.petitions, f.baseline, f.growth) for f in matters] == [
        ("反映望海小区物业问题", 5, 5, 0.0, None)
    ]


def test_r_repeat_5_counts_distinct_petitioners(tree: Tree) -> None:
    # Four people, one of them three times: four petitioners, under the threshold of five.
    petitions(tree, MONDAY, 4)
    petitions(tree, MONDAY, 1, start=0, content="第0位住户再次来信：物业问题仍未解决。")
    petitions(tree, MONDAY, 1, start=0, content="第0位住户第三次来信：仍未解决。")
    assert _kinds(MONDAY).get(Kind.CATEGORY) is None
    petitions(tree, MONDAY, 1, start=4)
    assert _kinds(MONDAY)[Kind.CATEGORY] == [("落实政策和历史遗留问题", 5)]


@override_settings(XINFANG_ALERTS={"baseline_windows": 2})
def test_r_repeat_5_growth_against_the_keys_own_baseline(tree: Tree) -> None:
    # Two windows before 03-02..03-08: 02-16..02-22 (3 people) and 02-23..03-01 (none):
    # baseline 1.5 a window; 5 now is 3.33 times: raised.
    petitions(tree, dt.date(2026, 2, 16), 3, start=10)
    petitions(tree, MONDAY, 5)
    cat = [f for f in find(dt.date(2026, 3, 8)) if f.kind == Kind.CATEGORY]
    assert [(f.petitioners, f.baseline, f.growth, f.history) for f in cat] == [
        (5, 1.5, 3.33, [3, 0])
    ]


@override_settings(XINFANG_ALERTS={"baseline_windows": 2})
def test_r_repeat_5_no_warning_without_growth(tree: Tree) -> None:
    # 3 people in each window before: baseline 3, 5 now is 1.67 times, under 2: not raised.
    petitions(tree, dt.date(2026, 2, 16), 3, start=10)
    petitions(tree, dt.date(2026, 2, 23), 3, start=20)
    petitions(tree, MONDAY, 5)
    assert [f for f in find(dt.date(2026, 3, 8)) if f.kind == Kind.CATEGORY] == []


@override_settings(XINFANG_ALERTS={"baseline_windows": 2})
def test_r_repeat_5_baseline_window_edges(tree: Tree) -> None:
    # 02-15 is the day before the first baseline window (02-16..): not in the baseline.
    petitions(tree, dt.date(2026, 2, 15), 3, start=10)
    petitions(tree, MONDAY, 5)
    (cat,) = [f for f in find(dt.date(2026, 3, 8)) if f.kind == Kind.CATEGORY]
    assert (cat.baseline, cat.history) == (0.0, [0, 0])


def test_r_repeat_5_collective_visit_announced(tree: Tree) -> None:
    def visit(start: int, heads: int, origin: str) -> None:
        petitions(
            tree,
            MONDAY,
            1,
            channel="visit",
            is_collective=True,
            head_count=heads,
            collective_origin=origin,
            interview=visit_interview(tree.city_staff),
            petitioners=[replace(person(start), is_representative=True)],
        )

    visit(0, 30, "望海小区业主")
    visit(5, 4, "东湖村村民")  # under 5 people: not a warning
    assert _kinds(MONDAY)[Kind.COLLECTIVE] == [("望海小区业主", 30)]


def test_r_repeat_5_cadre_named_by_several_petitioners(tree: Tree) -> None:
    named = [RespondentInput(cadre=tree.county_bureau_chief)]
    petitions(
        tree,
        MONDAY,
        2,
        category="misconduct",
        nature="accusation",
        respondents=named,
        content="反映局长违规提拔。",
    )
    assert Kind.CADRE not in _kinds(MONDAY)
    petitions(
        tree,
        MONDAY,
        1,
        start=7,
        category="misconduct",
        nature="accusation",
        respondents=named,
        content="反映局长违规提拔。",
    )
    ((label, n),) = _kinds(MONDAY)[Kind.CADRE]
    assert n == 3 and label.startswith(tree.county_bureau_chief.name)


def test_r_repeat_5_place_found_in_the_text(tree: Tree) -> None:
    petitions(tree, MONDAY, 5, content="湖南省长沙市岳麓区某小区物业乱收费，请协调。")
    assert not PetitionPlace.objects.exists()  # found by the computation, then kept
    places = _kinds(MONDAY)[Kind.PLACE]
    assert PetitionPlace.objects.count() == 15
    assert sorted(places) == [("岳麓区", 5), ("湖南省", 5), ("长沙市", 5)]


def test_r_repeat_5_respondent_and_unit(tree: Tree) -> None:
    petitions(
        tree,
        MONDAY,
        5,
        category="misconduct",
        nature="accusation",
        respondents=[
            RespondentInput(
                name="刘某", unit="临江市住建局", post_title="科长", jurisdiction=tree.linjiang
            )
        ],
    )
    kinds = _kinds(MONDAY)
    assert kinds[Kind.RESPONDENT] == [("刘某（临江市住建局）", 5)]
    assert kinds[Kind.UNIT] == [("临江市住建局", 5)]


def test_r_repeat_5_a_respondent_without_a_unit_raises_no_unit_warning(tree: Tree) -> None:
    """Five petitioners name a respondent with no unit: a warning on the respondent, none
    on an empty unit (the unit key is only a unit written down)."""
    petitions(
        tree,
        MONDAY,
        5,
        category="misconduct",
        nature="accusation",
        respondents=[RespondentInput(name="刘某", unit="", jurisdiction=tree.linjiang)],
    )
    kinds = _kinds(MONDAY)
    assert kinds[Kind.RESPONDENT] == [("刘某", 5)]
    assert Kind.UNIT not in kinds


@override_settings(XINFANG_ALERTS={"baseline_windows": 2})
def test_r_repeat_5_baseline_ends_the_day_before_the_window(tree: Tree) -> None:
    # 03-01, the last day before the window 03-02..03-08, is the newest baseline window's.
    petitions(tree, dt.date(2026, 3, 1), 3, start=10)
    petitions(tree, MONDAY, 5)
    (cat,) = [f for f in find(dt.date(2026, 3, 8)) if f.kind == Kind.CATEGORY]
    assert (cat.baseline, cat.history, cat.growth) == (1.5, [0, 3], 3.33)


@override_settings(XINFANG_ALERTS={"baseline_windows": 2})
def test_r_repeat_5_a_matters_baseline_is_its_own_text_earlier(tree: Tree) -> None:
    # The same text from 3 people in the window just before (02-23 .. 03-01): baseline 1.5.
    petitions(tree, dt.date(2026, 2, 23), 3, start=10)
    petitions(tree, MONDAY, 5)
    (m,) = [f for f in find(dt.date(2026, 3, 8)) if f.kind == Kind.MATTER]
    assert (m.petitioners, m.history, m.baseline, m.growth) == (5, [0, 3], 1.5, 3.33)


def test_r_repeat_5_a_matter_is_joined_by_two_shared_bands_in_a_chain(tree: Tree) -> None:
    # Band rows set by hand (texts would give them by chance): petitions 0-1, 1-2, 2-3 and
    # 3-4 each share two bands, the rest of every petition's bands are its own; 4 and 5
    # share a single band (not enough), and 6 has the very same shared bands as 0 (one
    # matter with it). Six people in the chain 0..4 and 6; petition 5 is not of the matter.
    petitions(tree, MONDAY, 7, summary="链式事项")
    ids = list(Petition.objects.order_by("pk").values_list("pk", flat=True))
    shared = {
        0: [101, 102],
        1: [101, 102, 111, 112],
        2: [111, 112, 121, 122],
        3: [121, 122, 131, 132],
        4: [131, 132, 141],
        5: [141],
        6: [101, 102],
    }
    MatterBand.objects.all().delete()
    MatterBand.objects.bulk_create(
        [MatterBand(petition_id=ids[n], key=k) for n, keys in shared.items() for k in keys]
        + [MatterBand(petition_id=ids[n], key=9000 + 10 * n + j) for n in shared for j in range(6)]
    )
    (m,) = [f for f in find(MONDAY) if f.kind == Kind.MATTER]
    assert (m.key, m.petitioners, m.petitions, m.growth) == (str(ids[0]), 6, 6, None)
    assert m.petition_ids == [ids[n] for n in (0, 1, 2, 3, 4, 6)]
