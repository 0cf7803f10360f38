"""Slices by the family's newest month (issue 10, cases/search.py `_slices`, docs/search.md
"Slices by the family's newest month"): each search entry keeps the month its family's
newest case was registered in, also as a token of the bigram index, and a search with many
hits reads the newest months' hits first, stopping when they hold more than TOTAL_CAP
cases. A month left behind when a family gains a newer case (a case sent down, a letter
merged or unlinked) would drop that case from the newest slice and so from the answer, so
each such change is checked here by the stored month and by what the search then finds.
Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.builders import register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases import search
from xinfang.cases.listing import CaseFilters
from xinfang.cases.models import Case, SearchEntry
from xinfang.cases.search import IndexState, month_of, search_cases
from xinfang.petitions.models import Petition

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(year: int, month: int, day: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, 9, 30, tzinfo=SHANGHAI)


def _registered(case: Case, moment: dt.datetime) -> None:
    """As if `case` had been registered at `moment`: its time moved, its family's entries
    told again (as the writing of a case does)."""
    Case.objects.filter(pk=case.pk).update(registered_at=moment)
    search.tag_petitions(list(Petition.objects.values_list("pk", flat=True)))


def _newest(case: Case) -> int | None:
    [entry] = SearchEntry.objects.filter(petition__case=case)
    return entry.newest


def _found(user: object, word: str, page_size: int = 50) -> list[int]:
    return [c.pk for c in search_cases(user, word, page_size=page_size).cases]  # type: ignore[arg-type]


def _send_down(tree: Tree, case: Case) -> Case:
    return cs.case_assign_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=to_read(case, tree.city_staff),
        to_department=tree.county_org,
    ).child


# --- The month and its token ----------------------------------------------------------------


def test_a_newest_month_token_is_n_and_the_month_in_letters() -> None:
    # Decimal digits as letters, 0 a ... 9 j, as a department's tag: 202612 is c a c g b c.
    assert search.newest_token(202612) == "ncacgbc"
    assert search.newest_tokens(201901) == ["ncabjab"]
    assert search.newest_tokens(0) == []  # a petition without a case
    assert search.newest_tokens(None) == []  # an entry written before migration 0023


def test_the_month_is_the_local_one_first_day_last_day_and_the_day_after() -> None:
    utc = dt.UTC
    assert month_of(dt.datetime(2026, 10, 31, 16, 0, tzinfo=utc)) == 202611  # 11-01 00:00
    assert month_of(dt.datetime(2026, 11, 30, 15, 59, 59, tzinfo=utc)) == 202611  # 23:59:59
    assert month_of(dt.datetime(2026, 11, 30, 16, 0, tzinfo=utc)) == 202612  # 12-01 00:00
    assert search.month_start(202612) == dt.datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert search.months_from(202611, 202702) == [202611, 202612, 202701, 202702]
    assert search.months_from(202612, 202612) == [202612]
    assert search.months_from(202701, 202612) == []


# --- The month kept with the family ---------------------------------------------------------


def test_a_case_sent_down_makes_its_family_s_letters_newest(tree: Tree) -> None:
    """The old letter now leads to a case registered this month: its entry says so, and the
    newest slice finds the case."""
    old = register(tree.city_staff, summary="反映工资拖欠问题")
    _registered(old, _at(2025, 3))
    assert _newest(old) == 202503
    child = _send_down(tree, old)
    assert _newest(old) == month_of(timezone.now())
    assert month_of(child.registered_at) == month_of(timezone.now())


def test_merged_and_unlinked_letters_take_their_new_family_s_month(tree: Tree) -> None:
    target = register(tree.county_staff, summary="反映道路维修问题")
    dup = register(tree.county_staff, summary="再次反映路灯损坏")
    _registered(target, _at(2024, 5))
    _registered(dup, _at(2025, 8))
    [moved] = Petition.objects.filter(case=dup)
    cs.case_merge(actor=tree.county_staff, case=dup, into=target, reason="同一事项")
    assert SearchEntry.objects.get(pk=moved.pk).newest == 202405
    cs.case_unmerge(actor=tree.county_staff, case=dup, reason="并案有误")
    assert SearchEntry.objects.get(pk=moved.pk).newest == 202508


def test_the_month_token_in_the_index_is_replaced_with_the_family_s_new_one(tree: Tree) -> None:
    """The index, not only the column: after a case is sent down, the letter is a hit of
    this month's slice and no longer of the old one's (on PostgreSQL the tokens are removed
    and added in the row's tsvector; on SQLite the document is told to FTS5 again)."""
    old = register(tree.city_staff, summary="反映工资拖欠问题")
    _registered(old, _at(2025, 3))
    [petition] = Petition.objects.filter(case=old)

    def hits(month: int) -> list[int]:
        candidates = search._candidates("工资", months=[month])
        return list(SearchEntry.objects.filter(pk__in=candidates).values_list("pk", flat=True))

    this_month = month_of(timezone.now())
    assert (hits(202503), hits(this_month)) == ([petition.pk], [])
    _send_down(tree, old)
    assert (hits(202503), hits(this_month)) == ([], [petition.pk])


def test_tagging_says_how_many_entries_it_rewrote(tree: Tree) -> None:
    case = register(tree.county_staff, summary="反映道路维修问题")
    [petition] = Petition.objects.filter(case=case)
    assert search.tag_petitions([]) == 0
    assert search.tag_petitions([petition.pk]) == 0  # nothing changed
    SearchEntry.objects.filter(pk=petition.pk).update(newest=None)
    assert search.tag_petitions([petition.pk]) == 1


def test_entries_without_a_month_read_every_hit_until_reindexed(tree: Tree) -> None:
    case = register(tree.county_staff, summary="反映道路维修问题")
    assert search._index_state().sliced is True
    SearchEntry.objects.filter(petition__case=case).update(newest=None)
    assert search._index_state().sliced is False
    assert search._slices(search._index_state(), 1_000_000) == [()]
    out = StringIO()
    call_command("search_reindex", stdout=out)
    assert "标注部门 1 条" in out.getvalue()
    assert search._index_state().sliced is True
    assert _newest(case) == month_of(timezone.now())


def test_the_index_state_gives_the_first_and_last_cases_times_as_they_are(tree: Tree) -> None:
    """Read by raw SQL (naive and in UTC on SQLite): the same moments as the cases hold."""
    assert search._index_state()[3:] == (None, None)
    old = register(tree.county_staff, summary="反映道路维修问题")
    new = register(tree.county_staff, summary="反映路灯损坏问题")
    _registered(old, dt.datetime(2025, 3, 1, 0, 30, tzinfo=SHANGHAI))  # 2025-02-28 in UTC
    state = search._index_state()
    assert state.first_case == dt.datetime(2025, 2, 28, 16, 30, tzinfo=dt.UTC)
    assert month_of(state.first_case) == 202503
    new.refresh_from_db()
    assert state.last_case == new.registered_at


# --- Which months a search reads (`_slices`) -------------------------------------------------


def _state(first: dt.datetime, last: dt.datetime, sliced: bool = True) -> IndexState:
    return IndexState(1_000_000, True, sliced, first, last)


def test_the_first_slice_is_expected_to_hold_three_times_the_capped_total() -> None:
    # 24 months; 30,030 hits: 3 × 1,001 is a tenth of them, 2.4 months, so 3; then 12; then
    # all (48 would be more than the 24).
    state = _state(_at(2025, 1), _at(2026, 12))
    assert search._slices(state, 30_030) == [
        (202610, 202611, 202612),
        tuple(search.months_from(202601, 202612)),
        (),
    ]


@pytest.mark.parametrize(
    ("hits", "slices"),
    [
        (6_005, [()]),  # a slice would be more than half the hits: read them all
        (6_006, [(202607, 202608, 202609, 202610, 202611, 202612), ()]),  # half: sliced
        (3_000_000, [(202612,), (202609, 202610, 202611, 202612), ()]),  # at least a month
        (0, [()]),
    ],
)
def test_a_slice_is_taken_only_where_it_leaves_out_half_the_hits(
    hits: int, slices: list[tuple[int, ...]]
) -> None:
    state = _state(_at(2026, 1), _at(2026, 12))  # 12 months
    assert search._slices(state, hits) == slices


def test_the_slices_run_to_the_last_case_s_month_not_today_s() -> None:
    # 12 months to June 2026 (today is later); 15,015 hits: a fifth, 2.4 months, so 3; then
    # 12, which is all of them: no slice of all twelve before all.
    state = _state(_at(2025, 7), _at(2026, 6))
    assert search._slices(state, 15_015) == [(202604, 202605, 202606), ()]


def test_a_slice_starts_at_the_month_s_first_moment_as_the_rows_are_keyed() -> None:
    """The rows' keys (`_newest_rows`): microseconds since the epoch on PostgreSQL, the time
    itself on SQLite. 2026-12-01 00:00 in Shanghai is 1,796,054,400 s after the epoch."""
    start = search.month_start(202612)
    if connection.vendor == "sqlite":
        assert search._key_of(start) == start
    else:
        assert search._key_of(start) == 1_796_054_400_000_000
        assert search._key_of(start + dt.timedelta(microseconds=1)) == 1_796_054_400_000_001


@pytest.mark.parametrize(
    ("hits", "months"),
    [
        (15_015, 24),  # a fifth of 120 months: 24, the most a slice asks for
        (14_800, 0),  # 24.35, so 25: more than a slice asks for, no slice
    ],
)
def test_a_slice_asks_for_at_most_24_months(hits: int, months: int) -> None:
    state = _state(_at(2017, 1), _at(2026, 12))  # 120 months
    expected = [tuple(search.months_from(202501, 202612)), ()] if months else [()]
    assert search._slices(state, hits) == expected


def test_no_slice_without_every_month_or_any_case() -> None:
    assert search._slices(_state(_at(2025, 1), _at(2026, 12), sliced=False), 30_030) == [()]
    assert search._slices(IndexState(0, True, True, None, None), 30_030) == [()]


# --- The answer, read by slices ---------------------------------------------------------


@pytest.fixture
def by_slices(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """Every search here reads the hits (WALK_FROM above any share) by slices of one month,
    then four, sixteen... (SLICE_MARGIN 0), untagged (TAGGED_MOST 0: slices are for searches
    the department tags do not narrow, as a province supervisor's); the months each read
    asked for, in order."""
    monkeypatch.setattr(search, "WALK_FROM", 2)
    monkeypatch.setattr(search, "SLICE_MARGIN", 0.0)
    monkeypatch.setattr(search, "TAGGED_MOST", 0)
    asked: list[tuple[int, ...]] = []
    real = search._hit_families_q

    def spy(*args: object, **kwargs: object) -> object:
        asked.append(tuple(kwargs.get("months", ())))  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "_hit_families_q", spy)
    return asked


def test_the_newest_slice_answers_when_it_holds_more_than_the_cap(
    tree: Tree, by_slices: list[tuple[int, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The county's own cases in four months, and a case sent down to it this month from a
    city case of two years ago: its letter is old, its family's newest month is this one, so
    the first slice (this month) holds it and the county's newest; the older months are
    never read."""
    now = timezone.now()
    this_month = month_of(now)
    own = {}
    for months_ago, summary in (
        (0, "工资拖欠一"),
        (1, "工资拖欠二"),
        (5, "工资拖欠三"),
        (20, "工资拖欠四"),
    ):
        case = register(tree.county_staff, summary=summary)
        own[months_ago] = case
        if months_ago:
            _registered(case, now - dt.timedelta(days=31 * months_ago))
    old = register(tree.city_staff, summary="反映工资拖欠问题")
    _registered(old, now - dt.timedelta(days=730))
    child = _send_down(tree, old)
    monkeypatch.setattr(search, "TOTAL_CAP", 1)
    found = search_cases(tree.county_staff, "工资", page_size=10)
    assert (found.total, found.more) == (1, True)
    assert [c.pk for c in found.cases] == [child.pk]
    assert by_slices == [(this_month,)]
    # Capped at 3: this month holds two, four months hold three: not more; sixteen hold
    # four, more than three, and the newest three are listed.
    by_slices.clear()
    monkeypatch.setattr(search, "TOTAL_CAP", 3)
    found = search_cases(tree.county_staff, "工资", page_size=10)
    assert (found.total, found.more) == (3, True)
    assert [c.pk for c in found.cases] == [child.pk, own[0].pk, own[1].pk]
    assert [len(months) for months in by_slices] == [1, 4, 16]
    # Not capped: every slice too few, then all months; the whole answer, newest first.
    by_slices.clear()
    monkeypatch.setattr(search, "TOTAL_CAP", 1000)
    found = search_cases(tree.county_staff, "工资", page_size=10)
    assert (found.total, found.more) == (5, False)
    assert [c.pk for c in found.cases] == [
        child.pk,
        own[0].pk,
        own[1].pk,
        own[5].pk,
        own[20].pk,
    ]
    assert by_slices[-1] == ()


def test_a_case_registered_at_a_month_s_first_moment_is_in_that_month_s_slice(
    tree: Tree, by_slices: list[tuple[int, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """First moment of this month, the moment before it (last of the month before), and
    now: this month's slice holds two, more than the cap of one, and is the only one read."""
    this_month = month_of(timezone.now())
    first = search.month_start(this_month)
    at_start = register(tree.county_staff, summary="工资拖欠一")
    before = register(tree.county_staff, summary="工资拖欠二")
    newest = register(tree.county_staff, summary="工资拖欠三")
    Case.objects.filter(pk=at_start.pk).update(registered_at=first)
    Case.objects.filter(pk=before.pk).update(registered_at=first - dt.timedelta(microseconds=1))
    search.tag_petitions(list(Petition.objects.values_list("pk", flat=True)))
    assert _newest(before) == month_of(first - dt.timedelta(microseconds=1)) != this_month
    monkeypatch.setattr(search, "TOTAL_CAP", 1)
    found = search_cases(tree.county_staff, "工资")
    assert (found.total, found.more, [c.pk for c in found.cases]) == (1, True, [newest.pk])
    assert by_slices == [(this_month,)]
    monkeypatch.setattr(search, "TOTAL_CAP", 2)
    by_slices.clear()
    found = search_cases(tree.county_staff, "工资")
    assert (found.total, found.more) == (2, True)
    assert [c.pk for c in found.cases] == [newest.pk, at_start.pk]
    assert by_slices[0] == (this_month,)
    assert len(by_slices) == 2  # this month holds two, not more than two: four months


def test_a_period_ending_earlier_reads_every_hit_at_once(
    tree: Tree, by_slices: list[tuple[int, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registered up to a day two years ago: the newest months' slices would hold none of
    the answer, so no slice is read before all months."""
    now = timezone.now()
    old = register(tree.county_staff, summary="工资拖欠一")
    _registered(old, now - dt.timedelta(days=800))
    new = register(tree.county_staff, summary="工资拖欠二")
    monkeypatch.setattr(search, "TOTAL_CAP", 1)
    until = timezone.localdate(now - dt.timedelta(days=700))
    found = search.search_cases(tree.county_staff, "工资", CaseFilters(registered_to=until))
    assert (found.total, [c.pk for c in found.cases]) == (1, [old.pk])
    assert by_slices == [()]
    by_slices.clear()
    # Unfiltered, the same search is sliced: this month first (one case, not more than the
    # cap), then 4 and 16 months (still one), then all.
    assert _found(tree.county_staff, "工资") == [new.pk]
    assert [len(months) for months in by_slices] == [1, 4, 16, 0]
    assert by_slices[0] == (month_of(now),)


def test_a_search_the_department_tags_narrow_is_not_sliced(
    tree: Tree, by_slices: list[tuple[int, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The county's handler asks for his department's families only (a tag): sliced, the
    index would merge the word's, the tag's and each month's lists, which cost more than
    the slice saved (docs/search.md)."""
    monkeypatch.setattr(search, "TAGGED_MOST", 16)
    now = timezone.now()
    old = register(tree.county_staff, summary="工资拖欠一")
    _registered(old, now - dt.timedelta(days=400))
    new = register(tree.county_staff, summary="工资拖欠二")
    assert search._tags_for(tree.county_staff) == [tree.county_org.pk]
    assert _found(tree.county_staff, "工资") == [new.pk, old.pk]
    assert by_slices == [()]


def test_sliced_answers_are_exact_against_a_plain_scan(
    tree: Tree, by_slices: list[tuple[int, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cases registered over thirty months, a third of them sent down to the county later
    than their letter (the family's newest case newer than its letters), and random queries:
    each capped page read by slices is the newest of the plain scan's answer, in order, with
    its total. The supervisor sees every case, never the identity: the public part only."""
    rng = random.Random(20261205)
    alphabet = "工资拖欠局长"  # few characters: most pieces are in more cases than the cap
    now = timezone.now()
    summaries: dict[int, str] = {}  # family root -> its letter's summary
    moments: dict[int, dt.datetime] = {}  # case -> registered at
    roots: dict[int, int] = {}  # case -> family root
    for i in range(36):
        summary = "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 12)))
        case = register(tree.city_staff, summary=summary)
        at = now - dt.timedelta(days=rng.randint(1, 900), minutes=i)
        Case.objects.filter(pk=case.pk).update(registered_at=at)
        summaries[case.pk], moments[case.pk], roots[case.pk] = summary, at, case.pk
        if i % 3 == 0:
            child = _send_down(tree, Case.objects.get(pk=case.pk))
            later = at + dt.timedelta(days=rng.randint(1, 300))
            Case.objects.filter(pk=child.pk).update(registered_at=min(later, now))
            moments[child.pk], roots[child.pk] = min(later, now), case.pk
    search.tag_petitions(list(Petition.objects.values_list("pk", flat=True)))
    user = tree.city_supervisor
    cap = 3
    monkeypatch.setattr(search, "TOTAL_CAP", cap)
    early = 0
    for _ in range(60):
        summary = rng.choice(list(summaries.values()))
        start = rng.randint(0, len(summary) - 2)
        query = summary[start : start + rng.randint(2, 3)]
        expected = sorted(
            (pk for pk, root in roots.items() if query in summaries[root]),
            key=lambda pk: (moments[pk], pk),
            reverse=True,
        )
        by_slices.clear()
        found = search_cases(user, query, page_size=cap)
        assert (found.total, found.more) == (min(len(expected), cap), len(expected) > cap), query
        assert [c.pk for c in found.cases] == expected[:cap], query
        early += by_slices[-1] != ()
    assert early > 20  # answered by a slice, the older months never read


def test_a_slice_keeps_only_the_cases_registered_since_its_first_month(
    tree: Tree, by_slices: list[tuple[int, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two letters of two years ago, each sent down to the county this month: their families
    are this month's, and hold the old cases too. This month's slice has two cases registered
    since it began and two older: read as four, its newest three would put an old case where
    the one registered three months ago belongs."""
    now = timezone.now()
    old_a = register(tree.city_staff, summary="反映工资拖欠一")
    old_c = register(tree.city_staff, summary="反映工资拖欠二")
    recent = register(tree.city_staff, summary="反映工资拖欠三")
    _registered(old_a, now - dt.timedelta(days=730))
    _registered(old_c, now - dt.timedelta(days=731))
    _registered(recent, now - dt.timedelta(days=95))
    child_a = _send_down(tree, Case.objects.get(pk=old_a.pk))
    child_c = _send_down(tree, Case.objects.get(pk=old_c.pk))
    monkeypatch.setattr(search, "TOTAL_CAP", 3)
    found = search_cases(tree.city_supervisor, "工资", page_size=10)
    assert (found.total, found.more) == (3, True)
    assert [c.pk for c in found.cases] == [child_c.pk, child_a.pk, recent.pk]
    # This month (2 since), four months (2), sixteen (3, not more than 3), then all (5).
    assert [len(months) for months in by_slices] == [1, 4, 16, 0]
