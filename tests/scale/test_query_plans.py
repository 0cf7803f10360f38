"""The queues, visibility, search and key figures read indexes (issue 10), on both engines.

Every statement these operations run is captured and explained: SQLite's EXPLAIN QUERY PLAN
(which does not depend on the table's size: without ANALYZE SQLite plans from its rules),
PostgreSQL's EXPLAIN with sequential and plain index scans priced out (`enable_seqscan`,
`enable_indexscan` off: what is left are bitmap scans, which name the index), so that the
planner's choice for this small test database, where reading a whole page is cheapest,
does not decide: a plan that still scans the cases table has no index to use. Each
operation must name the indexes written for it, and no statement may scan the cases table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tests.builders import PetitionerInput, RespondentInput, register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases import search
from xinfang.cases.access import cases_visible_to, visible_among, visible_parts
from xinfang.cases.listing import page_of, with_list_columns
from xinfang.cases.matching import (
    RespondentFacts,
    _respondent_petitions,
    matter_candidates,
    person_candidates,
    person_facts,
)
from xinfang.cases.models import OPEN_STATES, Case
from xinfang.cases.protection import FAMILY_ROOT, identity_shown_q, protections_for
from xinfang.cases.queues import queue_counts, queues_for, reports_awaiting_acceptance, sent_down
from xinfang.cases.search import search_cases
from xinfang.cases.selectors import key_figures
from xinfang.orgs.models import User

SQLITE = connection.vendor == "sqlite"


def _statements(run: Callable[[], object]) -> list[tuple[str, object]]:
    captured: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    # "(": a compound statement whose branches have their own LIMIT (PostgreSQL).
    reads = ("SELECT", "WITH", "(")
    return [(sql, p) for sql, p in captured if sql.lstrip().upper().startswith(reads)]


def _plans(statements: list[tuple[str, object]]) -> list[tuple[str, str]]:
    """(statement, its plan as text) for each statement."""
    out = []
    with connection.cursor() as cur:
        if not SQLITE:
            # Plain index scans off too: on a table this small a full pass over the primary
            # key with a filter would otherwise be "an index" and hide whether the GIN index
            # or a department's range is usable; bitmap scans still name every index read.
            cur.execute("SET enable_seqscan = off")
            cur.execute("SET enable_indexscan = off")
        try:
            for sql, params in statements:
                if SQLITE:
                    cur.execute("EXPLAIN QUERY PLAN " + sql, params)
                    plan = "\n".join(str(row[-1]) for row in cur.fetchall())
                else:
                    cur.execute("EXPLAIN " + sql, params)
                    plan = "\n".join(str(row[0]) for row in cur.fetchall())
                out.append((sql, plan))
        finally:
            if not SQLITE:
                cur.execute("RESET enable_seqscan")
                cur.execute("RESET enable_indexscan")
    return out


# A whole-table read of the cases: SQLite's "SCAN cases_case" (bare, or walking a whole
# index), PostgreSQL's sequential scan.
CASE_SCAN = re.compile(r"^SCAN cases_case\b" if SQLITE else r"Seq Scan on cases_case\b", re.M)


def _check(run: Callable[[], object], *indexes: str) -> str:
    """Run the operation, explain its statements; none scans the cases table, and together
    they read every named index (names matched as prefixes: Django's own index names end
    in a hash; "a|b": either). Returns all plans, for further checks."""
    plans = _plans(_statements(run))
    assert plans
    scans = [f"{plan}\n  in: {sql[:300]}" for sql, plan in plans if CASE_SCAN.search(plan)]
    assert scans == []
    text = "\n".join(plan for _sql, plan in plans)
    for index in indexes:
        assert any(name in text for name in index.split("|")), f"{index} not used:\n{text}"
    return text


@pytest.fixture(autouse=True)
def _tables_as_migrated(db: None) -> None:
    """The plans are read with the planner's defaults for tables never measured. On
    PostgreSQL an ANALYZE inside an earlier test's transaction (the generator's) writes a
    table's size into pg_class in place, which the rollback keeps, and three of these tests
    then saw another index chosen: they run first (tests/conftest.py), and this says so
    plainly if an earlier test ever measured the tables again."""
    if SQLITE:
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname FROM pg_class WHERE relname IN ('cases_case', 'petitions_petition')"
            " AND relpages > 0"
        )
        measured = [name for (name,) in cur.fetchall()]
    assert measured == [], f"an earlier test measured {measured}: run the plan tests first"


@pytest.fixture
def busy(tree: Tree) -> Iterator[Tree]:
    """A few cases in every place the operations read: open and closed, sent down,
    with respondents and petitioners."""
    staff = tree.city_staff
    for i in range(4):
        register(
            staff,
            summary=f"反映干部问题{i}",
            petitioners=[PetitionerInput(name=f"张{i}", phone=f"1390000000{i}")],
        )
    case = register(
        staff,
        summary="反映干部选拔问题",
        respondents=[RespondentInput(cadre=tree.township_secretary)],
        petitioners=[PetitionerInput(name="李四", phone="13900000009")],
    )
    case = to_read(case, staff)
    cs.case_assign_down(actor=staff, case=case, to_department=tree.county_org)
    register(tree.county_staff, summary="县里的干部问题")
    yield tree


def _workbench(user: User) -> Callable[[], object]:
    """Every queue's count and its first page of 50, as the workbench and queue pages ask."""
    today = timezone.localdate()

    def run() -> object:
        out = []
        for queue in queues_for(user):
            cases = with_list_columns(queue.cases(user, today))
            out.append((cases.count(), page_of(cases, 0, 50)))
        return out

    return run


# Every PostgreSQL connection's settings (settings.py, `_pg_options`; docs/scale.md):
# - jit off ("JIT"): compiling costs more than these statements run;
# - random_page_cost 1.1 ("PostgreSQL planner settings") unless the deployment says: with
#   4 the planner read a department's open cases through the state index;
# - work_mem 16 MB (same section) unless the deployment says: with the server's 4 MB the
#   bitmap of 工资's 111,654 hits at 1,000,000 cases turned lossy and every entry of 10,000
#   pages had its tokens read again, 2.2 s against 0.7 s.
@pytest.mark.parametrize(
    ("setting", "value"), [("jit", "off"), ("random_page_cost", "1.1"), ("work_mem", "16MB")]
)
def test_postgresql_connections_carry_the_planner_settings(
    db: None, setting: str, value: str
) -> None:
    if SQLITE:
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute(f"SHOW {setting}")
        row = cur.fetchone()
    assert row is not None and row[0] == value


@pytest.mark.parametrize(
    ("given", "work_mem", "options"),
    [
        ("1.1", "16MB", "-c jit=off -c random_page_cost=1.1 -c work_mem=16MB"),
        ("4", "16MB", "-c jit=off -c random_page_cost=4 -c work_mem=16MB"),
        ("", "16MB", "-c jit=off -c work_mem=16MB"),
        ("1.1", "65536kB", "-c jit=off -c random_page_cost=1.1 -c work_mem=65536kB"),
        ("1.1", "1GB", "-c jit=off -c random_page_cost=1.1 -c work_mem=1GB"),
        ("1.1", "8192", "-c jit=off -c random_page_cost=1.1 -c work_mem=8192"),
        ("", "", "-c jit=off"),
    ],
)
def test_the_connection_options_carry_the_planner_settings(
    given: str, work_mem: str, options: str
) -> None:
    from xinfang.settings import _pg_options

    database = {"ENGINE": "django.db.backends.postgresql"}
    _pg_options(database, given, work_mem)
    assert database["OPTIONS"] == {"options": options}
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}
    _pg_options(sqlite, given, work_mem)
    assert "OPTIONS" not in sqlite


@pytest.mark.parametrize("given", ["16 MB", "16mb", "16M", "-1MB", "0", "0MB", "十六MB", "1.5MB"])
def test_a_work_mem_that_is_not_an_amount_of_memory_is_refused(given: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from xinfang.settings import _pg_options

    with pytest.raises(ImproperlyConfigured, match="XINFANG_PG_WORK_MEM must be"):
        _pg_options({"ENGINE": "django.db.backends.postgresql"}, "1.1", given)


@pytest.mark.parametrize("given", ["0", "-1", "快", "1,1"])
def test_a_random_page_cost_that_is_not_a_positive_number_is_refused(given: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from xinfang.settings import _pg_options

    with pytest.raises(ImproperlyConfigured, match="XINFANG_PG_RANDOM_PAGE_COST must be"):
        _pg_options({"ENGINE": "django.db.backends.postgresql"}, given)


# The department's own cases by department (and state); open cases by state on SQLite, which
# plans without statistics, by the partial index of open cases on PostgreSQL.
OPEN = "cases_case_state" if SQLITE else "case_open_dept_due"
SENT = "case_sent_down_state"  # what the department sent down (visibility, R-SUPER-2)
# The ids of all it sent (no state asked): either index of the sender (SQLite's both hold
# the rowid; PostgreSQL's state index includes the id).
SENT_ANY = f"{SENT}|case_sent_down_registered"
# (PostgreSQL prices the two alike on these few-row tables, even for the open children,
# which at scale are a few ranges of the state index alone: it plans by statistics.)


def test_queues_and_visibility_read_indexes(busy: Tree) -> None:
    # Visibility on its own: what the department sent down comes through the assignments'
    # index. (Asked of the workbenches too, it failed once in the whole suite's run and
    # never alone: which queue statement reads it is not the point; that one reads it is.)
    _check(lambda: list(cases_visible_to(busy.city_staff).values_list("pk", flat=True)), SENT_ANY)
    # The department's own queues read a range of one department's states, on both engines
    # (docs/benchmarks.md, "The department's own queues"). PostgreSQL was once allowed the
    # department's plain index too: it chose it when an earlier test had recorded the
    # table's size mid-run, which the plan tests now rule out (docs/testing.md, "Plan
    # tests").
    own = "case_dept_state|case_dept_decided"
    _check(_workbench(busy.county_staff), own, OPEN)
    _check(_workbench(busy.city_staff), OPEN)
    # The province's supervisor: the departments below (a condition on the department).
    _check(_workbench(busy.prov_supervisor), OPEN)


def test_the_cases_sent_down_are_read_by_their_sender(busy: Tree) -> None:
    """The cases a department sent down (R-SUPER-2) are read by the column of their sender,
    `case_sent_down_state`, in the second part of the visible cases (the counts) and in the
    sent-down queue with its count: never from the assignments, which gave every child the
    department sent in all the years, each looked up by id (10,286 probes for the busiest
    county at 1,000,000 cases to keep 216 open ones; docs/benchmarks.md, "The department's
    own queues")."""
    leader = busy.staff(busy.city_org, "leader", name="city_leader")
    today = timezone.localdate()
    second = visible_parts(leader)[1]
    assert second.count() == 1  # the case `busy` assigned down to the county
    for run in (
        lambda: second.filter(state__in=OPEN_STATES).count(),
        lambda: sent_down(leader).count(),
        lambda: list(sent_down(leader)[:50]),
    ):
        statements = _statements(run)
        assert not [sql for sql, _p in statements if "cases_assignment" in sql]
        _check(run, SENT if SQLITE else SENT_ANY)
    # The workbench's counts, the sent-down queue among them.
    assert queue_counts(leader, today)["sent_down"] == 1
    _check(lambda: queue_counts(leader, today), SENT if SQLITE else SENT_ANY)


RECEIVED = "petition_dept_received|petitions_petition_receiving_department"


def test_identity_as_one_condition_reads_indexes(busy: Tree) -> None:
    """identity_shown_q (R-PROTECT-1 for a whole list): the petitions the department
    received, the respondents on its side, each by its index: for a department above a
    unit, the main leaders of its jurisdiction by the index of main leaders alone. By the
    index of every respondent of the jurisdiction PostgreSQL read the busiest county's
    29,413 respondents to keep none, 15-22 ms in each of its handler's search statements
    at 1,000,000 cases (docs/search.md, "Reading less on PostgreSQL")."""
    user = busy.city_staff
    one = Case.objects.filter(title="县里的干部问题").get()

    def run() -> object:
        shown = Case.objects.annotate(family_root=FAMILY_ROOT).filter(identity_shown_q(user))
        return list(shown.filter(pk=one.pk).values_list("pk", flat=True))

    text = _check(run, RECEIVED, "respondent_department", "respondent_main_leader")
    assert "respondent_jurisdiction" not in text, text


def test_the_policy_of_candidate_cases_reads_indexes(busy: Tree) -> None:
    """protections_for (R-PROTECT-1 for the registration form's candidates, issue 11): the
    candidate cases by their key, each one's family (the cases sent down by their root, the
    petitions by their case) and that family's respondents by their petition. Never the
    respondents of the department's side by the department or jurisdiction: that is every
    family they were ever named in (15 ms of a 20 ms look-up at 1,000,000 cases)."""
    user = busy.city_staff
    cases = list(Case.objects.order_by("pk"))
    text = _check(
        lambda: protections_for(user, cases),
        "case_sent_down_root",
        "petitions_petition_case_id",
        "petitions_respondent_petition_id",
    )
    assert "respondent_department" not in text, text
    assert "respondent_jurisdiction" not in text, text


def test_candidates_start_from_what_they_found(busy: Tree) -> None:
    """The registration form's look-ups (issue 11) read the visible cases among their hits by
    the hits' keys, never a department's whole range: at a million cases SQLite without
    statistics read the busiest county's 50,875 cases for a few hundred candidates (78 ms of
    a 99 ms look-up, docs/benchmarks.md)."""
    user = busy.city_staff
    facts = person_facts(name="李四", phone="13900000009")

    def run() -> object:
        return (
            matter_candidates(user, text="反映干部选拔问题，反映干部选拔问题。"),
            person_candidates(user, facts),
        )

    text = _check(run, "case_sent_down_root")
    assert "cases_case_department_id" not in text, text
    assert "case_open_dept" not in text, text


@pytest.mark.parametrize("query", ["干部", "干部问题"])
def test_search_reads_the_bigram_index(
    busy: Tree, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer read from the hits (few of them: cases/search.py, WALK_FROM)."""
    monkeypatch.setattr(search, "WALK_FROM", 2)
    index = "cases_searchfts" if SQLITE else "cases_searchentry_tokens"
    # With tags (every user of this small tree sees at most TAGGED_MOST departments): on
    # SQLite the visible cases are probed by the hit families' ids (`json_each`), the
    # department and the sender tested per row (access.visible_parts, `unindexed`); on
    # PostgreSQL each part is a range of its own index.
    parts = ("json_each", "INTEGER PRIMARY KEY") if SQLITE else (SENT_ANY,)
    sender_or_department = r"case_sent_down_(state|registered)|cases_case_department|case_dept_"
    for user in (busy.city_staff, busy.prov_supervisor):
        text = _check(lambda user=user: search_cases(user, query), index, *parts)
        if SQLITE:
            assert "VIRTUAL TABLE INDEX" in text
            assert not re.search(rf"USING (COVERING )?INDEX ({sender_or_department})", text), text


@pytest.mark.parametrize("query", ["干部", "干部问题"])
def test_untagged_hits_give_their_families_from_the_entries(
    busy: Tree, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without tags (a supervisor who sees more than TAGGED_MOST departments), the hits'
    families are read from the entries (`SearchEntry.family`): the statement that asks the
    index reads no petition and no case (through them, each hit cost two more look-ups:
    most of the province supervisor's 小舅子 at 1,000,000 cases). On SQLite the families
    read first are then asked as JSON arrays by the members' own indexes, never by a
    subquery run again for every case (a condition naming "cases_case" inside a subquery
    where the table has another alias made it one: correlated, 26 minutes at 100,000)."""
    monkeypatch.setattr(search, "WALK_FROM", 2)
    monkeypatch.setattr(search, "TAGGED_MOST", 0)
    user = busy.prov_supervisor
    assert search._tags_for(user) == []
    plans = _plans(_statements(lambda: search_cases(user, query)))
    asking = [sql for sql, _plan in plans if "MATCH" in sql or "@@" in sql]
    assert asking, plans
    assert any("SELECT family FROM cases_searchentry" in sql for sql in asking), asking
    for sql in asking:
        assert "petitions_petition" not in sql, sql
        # The members' statement (SQLite) reads the cases sent down from the roots it found.
        assert sql.startswith("WITH r AS MATERIALIZED") or "cases_case" not in sql, sql
    if SQLITE and len(query) == 2:
        # Two characters: nothing to verify, so the families come from their own index,
        # not from the rows, where they sit after the letters' text (migration 0021).
        families = [plan for sql, plan in plans if "SELECT family" in sql]
        assert families and all(
            "USING COVERING INDEX searchentry_family" in plan for plan in families
        ), families
    if SQLITE and len(query) > 2:
        # Longer: the public candidates verified on the text in the index that holds it
        # with the family, one look-up each (migration 0021).
        public = [plan for sql, plan in plans if "instr(public_text" in sql]
        assert public and all(
            "USING COVERING INDEX searchentry_public" in plan for plan in public
        ), public
    if not SQLITE and len(query) > 2:
        # Longer, on PostgreSQL: the candidates verified on the rows the index found, one
        # read of the entries; as `petition_id IN (candidates)` the entries were joined to
        # themselves and every candidate read twice.
        verified = [sql for sql in asking if "strpos(" in sql]
        assert verified, asking
        for sql in verified:
            assert sql.count("cases_searchentry") == 1, sql
            assert " IN (" not in sql, sql
    if SQLITE:
        # The members read once from the roots (the cases sent down by their root index),
        # then asked by id as a JSON array, never by a subquery run again for each row.
        members = [plan for sql, plan in plans if sql.startswith("WITH r AS MATERIALIZED")]
        assert members and all("case_sent_down_root" in plan for plan in members), members
        asked = [plan for sql, plan in plans if "json_each" in sql]
        assert asked and not [plan for plan in asked if "CORRELATED" in plan], asked
    assert [c.pk for c in search_cases(user, query).cases] == [
        c.pk for c in search.search_queryset(user, query)[0]
    ]


def test_a_slice_asks_the_bigram_index_for_its_months(
    busy: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read by slices (cases/search.py `_slices`; forced here: this small tree's cases are
    all of one month), the slice's months are tokens asked of the same index with the word,
    and nothing scans the cases."""
    monkeypatch.setattr(search, "WALK_FROM", 2)
    monkeypatch.setattr(search, "TAGGED_MOST", 0)
    month = search.month_of(timezone.now())
    monkeypatch.setattr(search, "_slices", lambda state, hits: [(month,), ()])
    user = busy.prov_supervisor
    index = "cases_searchfts" if SQLITE else "cases_searchentry_tokens"
    statements = _statements(lambda: search_cases(user, "干部问题"))
    token = search.newest_token(month)
    asking = [sql for sql, params in statements if token in str(params)]
    assert asking, statements
    _check(lambda: search_cases(user, "干部问题"), index)


def test_the_whole_answer_is_driven_by_the_hits(busy: Tree) -> None:
    """`search_queryset` (the API, the export, a sort by a column): the hit families drive
    the statement, the department tested per row. Driven by the department's index, SQLite
    read every case of the department and tested each against the hits, and the identity
    rule built the set of every family the department had received petitions for (the
    busiest county's handler's 小舅子 at 1,000,000 cases: 431 ms for 692 cases); on
    PostgreSQL the rule built that set too (the county handler's 工资 at 100,000 cases:
    430 ms for 1,497 cases, 134 now). Here: the members asked of the primary key as one
    parameter (`json_each` on SQLite, an array on PostgreSQL), and neither a department's
    index nor the set of every family the department received petitions for."""
    for user in (busy.city_staff, busy.prov_supervisor):

        def run(user: User = user) -> object:
            return list(search.search_queryset(user, "干部")[0].values_list("pk", flat=True))

        plans = _plans(_statements(run))
        driven = "json_each" if SQLITE else '"cases_case"."id" = ANY('
        main = [plan for sql, plan in plans if driven in sql]
        assert main, plans
        for plan in main:
            assert not re.search(r"(INDEX|using) (cases_case_department|case_dept_)", plan), plan
            # The set of the department's petitions (by their receiving department) is
            # never built; the rule probes each row's own family by its case.
            assert "petition_dept_received" not in plan, plan
            assert "receiving_department" not in plan or not SQLITE, plan


def test_the_whole_answer_reads_the_cases_followed_or_reviewed_first(busy: Tree) -> None:
    """A department's own staff (the index tagged): the cases it follows or reviews, whose
    families need not hold a case of the department, are read as ids before the answer's
    statement, which then ORs lists of ids only. As a subquery among them it kept
    PostgreSQL from the primary key: at 1,000,000 cases it walked all the cases by
    registration time, the busiest county handler's 小舅子 (692 cases) 700 -> 63 ms."""
    user = busy.city_staff
    assert search._tags_for(user), "the busy tree's index is tagged for the department"

    def run() -> object:
        return list(search.search_queryset(user, "干部")[0].values_list("pk", flat=True))

    statements = _statements(run)
    main = [statements[-1][0]]  # the answer is read last
    assert main[0].startswith('SELECT "cases_case"."id"'), statements
    visible = str(visible_among(user, Q()).query)
    # The reviews table appears as often as in the visibility test alone: no second
    # subquery of the cases followed or reviewed.
    assert main[0].count('"cases_review"') == visible.count('"cases_review"'), main[0]


def _walk_plans(run: Callable[[], object]) -> list[tuple[str, str]]:
    """Plans of the statements as the planner would run them with an index to walk in
    order: on PostgreSQL sequential scans and sorts priced out (on a table this small a
    scan and a sort are otherwise cheapest), plain index scans allowed (a walk is one).
    Without the index's state (`search._index_state`), whose first and last registration
    times are one look-up each of the registration times' index, not a walk of it."""
    statements = [
        (sql, params) for sql, params in _statements(run) if not sql.startswith(INDEX_STATE)
    ]
    if SQLITE:
        return _plans(statements)
    out = []
    with connection.cursor() as cur:
        cur.execute("SET enable_seqscan = off")
        cur.execute("SET enable_sort = off")
        try:
            for sql, params in statements:
                cur.execute("EXPLAIN " + sql, params)
                out.append((sql, "\n".join(str(row[0]) for row in cur.fetchall())))
        finally:
            cur.execute("RESET enable_seqscan")
            cur.execute("RESET enable_sort")
    return out


# The walk's index for a user who sees one department's cases whole, and for a supervisor
# who sees several (registration time alone, the department tested per row).
INDEX_STATE = "SELECT (SELECT max(id) FROM petitions_petition)"
ONE_DEPARTMENT = "case_dept_registered"
SEVERAL = "cases_case_registered_at"
# The probe of each row's family: its petitions by case, the cases sent down by root, the
# entry by its petition.
PROBE = (
    "petitions_petition_case_id",
    "case_sent_down_root",
    "sqlite_autoindex_cases_searchentry" if SQLITE else "cases_searchentry_pkey",
)


@pytest.mark.parametrize("query", ["干部", "干部问题"])
def test_search_with_many_hits_walks_newest_first_and_probes_each_row(
    busy: Tree, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many hits (cases/search.py, WALK_FROM; forced here): the cases are read newest first
    by an index in that order, each probed for a hit in its family's stored text, so the
    statement can stop at the page's last row or at TOTAL_CAP + 1; never a sort of every
    visible case (SQLite: no temporary b-tree for the walk's order; PostgreSQL: no hashed
    subplan, which would read every entry to build the set)."""
    monkeypatch.setattr(search, "WALK_FROM", -1)
    for user, walk in ((busy.county_staff, ONE_DEPARTMENT), (busy.prov_supervisor, SEVERAL)):
        plans = _walk_plans(lambda user=user: search_cases(user, query))
        walking = [plan for _sql, plan in plans if walk in plan]
        assert walking, "\n".join(plan for _sql, plan in plans)
        text = "\n".join(plan for _sql, plan in plans)
        for index in PROBE:
            assert index in text, f"{index} not used:\n{text}"
        for plan in walking:
            if SQLITE:
                assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
            else:
                # The entries only by their primary key, row by row: no scan of them, as
                # a hashed subplan building the set of every hit would need.
                reads = re.findall(r"(\S+ Scan[^\n]*) on cases_searchentry\b", plan)
                assert reads and all("using cases_searchentry_pkey" in r for r in reads), plan
                assert not re.search(r"Seq Scan on cases_case\b", plan), plan


def test_the_cases_seen_one_by_one_are_walked_by_their_ids(
    busy: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk's second part, the cases a department sees one by one (those it sent down,
    follows or reviews), is read by the cases' ids and ordered afterwards: never by walking
    the registration times of every case in the database and testing each against that set
    (at 1,000,000 cases the province's handler's 干部 read 66,000 cases' families for 50 of
    its 5,058 cases sent down, 2.1 s of 2.2)."""
    monkeypatch.setattr(search, "WALK_FROM", -1)
    user = busy.city_staff  # sent a case down to the county
    plans = _walk_plans(lambda: search_cases(user, "干部"))
    text = "\n".join(plan for _sql, plan in plans)
    assert ONE_DEPARTMENT in text, text
    assert SEVERAL not in text, text
    assert "cases_case_pkey" in text or "sqlite_autoindex" in text or "PRIMARY KEY" in text


def test_the_cases_sent_down_are_walked_newest_first_by_their_sender(
    busy: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk's part of the cases the department sent down is read newest first by
    `case_sent_down_registered`, so that it stops at the page or the capped total: never
    read whole and sorted (at 1,000,000 cases the busiest county's 33,949 cases sent down,
    read whole for each search, were half of its handler's 工资 on SQLite, 173 of 345 ms)."""
    monkeypatch.setattr(search, "WALK_FROM", -1)
    plans = _walk_plans(lambda: search_cases(busy.city_staff, "干部"))
    walking = [plan for _sql, plan in plans if "case_sent_down_registered" in plan]
    assert walking, "\n".join(plan for _sql, plan in plans)
    for plan in walking:
        if SQLITE:
            assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
        else:
            # A sort of ties within one registration time only (Incremental Sort).
            assert not re.search(r"(^|->  )Sort\b", plan, re.M), plan
            assert not re.search(r"Seq Scan on cases_case\b", plan), plan


def test_few_hits_send_their_families_only_to_the_parts_that_hold_cases(
    busy: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's few-hits way asks each visible part for the hit families, passed as
    arrays of ids: at 1,000,000 cases 工资's are 110,000 ids, and a statement carrying them
    cost 275 ms to send and plan while it ran in 0.1 ms on an empty part (the cases a
    department follows or reviews, usually none). A part with no case is not asked; the
    departments seen whole and the cases sent down are asked as one part (driven by the ids,
    tested per row), so the city's staff, with cases of their own and one sent down and none
    followed or reviewed, send the families once."""
    if SQLITE:
        pytest.skip("PostgreSQL's few-hits way (SQLite answers in one statement)")
    monkeypatch.setattr(search, "WALK_FROM", 2)
    user = busy.city_staff  # its own cases and one sent down; none followed or reviewed
    statements = _statements(lambda: search_cases(user, "干部"))
    asked = [sql for sql, _params in statements if "registered_at" in sql and "ANY(" in sql]
    assert len(asked) == 1, "\n\n".join(asked)


def test_key_figures_read_indexes(busy: Tree) -> None:
    """The province's three rates for the year to date: cases by department and day of the
    decision (自办案件率), petitions by receiving department and day (重信重访率), cases by
    department and registration (年终结案率)."""
    today = timezone.localdate()
    run = lambda: key_figures(busy.prov_org, today.year, today=today)  # noqa: E731
    if SQLITE:
        # SQLite plans by its rules, whatever the size: the year-bounded indexes are required.
        _check(run, "case_dept_decided", RECEIVED, "case_dept_registered")
        return
    # PostgreSQL on a table this small chooses among the indexes by what it knows of the
    # table's size (docs/testing.md, "Plan tests"): the department's own, the year's range, or
    # another index that leads with the department (a CI run read `case_dept_registered`
    # for the decisions). Each statement must read one of them, none may scan the cases
    # table; which one is the planner's. On a large table the three read
    # `cases_case_mode_decided_at` (the year's decisions), `petition_dept_received` and
    # `case_dept_registered`, bounded by the year (docs/benchmarks.md, `tools/bench_plans.py`).
    _check(run)
    plans = _plans(_statements(run))
    by_department = ("case_dept_registered", "case_dept_decided", "cases_case_department_id")
    expected = {
        "mode_decided_at": (*by_department, "cases_case_mode_decided_at"),
        "received_on": (*RECEIVED.split("|"), "petitions_petition_received_on"),
        "registered_at": (*by_department, "cases_case_registered_at"),
    }
    for column, indexes in expected.items():
        mine = [plan for sql, plan in plans if column in sql and "yearlytarget" not in sql]
        assert mine, f"no statement reads {column}"
        for plan in mine:
            assert any(name in plan for name in indexes), f"{column}: {plan}"


# --- The workbench's counts, with and without SQLite's statistics -------------------------

# A range of the cases table by department or handler alone: every case it has had in all
# the years, where a queue needs only the open ones or those in one state.
ALL_YEARS = re.compile(r"INDEX (case_|cases_case_)\S* \((department_id|handler_id)=\?\)")

# sqlite_stat1 of a database of 20,000 cases made by `xinfang bench generate` (its rows for
# the cases table), after `ANALYZE`: the statistics a real deployment has. With them SQLite
# chose to list the half-time candidates by walking the whole table in registration order
# (Case's default order) rather than sort the few it needed (docs/benchmarks.md, "The
# workbench counts and SQLite's statistics").
CASE_STATISTICS = [
    ("case_dept_decided", "20000 556 1"),
    ("case_dept_registered", "20000 556 1"),
    ("case_dept_state_registered", "20000 556 83 1"),
    ("case_handler_state", "20000 274 94"),
    ("case_open_dept_due", "1188 33 17"),
    ("case_sent_down_root", "2383 1"),
    ("cases_case_closed_at_d6d6a19d", "20000 2"),
    ("cases_case_department_id_c5b7309d", "20000 556"),
    ("cases_case_due_on_4b130e72", "20000 22"),
    ("cases_case_follow_department_id_9e32900e", "20000 20000"),
    ("cases_case_handler_id_21cefe0d", "20000 274"),
    ("cases_case_parent_id_30365dcb", "20000 9"),
    ("cases_case_registered_at_d80e48fc", "20000 1"),
    ("cases_case_root_id_ce18b61c", "20000 9"),
    ("cases_case_state_eb673365", "20000 2223"),
]


@pytest.fixture
def statistics(busy: Tree) -> Iterator[Tree]:
    """SQLite with the large database's statistics loaded (`ANALYZE sqlite_schema` reads
    them again), removed afterwards."""
    if not SQLITE:
        pytest.skip("SQLite's statistics (PostgreSQL's planner is priced out above)")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # creates sqlite_stat1
        cur.execute("DELETE FROM sqlite_stat1")
        for index, stat in CASE_STATISTICS:
            cur.execute("INSERT INTO sqlite_stat1 VALUES ('cases_case', %s, %s)", [index, stat])
        cur.execute("ANALYZE sqlite_schema")
    yield busy
    with connection.cursor() as cur:
        cur.execute("DELETE FROM sqlite_stat1")
        cur.execute("ANALYZE sqlite_schema")


def _counts_and_first_page(user: User) -> Callable[[], object]:
    """What the workbench asks (`queue_counts`) and the first page of its first queue."""
    today = timezone.localdate()

    def run() -> object:
        first = queues_for(user)[0]
        return queue_counts(user, today), list(first.cases(user, today)[:50])

    return run


def _no_all_years_range(user: User) -> str:
    text = _check(_counts_and_first_page(user))
    assert ALL_YEARS.findall(text) == []
    return text


def test_workbench_counts_read_the_open_cases_only(busy: Tree) -> None:
    """Each part of the visibility is a range of an index of its own: the department's
    cases in a state (handler's: his cases in a state), never all the department's or the
    handler's cases of all years."""
    handler = busy.staff(busy.county_org, "handler", name="county_handler")
    leader = busy.staff(busy.county_org, "leader", name="county_leader")
    assert "case_handler_state" in _no_all_years_range(handler) or not SQLITE
    text = _no_all_years_range(leader)
    assert "case_dept_state_registered" in text or "case_open_dept_due" in text
    _no_all_years_range(busy.city_staff)
    _no_all_years_range(busy.prov_supervisor)


def test_workbench_plans_with_sqlite_statistics(statistics: Tree) -> None:
    """The same, with the statistics of a large database: no statement walks the cases
    table (the half-time candidates did, in registration order) or a department's cases
    of all years."""
    handler = statistics.staff(statistics.county_org, "handler", name="county_handler")
    leader = statistics.staff(statistics.county_org, "leader", name="county_leader")
    for user in (handler, leader, statistics.city_staff, statistics.prov_supervisor):
        _no_all_years_range(user)


# The queues of the department's own cases (待阅批, 待分办, 异议待决定, 待审批结案, 下级报结待审核).
OWN_QUEUES = (
    "to_read",
    "to_route",
    "objections_awaiting_decision",
    "closures_awaiting_approval",
    "reports_awaiting_acceptance",
)


def test_own_queues_are_the_departments_cases_alone(busy: Tree) -> None:
    """A queue of the department's own cases asks for them by department alone, without
    the visibility's other reasons (the cases sent down, followed, reviewed: the UNION of
    their ids) ORed in: every case of the user's department is visible to him, and with
    the OR PostgreSQL read the department's cases of all years to find the few reports
    awaiting acceptance (116 ms of the leader's workbench at 1,000,000 cases)."""
    leader = busy.staff(busy.county_org, "leader", name="county_leader")
    today = timezone.localdate()
    own = [queue for queue in queues_for(leader) if queue.key in OWN_QUEUES]
    assert [queue.key for queue in own] == list(OWN_QUEUES)
    for queue in own:
        statements = _statements(lambda queue=queue: queue.cases(leader, today).count())
        assert len(statements) == 1
        sql = statements[0][0]
        assert "cases_review" not in sql and "follow_department_id" not in sql, queue.key


def test_reports_awaiting_acceptance_read_the_pending_reports_alone(busy: Tree) -> None:
    """下级报结待审核 (R-CLOSE-6): the department's assignments reported and not yet accepted,
    a range of their partial index, instead of every assignment it sent in thirty years
    (10,286 for the busiest county at 1,000,000 cases, docs/benchmarks.md)."""
    _check(
        lambda: list(reports_awaiting_acceptance(busy.city_staff).values_list("pk", flat=True)),
        "assignment_reported_pending",
    )


def test_the_same_respondent_is_read_by_its_name(busy: Tree) -> None:
    """Issue 11 item 3: the petitions naming a respondent, for candidates worded otherwise,
    are a range of `respondent_name`, newest first, never a scan of the respondents."""
    text = _check(
        lambda: _respondent_petitions([RespondentFacts(name="赵六", unit="河口县交通运输局")]),
        "respondent_name",
    )
    assert not re.search(r"^SCAN petitions_respondent|Seq Scan on petitions_respondent", text, re.M)
