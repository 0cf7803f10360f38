"""Reads: the rule set in force and its clocks, one clock's due date, whether a stored date is
provisional (R-CLOSE-1, R-CLOSE-2). A case's clocks and the overdue lists: cases/clocks.py."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinfang.deadlines.calendar import get_calendar
from xinfang.deadlines.clocks import ClockSpec, compute_clock
from xinfang.deadlines.models import ClockRule, RuleSet


def active_rule_set() -> RuleSet | None:
    return RuleSet.objects.filter(active=True).first()


def active_rules() -> dict[str, ClockRule]:
    """The clocks of the rule set in force, by code (one query)."""
    rules = ClockRule.objects.filter(rule_set__active=True).select_related("rule_set")
    return {rule.code: rule for rule in rules}


def clock_spec(rule: ClockRule) -> ClockSpec:
    return ClockSpec(
        code=rule.code,
        name=rule.name,
        amount=rule.amount,
        unit=rule.unit,
        roll_past_rest_day=rule.roll_past_rest_day,
    )


def _local(value: dt.datetime) -> dt.date:
    return timezone.localdate(value)


def stored_date_provisional_years(
    day: dt.date | None, *, counts_on_calendar: bool = True
) -> tuple[int, ...]:
    """For a stored due date (Case.due_on, Assignment.due_on, Review.due_on) shown without
    its clock, as in lists: the unknown year it falls in, if any, when the clock that set it
    counts on the calendar (working days, or rolling past rest days)."""
    if day is None or not counts_on_calendar:
        return ()
    return get_calendar().unknown_years(day, day)


def clock_due_on(code: str, start: dt.date) -> dt.date | None:
    """Due date of one clock of the rule set in force started on `start`; None when the set
    has no such clock (the 1987 notice has no review chain)."""
    rule = active_rules().get(code)
    if rule is None:
        return None
    return compute_clock(clock_spec(rule), start, 0, [], start, get_calendar()).due_on
