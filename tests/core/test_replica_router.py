"""The replica router without a replica (core/replica.py): everything reads and writes the
primary. The standby itself is exercised by tests/scale/test_replica.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from xinfang.core import replica
from xinfang.core.replica import (
    ReplicaRouter,
    read_report,
    replica_configured,
    replica_usable,
    reports_from_replica,
)


def test_without_a_replica_reports_read_the_primary() -> None:
    assert not replica_configured()
    assert not replica_usable()
    router = ReplicaRouter()
    with reports_from_replica():
        assert router.db_for_read(Group) == "default"
    assert read_report(lambda: 42) == 42


def test_writes_and_migrations_only_ever_go_to_the_primary() -> None:
    router = ReplicaRouter()
    with reports_from_replica():
        assert router.db_for_write(Group) == "default"
    assert router.allow_migrate("default", "cases") is True
    assert router.allow_migrate("replica", "cases") is False


def test_a_report_block_ends_with_its_block() -> None:
    router = ReplicaRouter()
    with reports_from_replica():
        pass
    assert router.db_for_read(Group) == "default"


@pytest.fixture
def standby(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A configured standby whose lag the test sets; counts how often it is asked."""
    lags: list[float] = []
    asked: list[float] = []

    def lag() -> float:
        asked.append(lags[-1])
        return lags[-1]

    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica, "_lag_seconds", lag)
    replica.forget_replica_health()
    yield lags  # type: ignore[misc]
    replica.forget_replica_health()


@pytest.mark.parametrize(
    ("lag", "usable"),
    [(0.0, True), (29.99, True), (30.0, True), (30.01, False), (float("inf"), False)],
)
def test_the_standby_is_read_up_to_the_allowed_lag(
    standby: list[float], lag: float, usable: bool, settings: object
) -> None:
    settings.XINFANG_REPLICA_MAX_LAG = 30.0  # type: ignore[attr-defined]
    standby.append(lag)
    assert replica.replica_usable(now=100.0) is usable
    with reports_from_replica():
        assert ReplicaRouter().db_for_read(Group) == ("replica" if usable else "default")


def test_the_answer_is_kept_for_the_check_interval(standby: list[float], settings: object) -> None:
    settings.XINFANG_REPLICA_MAX_LAG = 30.0  # type: ignore[attr-defined]
    settings.XINFANG_REPLICA_CHECK_SECONDS = 5.0  # type: ignore[attr-defined]
    standby.append(0.0)
    assert replica.replica_usable(now=100.0) is True
    standby.append(60.0)  # it falls behind, but the answer is kept ...
    assert replica.replica_usable(now=104.99) is True
    assert replica.replica_usable(now=105.0) is False  # ... until the interval has passed
