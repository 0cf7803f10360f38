"""What limits each operation of `xinfang bench run` (docs/benchmarks.md): its slowest SQL
statements and their query plans, on the database as it is (one `xinfang bench generate`
filled).

Run from the repository root with the same environment as `xinfang bench run`:

    PYTHONPATH=src python tools/bench_plans.py [--top 2] > plans.txt

Each operation runs once to warm the caches, then once more with every statement timed; the
`--top` slowest are printed with their plan: `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL (it
runs the statement again), `EXPLAIN QUERY PLAN` on SQLite. Reads only.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from xinfang.cases.search import search_cases  # noqa: E402
from xinfang.cases.selectors import key_figures  # noqa: E402
from xinfang.cases.supervision import department_overview  # noqa: E402
from xinfang.demo.benchrun import SEARCH_WORDS, _busiest, _staff, _workbench  # noqa: E402
from xinfang.orgs.models import Level, Role  # noqa: E402


def _statements(fn: Callable[[], object]) -> list[tuple[float, str, Any]]:
    seen: list[tuple[float, str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append(((time.perf_counter() - started) * 1000, sql, params))

    fn()
    with connection.execute_wrapper(wrapper):
        fn()
    return sorted(seen, key=lambda s: -s[0])


def _plan(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=2)
    args = parser.parse_args()
    today = timezone.localdate()
    county = _busiest(Level.COUNTY)
    province = _busiest(Level.PROVINCE)
    supervisor = _staff(province, Role.SUPERVISOR)
    operations: dict[str, Callable[[], object]] = {
        "handler_workbench": _workbench(_staff(county, Role.HANDLER), today),
        "leader_workbench": _workbench(_staff(county, Role.LEADER), today),
        "supervisor_view": lambda: department_overview(supervisor, today),
        "key_figures_province_ytd": lambda: key_figures(province, today.year, today=today),
    }
    for label, word in SEARCH_WORDS.items():
        operations[f"search_{label}"] = lambda word=word: search_cases(supervisor, word)
    for name, fn in operations.items():
        statements = _statements(fn)
        total = sum(s[0] for s in statements)
        print(f"=== {name}: {len(statements)} statements, {total:.0f} ms in SQL")
        for ms, sql, params in statements[: args.top]:
            print(f"--- {ms:.0f} ms\n{sql[:600]}{' ...' if len(sql) > 600 else ''}")
            print(_plan(sql, params))
        print()


if __name__ == "__main__":
    main()
