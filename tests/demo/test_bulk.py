"""The bulk generator (issue 10): counts and proportions, determinism, valid timelines."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, F

from xinfang.cases.models import (
    Assignment,
    Case,
    CaseEvent,
    CaseLedgerHead,
    CaseNumberSequence,
    SearchEntry,
    State,
)
from xinfang.cases.search import index_petitions
from xinfang.cases.timeline import verify_chains
from xinfang.core.errors import RuleViolation
from xinfang.demo.bulk import WRITTEN, Generator, Written, _Writer, analyze_written, generate
from xinfang.matching.index import rebuild
from xinfang.matching.models import MatterBand, MatterText, PersonKey
from xinfang.orgs.models import Jurisdiction
from xinfang.petitions.models import Petition, Petitioner
from xinfang.routing.terms import HandlingMode

TODAY = dt.date(2026, 6, 30)
# What seed 7 generates on 30 June 2026: the same on SQLite and PostgreSQL.
DIGEST_SEED_7 = "dad7c22abf483da977f7506c3a3124f2a8dc3ce4c73967b9383528a34c16f3e6"


@pytest.fixture
def generated(db: None) -> object:
    return generate(cases=300, seed=7, years=5, today=TODAY)


def test_counts_and_proportions(generated: object) -> None:
    assert Case.objects.count() == 300
    petitions = Petition.objects.count()
    # About 1.5 petitions a case (repeats join their case; cases sent down have none).
    assert 390 <= petitions <= 510
    states = Counter(Case.objects.values_list("state", flat=True))
    # Five years of cases: most are archived, a few still open, every route present.
    assert states[State.ARCHIVED] >= 200
    assert 1 <= states[State.HANDLING] + states[State.REGISTERED] + states[State.READ] <= 40
    modes = Counter(Case.objects.values_list("handling_mode", flat=True))
    for mode in (HandlingMode.SELF, HandlingMode.ASSIGN, HandlingMode.TRANSFER):
        assert modes[mode] >= 10
    assert modes[HandlingMode.REFER] + modes[HandlingMode.FILE] >= 10
    # Spread over the years and the departments.
    years = {c.year for c in Case.objects.values_list("registered_at", flat=True)}
    assert years >= {2021, 2022, 2023, 2024, 2025, 2026}
    assert Case.objects.values("department").distinct().count() >= 20


def test_every_child_is_tied_to_its_sender(generated: object) -> None:
    children = Case.objects.filter(parent__isnull=False)
    assert children.count() == Assignment.objects.count()
    assert not children.exclude(root_id=F("parent_id")).exists()
    # The sender's column as `_send_down` sets it (cases/0016, R-SUPER-2): the assignment's
    # from_department, on every child and on no other case.
    assert children.filter(sent_down_by_id=F("assignment_in__from_department_id")).count() == (
        children.count()
    )
    assert not Case.objects.filter(parent__isnull=True, sent_down_by__isnull=False).exists()
    # An accepted report closed the sender's case (R-CLOSE-6).
    accepted = Assignment.objects.filter(accepted_at__isnull=False)
    assert accepted.exists()
    assert not accepted.exclude(case__state__in=[State.CLOSED, State.ARCHIVED]).exists()


def test_timelines_pass_the_audit(generated: object) -> None:
    assert list(verify_chains()) == []
    counts = dict(
        CaseEvent.objects.values_list("case_id").annotate(n=Count("pk")).values_list("case_id", "n")
    )
    assert all(counts[pk] == n for pk, n in Case.objects.values_list("pk", "event_count"))
    assert CaseLedgerHead.objects.get(pk=1).count == 300


def test_same_seed_same_digest(generated: object) -> None:
    assert generated.digest == DIGEST_SEED_7  # type: ignore[attr-defined]


def _matching_index() -> tuple[set[tuple[int, int]], set[tuple[int, str]], set[tuple[int, str]]]:
    return (
        set(MatterBand.objects.values_list("petition_id", "key")),
        set(MatterText.objects.values_list("petition_id", "digest")),
        set(PersonKey.objects.values_list("petitioner_id", "sound_hash")),
    )


def test_the_matching_index_is_written_as_registration_writes_it(generated: object) -> None:
    """Issue 11 measures the candidates at registration on this generator's data: every
    petition's text bands and digest, every named petitioner's sound key, the same rows a
    rebuild from the petitions makes."""
    written = _matching_index()
    petitions = Petition.objects.count()
    assert len(written[1]) == petitions
    assert len(written[0]) == 16 * petitions
    named = Petitioner.objects.exclude(name="").count()
    assert named > 0 and len(written[2]) == named
    assert rebuild() == (petitions, named)
    assert _matching_index() == written


def test_the_search_entries_carry_their_families_departments(generated: object) -> None:
    """The generator writes whole families (a case and those sent down from it) before their
    petitions' search entries, so each entry is tagged with every department holding a case
    of its family (cases/search.py, department tags), as the actions keep them."""
    families: dict[int, set[int]] = {}
    for pk, root, dept in Case.objects.values_list("pk", "root_id", "department_id"):
        families.setdefault(root or pk, set()).add(dept)
    sent_down = 0
    entries = SearchEntry.objects.values_list(
        "petition__case__root_id", "petition__case_id", "departments", "tagged"
    )
    for root, case_id, departments, tagged in entries:
        held = families[root or case_id]
        sent_down += len(held) > 1
        assert tagged and departments == " ".join(str(d) for d in sorted(held))
    assert len(entries) == Petition.objects.count()
    assert sent_down > 0  # some families span two departments


def _search_entries() -> list[tuple[object, ...]]:
    """Every search entry's columns, and on PostgreSQL its tokens (SQLite's FTS5 table is
    contentless: its documents cannot be read back; both paths make them with the same
    `_entry_row` from these columns)."""
    columns = "petition_id, public_text, protected_text, version, departments, tagged, family"
    if connection.vendor == "postgresql":
        columns += ", tokens::text"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, newest FROM cases_searchentry ORDER BY petition_id")
        return list(cursor.fetchall())


def test_the_search_entries_are_those_the_search_s_own_indexing_writes(
    generated: object,
) -> None:
    """The generator makes its petitions' entries from the rows in hand (texts, families,
    months); they must be the entries `index_petitions` writes from the stored rows."""
    written = _search_entries()
    assert len(written) == Petition.objects.count()
    assert index_petitions(list(Petition.objects.values_list("pk", flat=True))) == len(written)
    assert _search_entries() == written


def test_refuses_a_database_in_use(generated: object) -> None:
    with pytest.raises(RuleViolation, match="只用于新建的空数据库"):
        generate(cases=10, seed=7, today=TODAY)


def test_refuses_other_numbers_of_processes_and_two_inside_a_transaction(db: None) -> None:
    for processes in (0, 3):
        with pytest.raises(RuleViolation, match="进程数只能是1或2"):
            generate(cases=10, seed=7, today=TODAY, processes=processes)
    with pytest.raises(RuleViolation, match="不能在事务中调用"):
        generate(cases=10, seed=7, today=TODAY, processes=2)
    assert not Jurisdiction.objects.exists()  # refused before anything was written


def test_a_batch_crosses_to_the_writing_process_whole(db: None) -> None:
    """With two processes each batch is pickled to the writer: what the writer receives
    must write the same tables and indexes as the batch in hand (generate's one process)."""
    first = _generate_and_dump(11, extra=True)

    def through_a_pipe(batch: Written, writer: _Writer) -> None:
        writer.write(pickle.loads(pickle.dumps(batch)))

    assert _generate_and_dump(11, extra=True, write=through_a_pipe) == first


def _tables() -> dict[str, list[tuple[object, ...]]]:
    """Every row the generator writes, in id order, all columns (ids included)."""
    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in (*WRITTEN, CaseNumberSequence, CaseLedgerHead)
    }


def _generate_and_dump(
    seed: int,
    *,
    extra: bool = False,
    write: Callable[[Written, _Writer], None] | None = None,
) -> dict[str, list[tuple[object, ...]]]:
    """Generate in a transaction that is rolled back; the organization's ids come from
    sequences that PostgreSQL does not roll back, so they are set back to the rows' maximum
    first, as on a fresh database (SQLite's counters roll back by themselves). `extra`: the
    search entries and the matching index too. `write`: each batch goes through it instead
    of straight to the writer (the generation as `generate` runs it in one process)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
    with transaction.atomic():
        if write is None:
            generate(cases=60, seed=seed, years=3, today=TODAY)
        else:
            gen = Generator(seed=seed, today=TODAY, years=3)
            gen.build_org()
            writer = _Writer()
            gen.run(60, None, lambda batch: write(batch, writer))
            writer.finish(gen.closing())
        tables = _tables()
        if extra:
            tables["search"] = _search_entries()
            tables["matching"] = [sorted(rows) for rows in _matching_index()]
        transaction.set_rollback(True)
    return tables


def test_same_seed_same_tables(db: None) -> None:
    first = _generate_and_dump(11)
    assert len(first["Case"]) == 60 and first["CaseEvent"]
    assert _generate_and_dump(11) == first
    assert _generate_and_dump(12)["Petition"] != first["Petition"]


@pytest.mark.django_db
def test_the_generator_s_statistics_lock_no_shared_catalog() -> None:
    """PostgreSQL: `analyze_written` runs inside the generator's one transaction; a bare
    ANALYZE there took the cluster's shared catalogs (pg_authid ...) until the end of the
    generation, and every other database's ANALYZE on the server waited for it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's shared catalogs")
    with transaction.atomic(), connection.cursor() as cursor:
        analyze_written()
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = pg_backend_pid() AND c.relisshared"
        )
        shared = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = pg_backend_pid() AND c.relname = 'cases_case'"
        )
        own = cursor.fetchone()
    assert shared == (0,)
    assert own is not None and own[0] >= 1  # the project's tables were analyzed


@pytest.mark.django_db(transaction=True)
def test_the_generated_tables_are_left_vacuumed_on_postgresql() -> None:
    """PostgreSQL: the generator ends with VACUUM (ANALYZE) of the tables it wrote, outside
    its transaction, so that a benchmark measures the tables as autovacuum keeps them in
    service (every page marked all-visible, so that a count over an index reads the index
    alone) and autovacuum's first pass over gigabytes of new rows does not run beside the
    benchmark's first calls (docs/benchmarks.md, "PostgreSQL at 1,000,000 cases,
    vacuumed"). Without the VACUUM no page is marked: ANALYZE reads the map, never sets
    it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's visibility map")
    generate(cases=120, seed=3, years=3, today=TODAY)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relpages, relallvisible FROM pg_class "
            "WHERE relname IN ('cases_case', 'cases_searchentry', 'petitions_petition')"
        )
        pages = {name: (total, visible) for name, total, visible in cursor.fetchall()}
    assert set(pages) == {"cases_case", "cases_searchentry", "petitions_petition"}
    for name, (total, visible) in pages.items():
        assert total >= 1 and visible == total, name


@pytest.mark.django_db(transaction=True)
def test_two_processes_write_what_one_writes_on_postgresql() -> None:
    """`processes=2`: drawn here, written by a forked process with its own connection; the
    same cases, timelines (the audit passes) and digest as one process."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database is in memory: see the command's test below")
    lines: list[str] = []
    result = generate(cases=300, seed=7, years=5, today=TODAY, processes=2, progress=lines.append)
    assert result.digest == DIGEST_SEED_7
    # What the command says after its last count: the commit, then the statistics.
    assert lines[-2:] == [
        "300 个案件已全部生成，正在写完并提交数据库，请稍候……",
        "正在整理数据库并更新统计信息，请稍候……",
    ]
    assert Case.objects.count() == 300
    assert list(verify_chains()) == []
    assert CaseLedgerHead.objects.get(pk=1).count == 300
    assert SearchEntry.objects.count() == Petition.objects.count() > 300
    assert MatterText.objects.count() == Petition.objects.count()


@pytest.mark.django_db(transaction=True)
def test_a_failing_writer_writes_no_case_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """The writing process fails (here on its first batch): its transaction is rolled back,
    and the caller is told in Chinese that no case was written. The child is forked, so it
    runs the patched writer."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database is in memory: a forked writer cannot reach it")

    def fail(self: _Writer, batch: Written) -> None:
        raise OSError("磁盘已满")

    monkeypatch.setattr(_Writer, "write", fail)
    with pytest.raises(
        RuleViolation, match=r"写入进程出错，本次没有写入任何案件.*磁盘已满"
    ) as refused:
        generate(cases=50, seed=7, years=3, today=TODAY, processes=2)
    assert "OSError" not in str(refused.value)  # no class name on the screen
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_drawing_process_reads_no_database_while_the_writer_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With two processes the drawing process must not query: it would read a database the
    writer has not committed to (and on SQLite wait on its lock). A query is refused, and
    the writer stopped with nothing written."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database is in memory: a forked writer cannot reach it")
    take_batch = Generator.take_batch

    def peeking(self: Generator, made: int) -> Written:
        Case.objects.exists()
        return take_batch(self, made)

    monkeypatch.setattr(Generator, "take_batch", peeking)
    with pytest.raises(AssertionError, match="read the database while the writer writes"):
        generate(cases=50, seed=7, years=3, today=TODAY, processes=2)
    assert not Case.objects.exists()


SEED_7 = ["--seed", "7", "--years", "5", "--today", TODAY.isoformat()]


def test_the_command_in_two_processes_on_a_sqlite_file(tmp_path: Path) -> None:
    """`xinfang bench generate` (two processes by default) on a fresh SQLite file: the
    digest of seed 7, and the file holds every case, its entries and its index rows."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO"))}
    env.update(XINFANG_HOME=str(tmp_path), XINFANG_SECRET_KEY="test-only-secret")
    done = subprocess.run(
        [sys.executable, "-m", "xinfang", "bench", "generate", "--cases", "300", *SEED_7],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "已生成 300 个案件" in done.stdout and DIGEST_SEED_7 in done.stdout
    # After the last count, before the commit: the command says what it is still doing.
    assert "300 个案件已全部生成，正在写完并提交数据库，请稍候……" in done.stdout
    db = sqlite3.connect(tmp_path / "xinfang.sqlite3")
    try:
        counts = [
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("cases_case", "petitions_petition", "cases_searchentry")
        ]
        texts = db.execute("SELECT count(*) FROM matching_mattertext").fetchone()[0]
        head = db.execute("SELECT count FROM cases_caseledgerhead").fetchone()[0]
    finally:
        db.close()
    assert counts[0] == 300 and counts[1] == counts[2] == texts > 300 and head == 300
