"""Fixtures for the deadlines tests: a calendar cache that never leaks between tests, and
cases built directly as rows so each test sets exactly the dates it needs."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tests.orgtree import Tree
from xinfang.cases.models import Assignment, Case
from xinfang.deadlines.calendar import invalidate_calendar
from xinfang.deadlines.models import RuleSet
from xinfang.orgs.models import Department, User
from xinfang.routing.terms import HandlingMode

CJK = re.compile(r"[\u4e00-\u9fff]")
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    # Each test's transaction is rolled back, so a cached year must not outlive it.
    invalidate_calendar()
    yield
    invalidate_calendar()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware datetime on `day` in the project's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_case(
    department: Department,
    *,
    registered_on: dt.date,
    mode: str = HandlingMode.SELF,
    state: str = "handling",
    due_on: dt.date | None = None,
    result_required: bool = False,
    **extra: Any,
) -> Case:
    return Case.objects.create(
        number=f"T-{next(_numbers)}",
        department=department,
        title="测试事项",
        category="misconduct",
        nature="accusation",
        state=state,
        handling_mode=mode,
        mode_decided_at=at(registered_on, 11) if mode else None,
        registered_at=at(registered_on),
        due_on=due_on,
        result_required=result_required,
        **extra,
    )


def make_assigned(
    tree: Tree,
    *,
    sent_on: dt.date,
    received_on: dt.date | None = None,
    result_required: bool = True,
    child_mode: str = "",
) -> Case:
    """A case the city sent down to the county (交办), and the county's child case."""
    parent = make_case(
        tree.city_org, registered_on=sent_on, mode=HandlingMode.ASSIGN, state="transferred"
    )
    child = make_case(
        tree.county_org,
        registered_on=received_on or sent_on,
        mode=child_mode,
        state="registered",
        result_required=result_required,
        root=parent,
        parent=parent,
    )
    Assignment.objects.create(
        case=parent,
        child=child,
        mode=HandlingMode.ASSIGN,
        from_department=tree.city_org,
        to_department=tree.county_org,
        sent_at=at(sent_on),
        received_at=at(received_on) if received_on else None,
    )
    return child


def use_rule_set(code: str) -> None:
    """Switch the rule set in force without the service (fixtures only)."""
    RuleSet.objects.update(active=False)
    RuleSet.objects.filter(code=code).update(active=True)


@pytest.fixture
def administrator(tree: Tree) -> User:
    return tree.staff(tree.county_org, "administrator", name="admin")
