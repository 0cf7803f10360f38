"""The substring search (issue 10, cases/search.py): its preparation, and its answers checked
against a plain Python scan of a generated sample, for a reader who may see the petitioners'
identity and for one who may not. Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection

from tests.builders import PetitionerInput, RespondentInput, register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases import search
from xinfang.cases.listing import CaseFilters
from xinfang.cases.models import Case, SearchEntry
from xinfang.cases.search import (
    PROTECTED,
    PUBLIC,
    SEPARATOR,
    _candidates,
    _hits,
    _token,
    index_petitions,
    part_tokens,
    prepare,
    search_cases,
    tokens,
)
from xinfang.core.errors import RuleViolation
from xinfang.core.text import normalize
from xinfang.petitions.models import Petition

# --- Preparation -------------------------------------------------------------------------


def test_a_bigram_is_ten_letters_five_per_character_in_base_26() -> None:
    # 工 U+5DE5 = 24037 = 1*26**3 + 9*26**2 + 14*26 + 13: digits from the least significant
    # 13 14 9 1 0 = n o j b a. 资 U+8D44 = 36164 = 2*26**3 + 1*26**2 + 12*26 + 24:
    # 24 12 1 2 0 = y m b c a.
    assert _token("工资") == "nojba" + "ymbca"
    assert _token("资工") == "ymbca" + "nojba"


def test_a_token_carries_its_part_as_a_first_letter() -> None:
    # q: the public part (summary, respondents); p: the protected part (letter, names).
    assert part_tokens("工资", PUBLIC) == ["q" + "nojba" + "ymbca"]
    assert part_tokens("工资", PROTECTED) == ["p" + "nojba" + "ymbca"]


def test_a_two_character_query_is_answered_by_the_index_alone() -> None:
    """One bigram: a petition's part holds it exactly when the part contains the query, so
    the stored text is not read (no verification); a longer query is verified."""
    two = _hits("工资", PUBLIC)
    assert "public_text" not in two.sql and "protected_text" not in two.sql
    three = _hits("工资拖", PROTECTED)
    assert "protected_text" in three.sql and three.params[-1] == "工资拖"


def test_preparation_normalises_each_field_and_separates_them() -> None:
    assert prepare(["Ｗａｎｇ 王 伟", "", "  局长 "]) == f"wang王伟{SEPARATOR}局长"
    # A bigram across two fields is never indexed; a one-character text has no bigram.
    assert tokens(prepare(["甲乙", "丙丁"])) == sorted([_token("甲乙"), _token("丙丁")])
    assert tokens("甲") == []


def test_a_query_under_two_characters_is_refused_in_chinese(tree: Tree) -> None:
    for raw in ("", "工", " 工 ", "Ｗ"):
        with pytest.raises(RuleViolation, match="检索词至少需要两个字"):
            search_cases(tree.county_staff, raw)


def test_a_long_query_is_cut_like_the_admins_search(tree: Tree) -> None:
    register(tree.county_staff, summary="一二三四五六七八九十")
    found = search_cases(tree.county_staff, "一 二 三 四 五 六 七")
    # Five words at most (core/admin.py): "一 二 三 四 五" is searched as "一二三四五".
    assert found.query == "一二三四五"
    assert found.note == "检索词过长，已按前5个词、不超过50个字检索：一 二 三 四 五"
    assert found.total == 1


def test_no_match_across_two_fields(tree: Tree, search_path: str) -> None:
    register(
        tree.county_staff,
        summary="反映甲乙",
        content="丙丁说明",
        respondents=[RespondentInput(cadre=tree.county_bureau_chief)],
    )
    assert search_cases(tree.county_staff, "甲乙").total == 1
    assert search_cases(tree.county_staff, "钱卫东").total == 1  # the respondent
    assert search_cases(tree.county_staff, "乙丙").total == 0  # summary's end + content's start
    assert search_cases(tree.county_staff, "甲乙钱").total == 0


def test_rewriting_an_entry_replaces_its_index(tree: Tree) -> None:
    case = register(tree.county_staff, summary="原来的摘要", content="原来的正文")
    petition = Petition.objects.get(case=case)
    Petition.objects.filter(pk=petition.pk).update(summary="更正后摘要")
    assert index_petitions([petition.pk]) == 1
    assert search_cases(tree.county_staff, "更正").total == 1
    assert search_cases(tree.county_staff, "原来的摘").total == 0
    assert search_cases(tree.county_staff, "原来的正").total == 1  # the content is unchanged
    assert SearchEntry.objects.count() == 1


def test_newest_first_with_filters_and_pages(tree: Tree, search_path: str) -> None:
    first = register(tree.county_staff, summary="反映工资拖欠一", category="misconduct")
    second = register(
        tree.county_staff, summary="反映工资拖欠二", category="personal_request", nature="request"
    )
    third = register(tree.county_staff, summary="反映工资拖欠三", category="misconduct")
    found = search_cases(tree.county_staff, "工资", page_size=2)
    assert found.total == 3
    assert [c.pk for c in found.cases] == [third.pk, second.pk]
    assert [c.pk for c in search_cases(tree.county_staff, "工资", page=2, page_size=2).cases] == [
        first.pk
    ]
    only = search_cases(tree.county_staff, "工资", CaseFilters(category="misconduct"))
    assert (only.total, [c.pk for c in only.cases]) == (2, [third.pk, first.pk])


def test_the_channel_filter_keeps_the_cases_first_received_that_way(
    tree: Tree, search_path: str
) -> None:
    """The channel is the case's first petition's (a list column, `with_list_columns`), so
    each way of reading the answer joins it before filtering."""
    register(tree.county_staff, summary="反映工资拖欠一")
    call = register(tree.county_staff, summary="反映工资拖欠二", channel="phone")
    found = search_cases(tree.county_staff, "工资", CaseFilters(channel="phone"))
    assert (found.total, [c.pk for c in found.cases]) == (1, [call.pk])
    found = search_cases(tree.city_supervisor, "工资", CaseFilters(channel="phone"))
    assert (found.total, [c.pk for c in found.cases]) == (1, [call.pk])


def test_the_total_is_exact_up_to_the_cap_then_more(
    tree: Tree, search_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above TOTAL_CAP the total says TOTAL_CAP with `more`, and the newest TOTAL_CAP cases
    are listed; at or below it the total is exact."""
    cases = [register(tree.county_staff, summary=f"反映工资拖欠{n}") for n in "一二三"]
    monkeypatch.setattr(search, "TOTAL_CAP", 2)
    found = search_cases(tree.county_staff, "工资", page_size=2)
    assert (found.total, found.more) == (2, True)
    assert [c.pk for c in found.cases] == [cases[2].pk, cases[1].pk]
    assert search_cases(tree.county_staff, "工资", page=2, page_size=2).cases == []
    monkeypatch.setattr(search, "TOTAL_CAP", 3)
    found = search_cases(tree.county_staff, "工资", page=2, page_size=2)
    assert (found.total, found.more, [c.pk for c in found.cases]) == (3, False, [cases[0].pk])


def test_the_cases_sent_down_are_merged_newest_first_with_the_departments_own(
    tree: Tree, search_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A department's answer holds the cases it sent down (R-SUPER-2) among its own, newest
    first, the total capped over both: walked, each is a part read by its own index and the
    parts are merged (cases/search.py, `_walks`), the page taken from the rows the total
    read where they suffice; from the hits, one statement per part."""
    staff = tree.city_staff
    parents = [register(staff, summary=f"反映工资拖欠{n}") for n in "一二三"]
    children = [
        cs.case_assign_down(
            actor=staff,
            case=to_read(parent, staff),
            to_department=tree.county_org,
            routing_note="县里更了解情况",
        ).child
        for parent in parents
    ]
    assert {c.sent_down_by_id for c in children} == {staff.department_id}
    newest_first = [c.pk for c in reversed(children)] + [p.pk for p in reversed(parents)]
    found = search_cases(staff, "工资", page_size=4)
    assert (found.total, found.more) == (6, False)
    assert [c.pk for c in found.cases] == newest_first[:4]
    # Capped at 4: the department's own three are read whole by the total, the cases sent
    # down only two of three, fewer than the page needs.
    monkeypatch.setattr(search, "TOTAL_CAP", 4)
    found = search_cases(staff, "工资", page_size=4)
    assert (found.total, found.more) == (4, True)
    assert [c.pk for c in found.cases] == newest_first[:4]
    later = search_cases(staff, "工资", page=2, page_size=3)
    assert [c.pk for c in later.cases] == newest_first[3:4]


def test_a_supervisor_finds_what_his_department_sent_outside_the_departments_below(
    tree: Tree, search_path: str
) -> None:
    """A supervisor sees the departments below whole; a case his department sent down to an
    enterprise's personnel office (another kind, not below) he sees one by one (R-SUPER-2),
    walked or read from the hits."""
    parent = register(tree.prov_staff, summary="反映工资拖欠问题")
    child = cs.case_assign_down(
        actor=tree.prov_staff,
        case=to_read(parent, tree.prov_staff),
        to_department=tree.energy_personnel,
        routing_note="企业管理的干部",
    ).child
    found = search_cases(tree.prov_supervisor, "工资")
    assert (found.total, [c.pk for c in found.cases]) == (2, [child.pk, parent.pk])


def test_the_walk_probes_the_cases_seen_one_by_one_only_as_far_as_the_page_needs(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walked, once the parts walked in order have counted past TOTAL_CAP, the cases seen
    one by one (here the province's cases sent down to an enterprise's personnel office,
    outside the departments below) are probed newest first, a chunk at a time, only until
    the page's rows are found; the page is the same as read whole."""
    monkeypatch.setattr(search, "WALK_FROM", -1)
    monkeypatch.setattr(search, "TOTAL_CAP", 2)
    monkeypatch.setattr(search, "PROBE_CHUNK", 1)
    parents = [
        register(tree.prov_staff, summary="反映工资拖欠问题" if n % 2 == 0 else "反映道路维修问题")
        for n in range(6)
    ]
    children = [
        cs.case_assign_down(
            actor=tree.prov_staff,
            case=to_read(parent, tree.prov_staff),
            to_department=tree.energy_personnel,
            routing_note="企业管理的干部",
        ).child
        for parent in parents
    ]
    probed: list[int] = []
    probe = search.SearchAnswer._probed_ids

    def counting(answer: search.SearchAnswer, ids: list[int]) -> list[tuple[object, int]]:
        probed.extend(ids)
        return probe(answer, ids)

    monkeypatch.setattr(search.SearchAnswer, "_probed_ids", counting)
    found = search_cases(tree.prov_supervisor, "工资", page_size=2)
    # The newest matches are the children of the first, third and fifth parents, sent down
    # after every parent was registered: the fifth's and the third's.
    assert (found.total, found.more) == (2, True)
    assert [c.pk for c in found.cases] == [children[4].pk, children[2].pk]
    # Two chunks of two, newest first: the sixth and fifth children, the fourth and third.
    assert probed == [children[5].pk, children[4].pk, children[3].pk, children[2].pk]


def test_a_merged_case_is_found_through_the_case_it_was_merged_into(
    tree: Tree, search_path: str
) -> None:
    """A merge moves petitions, not text: the entries stay, and the target is found by the
    merged petition's words (R-REPEAT-4)."""
    target = register(tree.county_staff, summary="反映道路维修问题")
    dup = register(tree.county_staff, summary="再次反映桥梁维修", content="桥梁已坏三个月")
    cs.case_merge(actor=tree.county_staff, case=dup, into=target, reason="同一事项")
    found = search_cases(tree.county_staff, "桥梁")
    assert [c.pk for c in found.cases] == [target.pk]


# --- Exactness against a plain scan ------------------------------------------------------

# A small alphabet, so that random two- to four-character queries often hit; full-width and
# upper-case letters and spaces, which normalisation folds.
ALPHABET = "工资拖欠局长干部选拔王伟芳亲属调查问题反映村镇ＡＢab 　1２"
SIZE = 240
QUERIES = 120


def _text(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))


def _contains(fields: list[str], query: str) -> bool:
    """The plain scan: does any field, normalised, contain the normalised query."""
    return any(query in normalize(f) for f in fields)


def test_exact_against_a_plain_scan(tree: Tree, search_path: str) -> None:
    rng = random.Random(20261202)
    hidden_from_county: set[int] = set()
    public: dict[int, list[str]] = {}
    protected: dict[int, list[str]] = {}
    for i in range(SIZE):
        summary = _text(rng, 4, 30)
        content = _text(rng, 10, 80)
        name = _text(rng, 2, 4).strip() or "王伟"
        # One petition in five accuses the county's own secretary: the county may then not
        # see the petitioner's identity nor search the letter (R-PROTECT-1).
        accuses_secretary = i % 5 == 0
        respondents = [RespondentInput(cadre=tree.county_secretary)] if accuses_secretary else []
        case = register(
            tree.county_staff,
            summary=summary,
            content=content,
            petitioners=[PetitionerInput(name=name)],
            respondents=respondents,
        )
        public[case.pk] = [summary] + (["周建国", "县委书记"] if accuses_secretary else [])
        protected[case.pk] = [content, name]
        if accuses_secretary:
            hidden_from_county.add(case.pk)
    # Half the queries are pieces of the texts, half random strings of the alphabet.
    pieces = [t for fields in (*public.values(), *protected.values()) for t in fields]
    queries = []
    while len(queries) < QUERIES:
        if len(queries) % 2:
            source = rng.choice(pieces)
            n = rng.randint(2, 4)
            start = rng.randint(0, max(0, len(source) - n))
            raw = source[start : start + n]
        else:
            raw = _text(rng, 2, 4)
        if len(normalize(raw)) >= 2:
            queries.append(raw)
    hits = 0
    for raw in queries:
        q = normalize(raw)
        # The county handles every case; the city's supervisor sees them all (R-SUPER-1)
        # but never the identity, so only the public part counts for it.
        expected_county = {
            pk
            for pk in public
            if _contains(public[pk], q)
            or (pk not in hidden_from_county and _contains(protected[pk], q))
        }
        expected_supervisor = {pk for pk in public if _contains(public[pk], q)}
        for user, expected in (
            (tree.county_staff, expected_county),
            (tree.city_supervisor, expected_supervisor),
        ):
            found = search_cases(user, raw, page_size=SIZE)
            assert found.total == len(expected), raw
            assert {c.pk for c in found.cases} == expected, raw
            # Newest first (registered in id order, so ids descending).
            assert [c.pk for c in found.cases] == sorted(expected, reverse=True), raw
        hits += bool(expected_county)
    assert hits > QUERIES // 3  # the sample is not vacuous
    assert Case.objects.count() == SIZE


def test_the_sample_check_would_see_a_missing_verification(tree: Tree, search_path: str) -> None:
    """The bigram index alone is a superset: 工资 and 资拖 are both in "工资资拖" though "工资拖"
    is not. The verification on the stored text makes the answer exact."""
    register(tree.county_staff, summary="工资资拖")
    assert search_cases(tree.county_staff, "工资拖").total == 0
    assert search_cases(tree.county_staff, "资资").total == 1


def test_query_text_is_never_sql(tree: Tree, search_path: str) -> None:
    register(tree.county_staff, summary="百分之百%_完成")
    assert search_cases(tree.county_staff, "%_").total == 1
    assert search_cases(tree.county_staff, "之%").total == 0
    assert search_cases(tree.county_staff, '"工 OR 资"').total == 0


def test_the_candidates_come_from_the_bigram_index(tree: Tree) -> None:
    """The plan of the candidate query reads the index (FTS5 on SQLite, the GIN index on
    PostgreSQL with table scans discouraged, as on a large table), not the table."""
    register(tree.county_staff, summary="反映工资拖欠")
    candidates = SearchEntry.objects.filter(pk__in=_candidates("工资拖"))
    sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan and "cases_searchfts" in plan
        else:
            # The candidates' own statement, as on a large table (GIN is read by bitmap).
            raw = _candidates("工资拖")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {raw.sql}", raw.params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "cases_searchentry_tokens" in plan
    assert candidates.count() == 1


def test_the_parts_are_merged_by_a_key_exact_to_the_microsecond(tree: Tree) -> None:
    """The answer's parts are merged newest first in Python by `_newest_rows`' key (an
    integer of microseconds on PostgreSQL, read instead of a datetime to save the time-zone
    loader). Two cases a microsecond apart, the later with the lower id, and a third a
    second later: the order is by time, not by id, on both engines."""
    first = register(tree.county_staff, summary="合并次序一")
    second = register(tree.county_staff, summary="合并次序二")
    third = register(tree.county_staff, summary="合并次序三")
    base = dt.datetime(2026, 3, 1, 8, 0, 0, 500000, tzinfo=dt.UTC)
    Case.objects.filter(pk=first.pk).update(registered_at=base + dt.timedelta(microseconds=1))
    Case.objects.filter(pk=second.pk).update(registered_at=base)
    Case.objects.filter(pk=third.pk).update(registered_at=base + dt.timedelta(seconds=1))
    rows = list(search._newest_rows(Case.objects.filter(pk__in=[first.pk, second.pk, third.pk])))
    assert [pk for _key, pk in sorted(rows, reverse=True)] == [third.pk, first.pk, second.pk]
    if connection.vendor == "postgresql":
        # 2026-03-01 08:00:00.5 UTC in microseconds since the epoch.
        assert dict((pk, key) for key, pk in rows)[second.pk] == 1_772_352_000_500_000


def test_ids_are_sent_to_postgresql_as_the_array_text() -> None:
    assert search.array_text([3, 1, 2]) == "{3,1,2}"
    assert search.array_text([]) == "{}"
