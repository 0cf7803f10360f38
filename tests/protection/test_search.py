"""R-PROTECT-1 in the search (issue 10): a query on a petitioner's name or a letter's text
never reveals, by a hit or by the total, a case whose accuser the user may not see; on the
selector, the page /search/ and GET /api/search, for every user of the protection world.

The answer keys are written out here, not read from the code."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.clients import staff_client
from tests.protection.conftest import World
from tests.protection.test_every_door import normalised
from xinfang.cases.models import Case
from xinfang.cases.protection import FAMILY_ROOT, can_see_identity, identity_shown_q
from xinfang.cases.search import search_cases

# Whose petitioners' identity each user may see, case by case (a case sent down shares its
# petitions: the province received the unit's letter, so it sees the identity on the
# group's case too). Everyone else: none.
IDENTITY: dict[str, set[str]] = {
    "prov": {"unit", "unit_child"},
    "city": {"signed"},
    "county": {"anonymous", "personal"},
}
CASES = ("signed", "unit", "unit_child", "anonymous", "personal")
USERS = (
    "prov",
    "city",
    "county",
    "baisha",
    "county_hr",
    "city_supervisor",
    "prov_supervisor",
    "energy",
    "admin",
    "clerk",
)

# The protected text the search indexes (petitioners' names, the letters' full text), by
# case, each with a same-length text found nowhere in the world.
SEARCHED_MARKERS: dict[str, list[tuple[str, str]]] = {
    "signed": [
        ("甄秘言", "乙丙丁"),
        ("信件绝密线索甲一", "戊己庚辛壬癸子丑"),
        ("秘密村一组", "寅卯辰巳午"),
    ],
    "unit": [("柯隐名", "未申酉"), ("信件绝密线索乙二", "戊己庚辛壬癸子寅")],
    "anonymous": [("匿名绝密线索丙三", "戊己庚辛壬癸子卯")],
    "personal": [("郝当事丁", "戌亥乾坤")],
}


def _family(world: World, case: str) -> set[str]:
    return {"unit", "unit_child"} if case == "unit" else {case}


@pytest.mark.parametrize("per_row", [False, True])
@pytest.mark.parametrize("user_key", USERS)
def test_the_set_rule_is_can_see_identity(world: World, user_key: str, per_row: bool) -> None:
    """identity_shown_q, deciding all cases in one query (its "received" part as a set of
    families, or per row as the search's walk asks it), agrees with can_see_identity case by
    case, and both with the answer key."""
    user = world.users()[user_key]
    by_name = {name: getattr(world, name).pk for name in CASES}
    expected = {by_name[n] for n in IDENTITY.get(user_key, set())}
    in_one_query = set(
        Case.objects.annotate(family_root=FAMILY_ROOT)
        .filter(identity_shown_q(user, per_row=per_row))
        .values_list("pk", flat=True)
    )
    one_by_one = {pk for pk in by_name.values() if can_see_identity(user, Case.objects.get(pk=pk))}
    assert in_one_query == one_by_one == expected


@pytest.mark.parametrize("user_key", USERS)
def test_r_protect_1_a_protected_text_finds_only_cases_whose_identity_is_shown(
    world: World, user_key: str, search_path: str
) -> None:
    user = world.users()[user_key]
    allowed = {getattr(world, n).pk for n in IDENTITY.get(user_key, set())}
    for case, pairs in SEARCHED_MARKERS.items():
        family = {getattr(world, n).pk for n in _family(world, case)}
        for true, false in pairs:
            found = search_cases(user, true, page_size=50)
            ids = {c.pk for c in found.cases}
            assert ids <= allowed, f"{user_key} finds {case} by {true}"
            assert found.total == len(ids)
            if not family & allowed:
                # Neither a hit nor the total differs from a text found nowhere.
                assert found.total == search_cases(user, false).total == 0


def test_r_protect_1_the_respondents_unit_finds_the_case_by_its_summary_not_its_accuser(
    world: World, search_path: str
) -> None:
    """The group's personnel department handles the case sent down to it, which accuses one
    of the group's own cadres: it finds it by the summary and the respondent, never by the
    accuser's name or the letter's words."""
    energy = world.tree.energy_staff
    assert [c.pk for c in search_cases(energy, "违规用人").cases] == [world.unit_child.pk]
    assert [c.pk for c in search_cases(energy, "赵德明").cases] == [world.unit_child.pk]
    assert search_cases(energy, "柯隐名").total == 0
    assert search_cases(energy, "集团副总经理安排亲属").total == 0  # only in the letter
    # The province, which received the letter, finds both cases by the accuser's name.
    prov = world.tree.prov_staff
    found = search_cases(prov, "柯隐名")
    assert (found.total, {c.pk for c in found.cases}) == (2, {world.unit.pk, world.unit_child.pk})
    assert [c.pk for c in search_cases(world.tree.city_staff, "甄秘言").cases] == [world.signed.pk]


@pytest.mark.parametrize("user_key", ["energy", "county", "city_supervisor", "prov", "city"])
def test_r_protect_1_page_and_api_answer_a_forbidden_marker_as_a_text_found_nowhere(
    world: World, user_key: str, search_path: str
) -> None:
    user = world.users()[user_key]
    client = staff_client(user)
    api = Api(user).client
    allowed = IDENTITY.get(user_key, set())
    probes = 0
    for case, pairs in SEARCHED_MARKERS.items():
        if _family(world, case) & allowed:
            continue
        for true, false in pairs:
            values = (true, false)
            for url, c in (("/search/", client), ("/api/search", api)):
                assert normalised(c.get(url, {"q": true}), values) == normalised(
                    c.get(url, {"q": false}), values
                ), f"{user_key} {url} answers {true} differently from {false}"
                probes += 1
    assert probes >= 4


# --- Which way the answer is read (cases/search.py, `_many_hits`) ---------------------------
#
# Both ways give the same answer (`search_path` runs the tests above both ways); the choice
# is only what it costs. A word frequent in letters' full text made a department's own staff
# read every protected hit's family (docs/search.md, "Protected hits"): for a user who may see
# some identity, the protected part's hits choose the walk too, but only above a floor, so
# that the time taken cannot tell whether one person's name is in the database (R-PROTECT-1).


def _ways(monkeypatch: pytest.MonkeyPatch, public: int, protected: int) -> None:
    from xinfang.cases import search

    counts = {search.PUBLIC: public, search.PROTECTED: protected}
    monkeypatch.setattr(
        search, "_part_hits", lambda query, part, limit, departments=(): counts[part]
    )


@pytest.mark.parametrize(
    ("protected", "floor", "walks"),
    [
        (2_999, 2_000, True),
        (3_000, 3_000, False),
        (3_001, 3_000, True),
        (1_000, 0, False),
        (1_001, 0, True),
    ],
)
def test_r_protect_1_protected_hits_choose_the_walk_only_above_the_floor_and_the_share(
    world: World, monkeypatch: pytest.MonkeyPatch, protected: int, floor: int, walks: bool
) -> None:
    """The share: WALK_FROM of the highest petition id (here 1,000 of 100,000 = limit 1,000);
    the floor: PROTECTED_WALK_FLOOR. The protected hits must exceed both: on the floor (3,000)
    or on the share (1,000, the floor at 0) is not enough, one more is."""
    from xinfang.cases import search
    from xinfang.petitions.models import Petition

    highest = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # Half a petition above the limit wanted: int(highest * (1,000 / highest)) may be 999 in
    # floating point (it was, for one value of `highest`, in a CI run).
    monkeypatch.setattr(search, "WALK_FROM", 1_000.5 / highest)
    assert int(highest * search.WALK_FROM) == 1_000
    monkeypatch.setattr(search, "PROTECTED_WALK_FLOOR", floor)
    _ways(monkeypatch, public=0, protected=protected)
    assert search._many_hits(world.tree.prov_staff, "信件绝密") is walks
    # The province's supervisor may see no identity: the protected part never counts.
    assert search._many_hits(world.tree.prov_supervisor, "信件绝密") is False


def test_many_public_hits_walk_for_everyone(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from xinfang.cases import search
    from xinfang.petitions.models import Petition

    highest = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    monkeypatch.setattr(search, "WALK_FROM", 10.5 / highest)  # limit 10 (see above)
    assert int(highest * search.WALK_FROM) == 10
    for public, walks in ((10, False), (11, True)):
        _ways(monkeypatch, public=public, protected=0)
        assert search._many_hits(world.tree.prov_supervisor, "干部") is walks
        assert search._many_hits(world.tree.prov_staff, "干部") is walks


def test_the_protected_hits_are_counted_in_the_index_on_sqlite(world: World) -> None:
    """SQLite counts the hits (PostgreSQL estimates them from statistics, which a few-row
    test table does not have): three letters hold 绝密线索 in their full text (above),
    none in a public part; the count stops one above the limit."""
    from django.db import connection

    from xinfang.cases import search

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL estimates the hits from its statistics")
    assert search._part_hits("绝密线索", search.PROTECTED, 10) == 3
    assert search._part_hits("绝密线索", search.PROTECTED, 2) == 3
    assert search._part_hits("绝密线索", search.PROTECTED, 1) == 2
    assert search._part_hits("绝密线索", search.PUBLIC, 10) == 0


@pytest.mark.parametrize(("extra", "walks"), [(-1, False), (0, True), (1, True)])
def test_protected_hits_walk_only_for_a_user_who_sees_few_cases_against_them(
    world: World, monkeypatch: pytest.MonkeyPatch, extra: int, walks: bool
) -> None:
    """The walk probes every case the user sees (up to the capped total): with the ratio at
    1 here, it is taken when the user sees at most as many cases as there are protected hits
    (the cases seen counted by the visibility rule itself, the rule tested elsewhere)."""
    from xinfang.cases import search
    from xinfang.cases.access import cases_visible_to

    prov = world.tree.prov_staff
    seen = cases_visible_to(prov).count()
    assert seen == 2  # the unit's case, received by the province, and the one it sent down
    monkeypatch.setattr(search, "WALK_FROM", 0)
    monkeypatch.setattr(search, "PROTECTED_WALK_FLOOR", 0)
    monkeypatch.setattr(search, "WALK_RATIO", 1)
    _ways(monkeypatch, public=0, protected=seen + extra)
    assert search._many_hits(prov, "信件绝密") is walks
    # Three times as many hits as cases seen, at the committed ratio of 3: still a walk.
    monkeypatch.setattr(search, "WALK_RATIO", 3)
    _ways(monkeypatch, public=0, protected=3 * (seen + extra))
    assert search._many_hits(prov, "信件绝密") is walks
