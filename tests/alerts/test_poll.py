"""The poll (R-REPEAT-5): idempotent, safe twice at once, a flood going on is not warned of
again; the warning's own timeline; the warnings open on a date."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from tests.alerts.helpers import petitions
from tests.builders import at
from tests.orgtree import Tree, build_tree
from xinfang.alerts import services
from xinfang.alerts.models import EarlyWarning, StepKind, WarningState, WarningStep
from xinfang.alerts.selectors import open_on
from xinfang.core.errors import RuleViolation

MONDAY = dt.date(2026, 3, 2)
# Five people on one matter in one category: a matter and a category warning.
RAISED = [("matter", 5), ("category", 5)]


def _rows() -> list[tuple[str, int]]:
    return sorted(
        EarlyWarning.objects.values_list("kind", "petitioners"), key=lambda r: r[0], reverse=True
    )


def test_r_repeat_5_poll_twice_writes_once(tree: Tree) -> None:
    petitions(tree, MONDAY, 5)
    first = services.poll(MONDAY)
    second = services.poll(MONDAY)
    assert (first.found, first.created, second.created) == (2, 2, 0)
    assert _rows() == RAISED


def test_r_repeat_5_a_flood_going_on_is_not_warned_of_again(tree: Tree) -> None:
    petitions(tree, MONDAY, 5)
    services.poll(MONDAY)
    # The next day's window still holds the same petitions: the same warnings go on.
    result = services.poll(MONDAY + dt.timedelta(days=1))
    assert (result.found, result.created, result.continuing) == (2, 0, 2)
    assert EarlyWarning.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections at once: SQLite serializes whole write transactions",
)
@pytest.mark.django_db(transaction=True)
def test_r_repeat_5_two_polls_at_once_write_each_warning_once() -> None:
    tree = build_tree()
    petitions(tree, MONDAY, 5)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            start.wait()
            services.poll(MONDAY)
            outcomes.append("done")
        except Exception as exc:  # an integrity error would mean the constraint did not hold
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["done", "done"]
    assert _rows() == RAISED


def _warning(tree: Tree) -> EarlyWarning:
    petitions(tree, MONDAY, 5)
    services.poll(MONDAY)
    return EarlyWarning.objects.get(kind="category")


def test_r_repeat_5_acknowledged_assigned_acted_on_closed(tree: Tree) -> None:
    w = _warning(tree)
    handler = tree.staff(tree.city_org, "handler")
    with at(2026, 3, 3):
        services.warning_step(w, kind=StepKind.ACKNOWLEDGE, actor=tree.city_staff)
        services.warning_step(
            w, kind=StepKind.ASSIGN, actor=tree.city_staff, assignee=handler, note="请了解情况"
        )
    with at(2026, 3, 4):
        services.warning_step(w, kind=StepKind.ACT, actor=handler, note="已与住建部门联系")
    with at(2026, 3, 5):
        services.warning_step(w, kind=StepKind.CLOSE, actor=tree.city_staff, note="已化解")
    w.refresh_from_db()
    assert (w.state, w.assignee, w.closed_on) == (
        WarningState.CLOSED,
        handler,
        dt.date(2026, 3, 5),
    )
    assert list(WarningStep.objects.filter(warning=w).values_list("kind", "actor__username")) == [
        ("acknowledge", tree.city_staff.username),
        ("assign", tree.city_staff.username),
        ("act", handler.username),
        ("close", tree.city_staff.username),
    ]
    # Open on the day it was closed? No: closed on 03-05 means open through 03-04.
    assert [x.pk for x in open_on(dt.date(2026, 3, 4)) if x.pk == w.pk] == [w.pk]
    assert [x.pk for x in open_on(dt.date(2026, 3, 5)) if x.pk == w.pk] == []


def test_open_on_starts_on_the_windows_last_day(tree: Tree) -> None:
    w = _warning(tree)
    assert w.pk not in [x.pk for x in open_on(MONDAY - dt.timedelta(days=1))]
    assert w.pk in [x.pk for x in open_on(MONDAY)]


def test_steps_refused_with_a_reason(tree: Tree) -> None:
    w = _warning(tree)
    handler = tree.staff(tree.city_org, "handler")
    with pytest.raises(RuleViolation, match="您不能进行“处置”"):
        services.warning_step(w, kind=StepKind.ACT, actor=tree.city_staff, note="x")
    with pytest.raises(RuleViolation, match="请选择本部门的承办人"):
        services.warning_step(
            w, kind=StepKind.ASSIGN, actor=tree.city_staff, assignee=tree.county_staff
        )
    with pytest.raises(RuleViolation, match="您不能进行“确认”"):
        services.warning_step(w, kind=StepKind.ACKNOWLEDGE, actor=handler)
    with pytest.raises(RuleViolation, match="请写明处置情况"):
        services.warning_step(w, kind=StepKind.CLOSE, actor=tree.city_staff, note=" ")
    assert WarningStep.objects.count() == 0
