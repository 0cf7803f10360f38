"""Two people acting on the same case at once: the row lock makes the second one wait and
then see the first one's result, so exactly one transition happens (design.md: every
transition locks the row)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from tests.builders import register, to_read
from tests.orgtree import build_tree
from xinfang.cases import actions as cs
from xinfang.cases import routing as case_routing
from xinfang.cases.actions import reading
from xinfang.cases.models import Case, CaseEvent
from xinfang.core.errors import RuleViolation

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are PostgreSQL's; SQLite serializes whole write transactions",
)


@pytest.mark.django_db(transaction=True)
def test_second_decision_waits_and_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = build_tree()
    case = to_read(register(tree.county_staff), tree.county_staff)
    slow = case_routing.facts_for_case

    def facts_slowly(c: Case) -> Any:
        time.sleep(0.3)  # hold the lock long enough for the other thread to arrive
        return slow(c)

    monkeypatch.setattr("xinfang.cases.actions.routing.facts_for_case", facts_slowly)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def decide() -> None:
        try:
            start.wait()
            cs.case_handle_here(actor=tree.county_staff, handler=tree.county_staff, case=case)
            outcomes.append("done")
        except RuleViolation:
            outcomes.append("refused")
        except Exception as exc:  # an integrity error would mean the lock did not hold
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["done", "refused"]
    assert CaseEvent.objects.filter(case=case, kind="handle_here").count() == 1


@pytest.mark.django_db(transaction=True)
def test_second_reading_waits_and_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same through the raw row lock most services use (lock_case without department)."""
    tree = build_tree()
    case = register(tree.county_staff)
    slow = reading._instruction

    def instruction_slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return slow(*args, **kwargs)

    monkeypatch.setattr(reading, "_instruction", instruction_slowly)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def read() -> None:
        try:
            start.wait()
            cs.case_read(actor=tree.county_staff, case=case, text="阅")
            outcomes.append("done")
        except RuleViolation:
            outcomes.append("refused")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["done", "refused"]
    assert CaseEvent.objects.filter(case=case, kind="read").count() == 1
