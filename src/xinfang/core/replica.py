"""Reads for reports from a streaming replica, writes never (docs/replica.md).

A deployment may name a PostgreSQL hot standby in `DATABASE_REPLICA_URL`. Only code that asks
for it reads there: a report, a search or the key figures run inside `reports_from_replica()`.
Everything else, and every write wherever it happens, goes to the primary, so a handler never
reads a case a moment older than the one she just saved.

The replica is used only while it is reachable and close behind the primary: its replay
position is compared with the primary's current position; if it is behind, the age of the
last replayed transaction must be under `XINFANG_REPLICA_MAX_LAG` seconds. The answer is kept
for `XINFANG_REPLICA_CHECK_SECONDS`, so a busy page does not ask on every query. When the
replica is gone or lags, reports read from the primary: slower, never wrong, nothing lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"
PRIMARY = "default"

_reading_reports: ContextVar[bool] = ContextVar("xinfang_reading_reports", default=False)
# (checked at, usable): one answer per process, refreshed after the check interval.
_health: dict[str, tuple[float, bool]] = {}

T = TypeVar("T")


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _lag_seconds() -> float:
    """How far the replica is behind the primary, in seconds (0 when it has replayed all)."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (primary_lsn,) = cursor.fetchone()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),"
            " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
            [primary_lsn],
        )
        in_recovery, behind_bytes, age = cursor.fetchone()
    if not in_recovery:
        # Not a standby (promoted, or misconfigured): reading there could miss writes.
        return float("inf")
    if behind_bytes is None or behind_bytes <= 0:
        return 0.0
    return float(age) if age is not None else float("inf")


def replica_usable(*, now: float | None = None) -> bool:
    """True while the replica answers and is within the allowed lag; asked at most once per
    check interval."""
    if not replica_configured():
        return False
    now = time.monotonic() if now is None else now
    checked = _health.get(REPLICA)
    if checked is not None and now - checked[0] < settings.XINFANG_REPLICA_CHECK_SECONDS:
        return checked[1]
    try:
        usable = _lag_seconds() <= settings.XINFANG_REPLICA_MAX_LAG
    except DatabaseError:
        usable = False
        connections[REPLICA].close()
    _health[REPLICA] = (now, usable)
    return usable


def forget_replica_health() -> None:
    """Ask again on the next read (after a failure, and in tests)."""
    _health.clear()


@contextmanager
def reports_from_replica() -> Iterator[None]:
    """Reads inside this block go to the replica while it is usable."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def read_report(produce: Callable[[], T]) -> T:
    """Run a read-only report on the replica while it is usable; if the replica fails during
    it (stopped, restarted, a query cancelled by recovery), mark it unusable and run the report
    again on the primary. `produce` must not write."""
    if not replica_usable():
        return produce()
    try:
        with reports_from_replica():
            return produce()
    except DatabaseError:
        _health[REPLICA] = (time.monotonic(), False)
        connections[REPLICA].close()
        return produce()


class ReplicaRouter:
    """Django database router: report reads to the replica, everything else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if _reading_reports.get() and replica_usable():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same database: rows read from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
