"""Run in its own process by test_replica.py, against a real primary and hot standby:
DATABASE_URL is the primary, DATABASE_REPLICA_URL the standby, PGPAIR_ROOT/_PRIMARY/_REPLICA
say where they run. Exits 0 after every check passed; an AssertionError otherwise.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from tests.orgtree import build_tree  # noqa: E402
from tests.scale.pgpair import PgPair  # noqa: E402
from xinfang.cases.selectors import key_figures  # noqa: E402
from xinfang.core.replica import (  # noqa: E402
    forget_replica_health,
    read_report,
    replica_usable,
    reports_from_replica,
)
from xinfang.orgs.models import Department  # noqa: E402


def wait(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the standby")
        time.sleep(0.2)


def main() -> None:
    pair = PgPair(
        Path(os.environ["PGPAIR_ROOT"]),
        int(os.environ["PGPAIR_PRIMARY"]),
        int(os.environ["PGPAIR_REPLICA"]),
    )
    call_command("migrate", verbosity=0)
    tree = build_tree()
    departments = Department.objects.count()
    wait(lambda: Department.objects.using("replica").count() == departments)
    print(f"standby replayed the org tree ({departments} departments)")

    # 1. A report reads from the standby, and nothing of it from the primary.
    forget_replica_health()
    year = timezone.localdate().year
    on_primary = [(f.label, f.rate.numerator, f.rate.denominator)
                  for f in key_figures(tree.county_org, year)]  # fmt: skip
    with (
        CaptureQueriesContext(connections["default"]) as primary_queries,
        CaptureQueriesContext(connections["replica"]) as replica_queries,
    ):
        figures = read_report(lambda: list(key_figures(tree.county_org, year)))
    assert [(f.label, f.rate.numerator, f.rate.denominator) for f in figures] == on_primary
    health = [q for q in primary_queries.captured_queries if "pg_current_wal_lsn" in q["sql"]]
    report_on_primary = [q for q in primary_queries.captured_queries if q not in health]
    assert len(replica_queries.captured_queries) > 1, replica_queries.captured_queries
    assert report_on_primary == [], report_on_primary
    print(f"key figures read on the standby: {len(replica_queries.captured_queries)} queries")

    # 2. Writes go to the primary, even inside a report block (the standby would refuse them).
    with reports_from_replica():
        Group.objects.create(name="written-inside-report")
    assert Group.objects.using("default").filter(name="written-inside-report").exists()

    # 3. A standby that lags beyond the allowed lag is not read: the report sees the newest row.
    settings.XINFANG_REPLICA_MAX_LAG = 1.0
    pair.psql(pair.replica_port, "SELECT pg_wal_replay_pause()")
    Group.objects.create(name="written-while-lagging")
    time.sleep(2.5)
    forget_replica_health()
    assert not replica_usable()
    with CaptureQueriesContext(connections["replica"]) as replica_queries:
        names = read_report(lambda: set(Group.objects.values_list("name", flat=True)))
    assert "written-while-lagging" in names
    assert not any("auth_group" in q["sql"] for q in replica_queries.captured_queries)
    pair.psql(pair.replica_port, "SELECT pg_wal_replay_resume()")
    forget_replica_health()
    wait(lambda: replica_usable() or forget_replica_health())
    print("a lagging standby is skipped, and used again once it catches up")

    # 4. A standby that stops in the middle of a report: the report answers from the primary.
    forget_replica_health()
    assert replica_usable()
    pair.stop_replica()
    names = read_report(lambda: set(Group.objects.values_list("name", flat=True)))
    assert names == {"written-inside-report", "written-while-lagging"}, names
    forget_replica_health()
    assert not replica_usable()
    Group.objects.create(name="written-with-standby-gone")
    print("a stopped standby: reports fall back to the primary, writes go on")

    # 5. Nothing lost: every write is on the primary.
    assert set(Group.objects.using("default").values_list("name", flat=True)) == {
        "written-inside-report",
        "written-while-lagging",
        "written-with-standby-gone",
    }
    print("replica checks passed")


if __name__ == "__main__":
    main()
