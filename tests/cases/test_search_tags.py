"""The search entries' department tags (issue 10, cases/search.py, docs/search.md "Department
tags"): each entry carries the departments holding a case of its petition's family, also as
tokens of the bigram index, and a department's own staff ask the index for their families'
hits only. A tag missing after a case is sent down or petitions are moved would hide a case
from the department that holds it, so each action that changes a family is checked here by
the stored tags (written out by hand) and by what the department then finds. Runs on SQLite
and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.builders import register, registration, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases import search
from xinfang.cases.models import Case, SearchEntry
from xinfang.cases.search import department_token, search_cases
from xinfang.petitions.models import Petition


@pytest.fixture(autouse=True)
def from_the_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tags are read by the few-hits way; every query here takes it (WALK_FROM above
    any share of the petitions)."""
    monkeypatch.setattr(search, "WALK_FROM", 2)


def _tags(petition: Petition) -> str:
    return SearchEntry.objects.get(pk=petition.pk).departments


def _family(petition: Petition) -> int | None:
    """The family root the entry keeps (the search reads the hits' families from it)."""
    return SearchEntry.objects.get(pk=petition.pk).family


def _ids(*departments: object) -> str:
    return " ".join(str(pk) for pk in sorted(d.pk for d in departments))  # type: ignore[attr-defined]


def _found(user: object, word: str) -> list[int]:
    return [c.pk for c in search_cases(user, word).cases]  # type: ignore[arg-type]


def _send_down(tree: Tree, case: Case) -> Case:
    case = to_read(case, tree.city_staff)
    return cs.case_assign_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=case,
        to_department=tree.county_org,
    ).child


def test_a_department_tag_is_d_and_its_id_in_letters() -> None:
    # Decimal digits as letters, 0 a ... 9 j: 17 is b h, 1009 is b a a j.
    assert department_token(17) == "dbh"
    assert department_token(1009) == "dbaaj"
    assert search.department_tokens("3 17") == ["dd", "dbh"]
    assert search.department_tokens("") == []


def test_a_registered_petition_is_tagged_with_its_department(tree: Tree) -> None:
    case = register(tree.county_staff, summary="反映道路维修问题")
    [petition] = Petition.objects.filter(case=case)
    assert _tags(petition) == _ids(tree.county_org)
    assert _family(petition) == case.pk
    assert search._tags_for(tree.county_staff) == [tree.county_org.pk]
    assert _found(tree.county_staff, "道路") == [case.pk]


def test_a_new_case_s_petition_is_indexed_without_reading_its_family_back(tree: Tree) -> None:
    """The case a letter opens is its family alone, in the registrar's department: the
    entry's family and tags are written from it, not read back by the three statements of
    `families_of` (a repeat joining a case reads them: the test above with an unlinked
    repeat holds its tags)."""
    with CaptureQueriesContext(connection) as caught:
        case = register(tree.county_staff, summary="反映河道整治问题")
    [petition] = Petition.objects.filter(case=case)
    assert (_tags(petition), _family(petition)) == (_ids(tree.county_org), case.pk)
    read_back = [q["sql"] for q in caught.captured_queries if "COALESCE" in q["sql"]]
    assert read_back == []


def test_a_case_sent_down_tags_its_family_with_the_receiver(tree: Tree) -> None:
    """Without the tag the county's staff, who hold the case sent down to them, would ask
    the index for their own families' hits and not find it."""
    case = register(tree.city_staff, summary="反映桥梁维修问题")
    [petition] = Petition.objects.filter(case=case)
    assert _tags(petition) == _ids(tree.city_org)
    child = _send_down(tree, case)
    assert _tags(petition) == _ids(tree.city_org, tree.county_org)
    assert _family(petition) == case.pk  # the case sent down joins its family
    assert _found(tree.county_staff, "桥梁") == [child.pk]
    # The city finds its own case, and the one it sent down (R-SUPER-2), newest first.
    assert _found(tree.city_staff, "桥梁") == [child.pk, case.pk]
    assert _found(tree.county_hr_staff, "桥梁") == []


def test_merged_petitions_take_the_tags_of_the_target_family_and_give_them_back(
    tree: Tree,
) -> None:
    target = register(tree.city_staff, summary="反映道路维修问题")
    child = _send_down(tree, target)
    dup = register(tree.city_staff, summary="再次反映桥梁维修")
    [moved] = Petition.objects.filter(case=dup)
    assert _tags(moved) == _ids(tree.city_org)
    assert _found(tree.county_staff, "桥梁") == []
    cs.case_merge(actor=tree.city_staff, case=dup, into=target, reason="同一事项")
    # R-REPEAT-4: the merged letter is now the family's, which the county holds a case of.
    assert _tags(moved) == _ids(tree.city_org, tree.county_org)
    assert _family(moved) == target.pk
    assert _found(tree.county_staff, "桥梁") == [child.pk]
    cs.case_unmerge(actor=tree.city_staff, case=dup, reason="并案有误")
    assert _tags(moved) == _ids(tree.city_org)
    assert _family(moved) == dup.pk
    assert _found(tree.county_staff, "桥梁") == []
    assert _found(tree.city_staff, "桥梁") == [dup.pk]


def test_a_merge_within_a_department_moves_the_family_though_the_tags_stay(tree: Tree) -> None:
    """Both cases are the county's: the tags do not change, the family root does. A root
    left behind would lead the search to the merged-away case, which no longer holds the
    letter (the supervisor reads the hits untagged, by their roots)."""
    target = register(tree.county_staff, summary="反映道路维修问题")
    dup = register(tree.county_staff, summary="再次反映路灯损坏")
    [moved] = Petition.objects.filter(case=dup)
    assert _found(tree.city_supervisor, "路灯") == [dup.pk]
    cs.case_merge(actor=tree.county_staff, case=dup, into=target, reason="同一事项")
    assert _tags(moved) == _ids(tree.county_org)
    assert _family(moved) == target.pk
    assert _found(tree.county_staff, "路灯") == [target.pk]
    assert _found(tree.city_supervisor, "路灯") == [target.pk]


def test_an_unlinked_repeat_takes_the_tags_of_its_new_case(tree: Tree) -> None:
    first = register(tree.city_staff, summary="反映道路维修问题", content="同一封信的内容")
    _send_down(tree, first)
    again = registration(tree.city_staff, repeat_of=first, summary="再次反映堤坝")
    assert _tags(again.petition) == _ids(tree.city_org, tree.county_org)
    assert len(_found(tree.county_staff, "堤坝")) == 1
    new = cs.repeat_unlink(actor=tree.city_staff, petition=again.petition, reason="另有诉求")
    assert _tags(again.petition) == _ids(tree.city_org)
    assert _family(again.petition) == new.pk
    assert _found(tree.county_staff, "堤坝") == []
    assert _found(tree.city_staff, "堤坝") == [new.pk]


def test_a_case_followed_from_another_department_is_probed_case_by_case(tree: Tree) -> None:
    """R-ROUTE-4: a department follows a case its family holds no case of, so the tags do
    not lead to it; the followed cases are probed one by one."""
    case = register(tree.county_staff, summary="反映河道整治问题")
    assert _found(tree.city_staff, "河道") == []
    Case.objects.filter(pk=case.pk).update(follow_department=tree.city_org)
    assert search._tags_for(tree.city_staff) == [tree.city_org.pk]
    assert _found(tree.city_staff, "河道") == [case.pk]


def test_the_whole_answer_uses_the_tags_too(tree: Tree) -> None:
    """`search_queryset` (the API, the export, a sort by a column) reads every match through
    `matching_cases`, with the tags: the case sent down, the sender's own and a case
    followed from another department, exactly."""
    case = register(tree.city_staff, summary="反映桥梁维修问题")
    child = _send_down(tree, case)
    followed = register(tree.county_hr_staff, summary="再次反映桥梁问题")
    Case.objects.filter(pk=followed.pk).update(follow_department=tree.city_org)
    register(tree.county_hr_staff, summary="另一件桥梁问题")  # not the city's

    def whole(user: object) -> list[int]:
        cases, _query, _note = search.search_queryset(user, "桥梁")  # type: ignore[arg-type]
        return [c.pk for c in cases]

    assert search._tags_for(tree.city_staff) == [tree.city_org.pk]
    assert whole(tree.city_staff) == [followed.pk, child.pk, case.pk]
    with CaptureQueriesContext(connection) as ctx:
        assert whole(tree.county_staff) == [child.pk]
    tag = department_token(tree.county_org.pk)
    asked = [q["sql"] for q in ctx.captured_queries if "MATCH" in q["sql"] or "@@" in q["sql"]]
    assert asked and all(tag in sql for sql in asked), asked


def test_the_tags_are_asked_in_the_index_with_the_word(tree: Tree) -> None:
    register(tree.county_staff, summary="反映道路维修问题")
    tag = department_token(tree.county_org.pk)
    with CaptureQueriesContext(connection) as ctx:
        assert search_cases(tree.county_staff, "道路").total == 1
    matched = [q["sql"] for q in ctx.captured_queries if "MATCH" in q["sql"] or "@@" in q["sql"]]
    assert matched and all(tag in sql for sql in matched), matched


def test_many_departments_seen_whole_read_the_hits_untagged(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A supervisor sees his department and those below whole; above TAGGED_MOST of them
    the tags narrow nothing worth a long query."""
    seen = search._tags_for(tree.city_supervisor)
    assert tree.city_org.pk in seen and tree.county_org.pk in seen
    monkeypatch.setattr(search, "TAGGED_MOST", len(seen))  # at the limit: still tagged
    assert search._tags_for(tree.city_supervisor) == seen
    monkeypatch.setattr(search, "TAGGED_MOST", len(seen) - 1)
    assert search._tags_for(tree.city_supervisor) == []
    assert search._tags_for(tree.county_staff) == [tree.county_org.pk]


def _as_before_the_tags(petition_ids: list[int]) -> None:
    """The entries as migration 0018 found them: no tag tokens in the index, not tagged
    (nor a newest month: migration 0023 came later)."""
    for entry in SearchEntry.objects.filter(pk__in=petition_ids):
        tagged = search._doc(
            entry.public_text, entry.protected_text, entry.departments, entry.newest
        )
        untagged = search._doc(entry.public_text, entry.protected_text, "", None)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                fts = search.FTS_TABLE
                cursor.execute(
                    f"INSERT INTO {fts}({fts}, rowid, tokens) VALUES ('delete', %s, %s)",
                    [entry.pk, tagged],
                )
                cursor.execute(
                    f"INSERT INTO {fts}(tokens, rowid) VALUES (%s, %s)", [untagged, entry.pk]
                )
            else:
                cursor.execute(
                    "UPDATE cases_searchentry SET tokens = strip(to_tsvector('simple', %s)) "
                    "WHERE petition_id = %s",
                    [untagged, entry.pk],
                )
    SearchEntry.objects.filter(pk__in=petition_ids).update(
        departments="", tagged=False, newest=None
    )


def test_entries_written_before_the_tags_are_searched_untagged_until_reindexed(
    tree: Tree,
) -> None:
    case = register(tree.county_staff, summary="反映道路维修问题")
    other = register(tree.county_staff, summary="反映道路照明问题")
    petitions = list(Petition.objects.order_by("pk").values_list("pk", flat=True))
    _as_before_the_tags(petitions[:1])
    assert search._index_state()[1] is False
    # Asked by the tags, the untagged entry would be missed.
    assert _found(tree.county_staff, "道路") == [other.pk, case.pk]
    out = StringIO()
    call_command("search_reindex", "--batch-size", "1", stdout=out)
    assert f"已标注部门 1 条，至编号 {petitions[0]}" in out.getvalue()
    assert "完成：共索引 0 条，标注部门 1 条" in out.getvalue()
    assert search._index_state()[1] is True
    assert SearchEntry.objects.get(pk=petitions[0]).departments == _ids(tree.county_org)
    assert _found(tree.county_staff, "道路") == [other.pk, case.pk]


def test_an_untagged_entry_is_tagged_even_when_its_departments_are_already_right(
    tree: Tree,
) -> None:
    """Untagged means the index holds no tag token for it, whatever the column says."""
    case = register(tree.county_staff, summary="反映道路维修问题")
    [petition] = Petition.objects.filter(case=case)
    _as_before_the_tags([petition.pk])
    SearchEntry.objects.filter(pk=petition.pk).update(departments=_ids(tree.county_org))
    call_command("search_reindex", stdout=StringIO())
    assert search._index_state()[1] is True
    assert _found(tree.county_staff, "道路") == [case.pk]


# --- Which way a tagged search reads its answer (`_tagged_hits_walk`) ----------------------


def _counts(monkeypatch: pytest.MonkeyPatch, public: int, protected: int) -> None:
    counts = {search.PUBLIC: public, search.PROTECTED: protected}
    monkeypatch.setattr(
        search, "_part_hits", lambda query, part, limit, departments=(): counts[part]
    )


@pytest.mark.parametrize(
    ("public", "protected", "ratio", "walks"),
    [
        # Three cases seen; the hits must pass the floor (1,000) and hits² / ratio >= 3.
        (1_000, 0, 1, False),  # on the floor
        (1_001, 0, 1, True),  # one above it
        (1_500, 0, 750_000, True),  # 2,250,000 / 750,000 = 3 cases: at most that many seen
        (1_500, 0, 750_001, False),  # 2.99...: fewer than seen
        (0, 1_500, 750_000, True),  # the protected hits count for a user who sees identity
        (500, 1_000, 1, False),  # ... only above the floor (R-PROTECT-1)
        (500, 1_001, 1, True),
    ],
)
def test_tagged_hits_walk_when_many_against_the_cases_seen(
    tree: Tree,
    monkeypatch: pytest.MonkeyPatch,
    public: int,
    protected: int,
    ratio: int,
    walks: bool,
) -> None:
    for n in range(3):
        register(tree.county_staff, summary=f"反映道路维修问题{n}")
    # The public share never walks by itself (its limit, the highest id times this).
    monkeypatch.setattr(search, "WALK_FROM", 10_000_000)
    monkeypatch.setattr(search, "TAGGED_WALK_RATIO", ratio)
    monkeypatch.setattr(search, "TAGGED_WALK_RATIO_SQLITE", ratio)
    _counts(monkeypatch, public, protected)
    departments = search._tags_for(tree.county_staff)
    assert search._many_hits(tree.county_staff, "道路", departments) is walks


def test_a_user_who_sees_no_identity_walks_by_the_public_hits_only(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(tree.county_staff, summary="反映道路维修问题")
    monkeypatch.setattr(search, "WALK_FROM", 10_000_000)
    monkeypatch.setattr(search, "TAGGED_WALK_RATIO", 1)
    monkeypatch.setattr(search, "TAGGED_WALK_RATIO_SQLITE", 1)
    departments = search._tags_for(tree.city_supervisor)
    assert departments  # a city's supervisor: his department and those below, tagged
    _counts(monkeypatch, 0, 5_000)
    assert search._many_hits(tree.city_supervisor, "道路", departments) is False
    _counts(monkeypatch, 5_000, 0)
    assert search._many_hits(tree.city_supervisor, "道路", departments) is True


def test_the_walk_ratio_is_the_engines_own(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three cases seen, 1,500 hits: 2,250,000 / 750,000 is 3 (walk), / 750,001 is not."""
    for n in range(3):
        register(tree.county_staff, summary=f"反映道路维修问题{n}")
    monkeypatch.setattr(search, "WALK_FROM", 10_000_000)
    _counts(monkeypatch, 1_500, 0)
    own, other = (
        ("TAGGED_WALK_RATIO_SQLITE", "TAGGED_WALK_RATIO")
        if connection.vendor == "sqlite"
        else ("TAGGED_WALK_RATIO", "TAGGED_WALK_RATIO_SQLITE")
    )
    departments = search._tags_for(tree.county_staff)
    monkeypatch.setattr(search, own, 750_000)
    monkeypatch.setattr(search, other, 750_001)
    assert search._many_hits(tree.county_staff, "道路", departments) is True
    monkeypatch.setattr(search, own, 750_001)
    monkeypatch.setattr(search, other, 750_000)
    assert search._many_hits(tree.county_staff, "道路", departments) is False


def test_the_tokens_column_keeps_more_statistics_on_postgresql(db: None) -> None:
    """Migration 0019: the planner's estimate of a department's tag decides the way read."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL column setting")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = "
            "'cases_searchentry'::regclass AND attname = 'tokens'"
        )
        assert cursor.fetchone() == (1000,)


def test_a_familys_tag_and_month_from_its_cases() -> None:
    """`Family.of_cases`, which the search (`families_of`), the registration and the bulk
    generator share: each department once, in numeric order (12 after 3), and the month of
    the newest case in the project's time zone (Beijing): the last minute of March is March,
    16:30 UTC on 31 March is already April; no case, no tag and month 0."""
    import datetime as dt

    from django.utils import timezone

    from xinfang.cases.search import Family

    def at(day: str) -> dt.datetime:
        return timezone.make_aware(dt.datetime.fromisoformat(day))

    older = [(3, at("2024-01-02 09:00")), (12, at("2025-01-05 10:00"))]
    last_of_march = Family.of_cases(7, [(12, at("2025-03-31 23:59")), *older])
    assert last_of_march == Family(7, "3 12", 202503)
    april_in_beijing = dt.datetime(2025, 3, 31, 16, 30, tzinfo=dt.UTC)
    assert Family.of_cases(7, [*older, (3, april_in_beijing)]) == Family(7, "3 12", 202504)
    assert Family.of_cases(None, []) == Family(None, "", 0)
    assert Family.new_case(9, 4, at("2026-12-01 08:00")) == Family(9, "4", 202612)
