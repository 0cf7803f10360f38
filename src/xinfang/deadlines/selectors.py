"""Reads: the rule set in force, a case's clocks, overdue cases (R-CLOSE-1, R-CLOSE-2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from xinfang.cases.lifecycle import FINISHED_STATES
from xinfang.cases.models import Assignment, Case, HandlingMode, OverdueExplanation, State
from xinfang.deadlines.calendar import get_calendar
from xinfang.deadlines.clocks import ClockSpec, ClockState, PausePeriod, compute_clock
from xinfang.deadlines.models import ClockCode, ClockRule, Extension, Pause, RuleSet
from xinfang.orgs.models import Department

# The clocks that extensions and pauses move: the case's own handling time limit.
MAIN_CLOCKS = (ClockCode.HANDLING, ClockCode.RESULT_REPORT)


def active_rule_set() -> RuleSet | None:
    return RuleSet.objects.filter(active=True).first()


def active_rules() -> dict[str, ClockRule]:
    """The clocks of the rule set in force, by code (one query)."""
    rules = ClockRule.objects.filter(rule_set__active=True).select_related("rule_set")
    return {rule.code: rule for rule in rules}


def _spec(rule: ClockRule) -> ClockSpec:
    return ClockSpec(
        code=rule.code,
        name=rule.name,
        amount=rule.amount,
        unit=rule.unit,
        roll_past_rest_day=rule.roll_past_rest_day,
    )


def _local(value: dt.datetime) -> dt.date:
    return timezone.localdate(value)


def case_clocks(case: Case, today: dt.date | None = None) -> list[ClockState]:
    """The clocks of the rule set in force that apply to `case`, as of `today`.

    Which clock starts when (see docs/deadlines.md):
    - result_report (1987, R-CLOSE-1): cases with a required result, from the day the upper
      level sent the assignment (registration day when it came in on paper);
    - acceptance_notice (2022): every case, from receipt; stops when the handling mode is
      decided;
    - objection (2022): cases sent down to this department, from receipt; stops likewise;
    - handling (2022): self-handled cases from registration; cases sent down and handled
      here from receipt.
    A closed case's clocks stop on its closing day. Extensions and pauses move the main
    clocks (handling, result_report) only.
    """
    today = today or timezone.localdate()
    rules = active_rules()
    if not rules:
        return []
    # Only a case sent down from above has an assignment: skip the query for the rest.
    assignment = Assignment.objects.filter(child=case).first() if case.parent_id else None
    registered = _local(case.registered_at)
    received = registered
    if assignment is not None:
        received = _local(assignment.received_at or assignment.sent_at)
    closed = _local(case.closed_at) if case.closed_at else None
    decided = _local(case.mode_decided_at) if case.mode_decided_at else None
    cal = get_calendar()

    starts: list[tuple[str, dt.date, dt.date | None]] = []  # (code, start, stopped_on)
    if ClockCode.RESULT_REPORT in rules and case.result_required:
        sent = _local(assignment.sent_at) if assignment is not None else registered
        starts.append((ClockCode.RESULT_REPORT, sent, closed))
    if ClockCode.ACCEPTANCE_NOTICE in rules and case.state != State.MERGED:
        starts.append((ClockCode.ACCEPTANCE_NOTICE, received, decided or closed))
    if ClockCode.OBJECTION in rules and assignment is not None:
        starts.append((ClockCode.OBJECTION, received, decided or closed))
    handled_here = case.handling_mode == HandlingMode.SELF or (
        assignment is not None and case.handling_mode == ""
    )
    if ClockCode.HANDLING in rules and handled_here:
        starts.append((ClockCode.HANDLING, received, closed))
    if not starts:
        return []

    has_main = any(code in MAIN_CLOCKS for code, _, _ in starts)
    extension_days = 0
    pauses: list[PausePeriod] = []
    if has_main:
        extension_days = sum(Extension.objects.filter(case=case).values_list("days", flat=True))
        pauses = [
            PausePeriod(start_on=s, end_on=e)
            for s, e in Pause.objects.filter(case=case).values_list("start_on", "end_on")
        ]
    clocks = []
    for code, start, stopped_on in starts:
        main = code in MAIN_CLOCKS
        as_of = min(today, stopped_on) if stopped_on else today
        state = compute_clock(
            _spec(rules[code]),
            start,
            extension_days if main else 0,
            pauses if main else [],
            as_of,
            cal,
        )
        if stopped_on and stopped_on <= today:
            state = _stopped(state, stopped_on)
        clocks.append(state)
    return clocks


def _stopped(state: ClockState, stopped_on: dt.date) -> ClockState:
    return replace(state, stopped_on=stopped_on, paused=False)


def stored_date_provisional_years(day: dt.date | None) -> tuple[int, ...]:
    """For a stored due date (Case.due_on, Assignment.due_on, Review.due_on) shown without
    its clock, as in lists: the unknown year it falls in, if any. Every clock asks the
    calendar about its last day (it rolls past rest days or counts working days), so a date
    in a year without known holidays is provisional (暂定)."""
    if day is None:
        return ()
    return get_calendar().unknown_years(day, day)


def case_main_clock(case: Case, today: dt.date | None = None) -> ClockState | None:
    """The clock that sets the case's due date (Case.due_on): handling or result_report."""
    for state in case_clocks(case, today):
        if state.code in MAIN_CLOCKS:
            return state
    return None


def case_due_on(case: Case, today: dt.date | None = None) -> dt.date | None:
    """The derived due date to store in Case.due_on (indexed, polled), or None."""
    state = case_main_clock(case, today)
    return state.due_on if state else None


def overdue_cases_without_explanation(department: Department, today: dt.date) -> QuerySet[Case]:
    """R-CLOSE-2: overdue cases with no explanation given since they fell due.

    Covers the department's own cases and those of departments in the jurisdictions
    directly below it, so the upper level sees them too. An explanation counts when it was
    made on or after the due day; a paused case is not overdue.
    """
    explained = OverdueExplanation.objects.annotate(
        created_on=TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    ).filter(case=OuterRef("pk"), created_on__gte=OuterRef("due_on"))
    return (
        overdue(
            Case.objects.filter(
                Q(department=department)
                | Q(department__jurisdiction__parent_id=department.jurisdiction_id)
            ),
            today,
        )
        .exclude(Exists(explained))
        .select_related("department")
        .order_by("due_on", "pk")
    )


def overdue(cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    """The one definition of overdue (R-CLOSE-2): still being worked on, past the due date,
    and not paused (a paused clock does not run)."""
    paused = Pause.objects.filter(case=OuterRef("pk"), end_on__isnull=True)
    return cases.filter(due_on__lt=today).exclude(state__in=FINISHED_STATES).exclude(Exists(paused))


# Under a rule set without an objection clock (the 1987 notice names none), a lower
# department may still object within this default: the 2022 rules' five working days.
DEFAULT_OBJECTION = ClockSpec(
    code=ClockCode.OBJECTION, name="对转送交办提出异议", amount=5, unit="working_days"
)


def objection_clock(assignment: Assignment) -> ClockState:
    """The window in which the receiving department may object to a case sent to it (issue
    3): the objection clock of the rule set in force, counted from receipt (or sending)."""
    rule = active_rules().get(ClockCode.OBJECTION)
    spec = _spec(rule) if rule is not None else DEFAULT_OBJECTION
    start = _local(assignment.received_at or assignment.sent_at)
    return compute_clock(spec, start, 0, [], start, get_calendar())


def objection_deadline(assignment: Assignment) -> dt.date:
    """Last day on which the receiving department may object (see `objection_clock`)."""
    return objection_clock(assignment).due_on


def clock_due_on(code: str, start: dt.date) -> dt.date | None:
    """Due date of one clock of the rule set in force started on `start`; None when the set
    has no such clock (the 1987 notice has no review chain)."""
    rule = active_rules().get(code)
    if rule is None:
        return None
    return compute_clock(_spec(rule), start, 0, [], start, get_calendar()).due_on
