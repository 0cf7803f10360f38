"""`xinfang bench run` on a small generated database: the harness runs whole and reports
every operation (timings are not asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from xinfang.demo.benchrun import backend_cpu_seconds
from xinfang.demo.bulk import generate
from xinfang.petitions.models import ImportedPetition

OPERATIONS = {
    "visibility",
    "handler_workbench",
    "leader_workbench",
    "supervisor_view",
    "key_figures_province_ytd",
    "search",
    "search_department",
    "register_petition",
    "bulk_import",
    "candidates",
}


@pytest.mark.parametrize("legacy", [False, True])
def test_bench_run_reports_every_operation(db: None, tmp_path: Path, legacy: bool) -> None:
    generate(cases=120, seed=3)
    out = tmp_path / "bench.json"
    args = ["bench", "run", "--json", str(out), "--repeat", "2", "--import-rows", "30"]
    call_command(*args, *(["--legacy-visibility"] if legacy else []))
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["results"]) == OPERATIONS
    assert report["data"]["cases"] >= 120
    search = report["results"]["search"]
    # The generator filled the search index: the supervisor of the province finds the
    # common word in generated letters (干部 is in most of them), the rare one at most as often.
    assert search["status"] == "measured"
    assert search["common"]["total"] > 0
    assert 0 <= search["rare"]["total"] <= search["common"]["total"]
    # The busiest county's handler: its department's own letters hold the words too.
    department = report["results"]["search_department"]
    assert [department[k]["word"] for k in ("common", "middling", "rare")] == [
        "干部",
        "工资",
        "小舅子",
    ]
    assert 0 < department["common"]["total"] <= search["common"]["total"]
    candidates = report["results"]["candidates"]
    # Half the look-ups repeat a petition of the registrar's own department word for word,
    # with its petitioner's phone: each of those finds at least that petition's case.
    assert candidates["status"] == "measured" and candidates["samples"] == 2
    assert candidates["found"]["matter"] >= 1 and candidates["found"]["person"] >= 1
    timed = OPERATIONS - {"visibility", "search", "search_department", "bulk_import", "candidates"}
    timings = [report["results"][k] for k in timed]
    for timing in [
        *timings,
        search["common"],
        search["rare"],
        *(department[k] for k in ("common", "middling", "rare")),
        *(candidates[k] for k in ("matter", "person", "both")),
    ]:
        assert timing["runs"] == 2 and 0 < timing["median_ms"] <= timing["p95_ms"]
        assert timing["cpu_median_ms"] >= 0
    for kind in ("matter", "person", "both"):
        # Counted in runs of their own: every look-up reads at least the index.
        assert 1 <= candidates[kind]["statements_median"] <= candidates[kind]["statements_max"]
    assert report["database_bytes"] > 0 and report["peak_rss_kb"] > 0
    # A figure is quoted with the server settings it ran under (the search at a million on
    # PostgreSQL depends on shared_buffers: docs/scale.md): PostgreSQL's own values as the
    # server shows them, SQLite's page cache and memory map as the connection has them.
    settings = report["machine"]["database_settings"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW shared_buffers")
            (buffers,) = cursor.fetchone()
        assert set(settings) == {"server_version", "shared_buffers", "work_mem", "jit"}
        assert settings["shared_buffers"] == buffers
        # The application's connections set JIT off (docs/scale.md).
        assert settings["jit"] == "off"
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            (journal,) = cursor.fetchone()
        assert set(settings) == {"sqlite_version", "cache_size", "mmap_size", "journal_mode"}
        assert settings["journal_mode"] == journal and isinstance(settings["cache_size"], int)


def test_bench_run_imports_both_files_and_keeps_what_it_acknowledged(
    db: None, tmp_path: Path
) -> None:
    """The bulk import row (issue 10: "bulk import rate"): a generated message file and a
    generated register, each imported through the batch path into the busiest county
    department; what the report says was imported is there under the run's own source, and
    a second run imports its files again under a new source (nothing skipped as already
    imported)."""
    generate(cases=120, seed=3)
    reports = []
    for n in (1, 2):
        out = tmp_path / f"bench{n}.json"
        call_command("bench", "run", "--json", str(out), "--repeat", "1", "--import-rows", "40")
        reports.append(json.loads(out.read_text(encoding="utf-8"))["results"]["bulk_import"])
    sources = set()
    for bulk in reports:
        for kind in ("messages", "registers"):
            row = bulk[kind]
            assert row["rows"] == 40
            assert row["imported"] + row["rejected"] == 40
            assert row["already"] == 0
            assert row["imported"] >= 30  # the sample register refuses a few wrong ID numbers
            assert row["rows_per_s"] > 0 and row["rows_per_cpu_s"] > 0
            assert row["cpu_ms_per_row"] > 0
            # The server's share of the work: PostgreSQL's backend on this machine; SQLite
            # runs in the benchmark's own process (its CPU is cpu_ms_per_row).
            if connection.vendor == "postgresql":
                assert row["server_cpu_ms_per_row"] >= 0
            else:
                assert row["server_cpu_ms_per_row"] is None
            kept = ImportedPetition.objects.filter(source=row["source"]).count()
            assert kept == row["imported"]
            sources.add(row["source"])
        # The same-person look-up on the register's rows, timed apart from the writing.
        same = bulk["registers"]["same_person"]
        # (No row may share a key with anyone: then the look-up is a few statements, its
        # time rounds to nothing.)
        assert same["seconds"] >= 0 and 0 <= same["rows_listed"] <= bulk["registers"]["imported"]
    assert len(sources) == 4


def test_the_servers_cpu_is_read_from_its_backend_process(db: None) -> None:
    """The import's server CPU (docs/imports.md, "What two cores can give"): the CPU time
    of this connection's PostgreSQL backend, read from /proc on this machine; grows with a
    statement that works only in the server, not with work in the client. SQLite: none."""
    if connection.vendor != "postgresql":
        assert backend_cpu_seconds() is None
        return
    before = backend_cpu_seconds()
    assert before is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM generate_series(1, 4000000) AS n WHERE mod(n, 7) = 3")
        assert cursor.fetchone() == (571429,)
    after = backend_cpu_seconds()
    assert after is not None and after - before >= 0.05
    sum(i * i for i in range(2_000_000))  # the client's work: not the server's
    assert backend_cpu_seconds() - after < 0.05  # type: ignore[operator]
