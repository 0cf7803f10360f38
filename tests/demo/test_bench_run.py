"""`xinfang bench run` on a small generated database: the harness runs whole and reports
every operation (timings are not asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from xinfang.demo.bulk import generate

OPERATIONS = {
    "visibility",
    "handler_workbench",
    "leader_workbench",
    "supervisor_view",
    "key_figures_province_ytd",
    "search",
    "register_petition",
}


@pytest.mark.parametrize("legacy", [False, True])
def test_bench_run_reports_every_operation(db: None, tmp_path: Path, legacy: bool) -> None:
    generate(cases=120, seed=3)
    out = tmp_path / "bench.json"
    args = ["bench", "run", "--json", str(out), "--repeat", "2"]
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
    timings = [report["results"][k] for k in OPERATIONS - {"visibility", "search"}]
    for timing in [*timings, search["common"], search["rare"]]:
        assert timing["runs"] == 2 and 0 < timing["median_ms"] <= timing["p95_ms"]
        assert timing["cpu_median_ms"] >= 0
    assert report["database_bytes"] > 0 and report["peak_rss_kb"] > 0
