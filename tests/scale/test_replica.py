"""The production layout's replica (docs/replica.md): reports read from a real streaming hot
standby, writes never go there, a lagging or stopped standby makes reports fall back to the
primary and nothing is lost. A primary and a standby are started on loopback in a temporary
folder (tests/scale/pgpair.py); the checks run in their own process (replica_check.py)
because they need Django configured for those two servers."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.scale.pgpair import PgPair, free_port

# Once per run, in the PostgreSQL half of `./dev test`; it fails (never skips) there when the
# server programs are missing.
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="runs once, in the PostgreSQL half of the suite",
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pair() -> Iterator[PgPair]:
    folder = Path(tempfile.mkdtemp(prefix="xinfang-pgpair-"))
    folder.chmod(0o711)  # the servers run as `postgres` when the tests run as root
    pair = PgPair(folder / "cluster", free_port(), free_port())
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()
        pair.root.parent.rmdir()


def test_reports_read_the_standby_and_fall_back_without_loss(pair: PgPair) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": pair.url(pair.primary_port, "xinfang"),
        "DATABASE_REPLICA_URL": pair.url(pair.replica_port, "xinfang"),
        "PGPAIR_ROOT": str(pair.root),
        "PGPAIR_PRIMARY": str(pair.primary_port),
        "PGPAIR_REPLICA": str(pair.replica_port),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    pair.psql(pair.primary_port, "CREATE DATABASE xinfang")
    done = subprocess.run(
        [sys.executable, "-m", "tests.scale.replica_check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "standby replayed the org tree (13 departments)",
        done.stdout.splitlines()[1],  # the number of queries varies with the figures' code
        "a lagging standby is skipped, and used again once it catches up",
        "a stopped standby: reports fall back to the primary, writes go on",
        "replica checks passed",
    ]
    assert done.stdout.splitlines()[1].startswith("key figures read on the standby: ")
