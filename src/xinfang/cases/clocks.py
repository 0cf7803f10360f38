"""A case's clocks and due date under the rule set in force, and the overdue lists
(R-CLOSE-1, R-CLOSE-2). The clocks themselves are pure (deadlines/clocks.py); this module
reads what a case's clocks start from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.lifecycle import FINISHED_STATES
from xinfang.cases.models import (
    OPEN_STATES,
    Assignment,
    Case,
    CaseEvent,
    Extension,
    OverdueExplanation,
    Pause,
    State,
)
from xinfang.deadlines.calendar import get_calendar
from xinfang.deadlines.clocks import ClockSpec, ClockState, PausePeriod, compute_clock
from xinfang.deadlines.models import ClockCode, ClockRule, ClockUnit
from xinfang.deadlines.selectors import active_rules, clock_spec, stored_date_provisional_years
from xinfang.orgs.models import Department
from xinfang.routing.terms import HandlingMode

# The clocks that extensions and pauses move: the case's own handling time limit.
MAIN_CLOCKS = (ClockCode.HANDLING, ClockCode.RESULT_REPORT)


@dataclass(frozen=True)
class CaseEnd:
    """When and how a case stopped being worked on here: the day it entered a finished state
    (`lifecycle.FINISHED_STATES`) and that state (已结案, 已转其他部门, 存查, 已并案 ...)."""

    day: dt.date
    state: State


def case_end(case: Case, events: Iterable[CaseEvent] | None = None) -> CaseEnd | None:
    """The end of `case` if it is in a finished state, else None: the last move from an open
    state into a finished one (an archived case ended when it closed, was referred ...).
    `events`, the case's events in order, saves the query when the caller has them."""
    if case.state not in FINISHED_STATES:
        return None
    if events is None:
        events = (
            case.events.filter(to_state__in=FINISHED_STATES)
            .exclude(from_state__in=FINISHED_STATES)
            .order_by("-seq")[:1]
        )
    else:
        events = reversed(list(events))
    for event in events:
        if event.to_state in FINISHED_STATES and event.from_state not in FINISHED_STATES:
            return CaseEnd(timezone.localdate(event.created_at), State(event.to_state))
    # A case written without its events (imported): its closing or deciding day.
    when = case.closed_at or case.mode_decided_at
    if when is None:
        return None
    return CaseEnd(timezone.localdate(when), State(case.state))


def case_clocks(
    case: Case, today: dt.date | None = None, end: CaseEnd | None = None
) -> list[ClockState]:
    """The clocks of the rule set in force that apply to `case`, as of `today`.

    Which clock starts when (see docs/deadlines.md):
    - result_report (1987, R-CLOSE-1): cases with a required result, from the day the upper
      level sent the assignment (registration day when it came in on paper);
    - acceptance_notice (2022): every case, from receipt; stops when the handling mode is
      decided;
    - objection (2022): cases sent down to this department, from receipt; stops likewise;
    - handling (2022): self-handled cases from registration; cases sent down and handled
      here from receipt.
    A closed case's clocks stop on its closing day; a case in any finished state (closed,
    archived, referred, transferred, filed, merged, withdrawn) has no running clock: each
    still running stops on the day it ended (`case_end`, passed as `end` by a caller that
    has it). Extensions and pauses move the main clocks (handling, result_report) only.
    """
    today = today or timezone.localdate()
    rules = active_rules()
    if not rules:
        return []
    if end is None:
        end = case_end(case)
    # Only a case sent down from above has an assignment: skip the query for the rest.
    assignment = Assignment.objects.filter(child=case).first() if case.parent_id else None
    return _clocks(case, assignment, rules, today, None, end)


class _MainClockInputs:
    """What moves a case's main clocks: extension days and pauses, read for one case or,
    for a list, in one query each (`main_clocks`)."""

    def __init__(self, extension_days: int, pauses: list[PausePeriod]) -> None:
        self.extension_days = extension_days
        self.pauses = pauses


def _inputs(case: Case, given: _MainClockInputs | None) -> _MainClockInputs:
    """Read for one case only when it has a main clock."""
    if given is not None:
        return given
    days = sum(Extension.objects.filter(case=case).values_list("days", flat=True))
    pauses = [
        PausePeriod(start_on=s, end_on=e)
        for s, e in Pause.objects.filter(case=case).values_list("start_on", "end_on")
    ]
    return _MainClockInputs(days, pauses)


def _clocks(
    case: Case,
    assignment: Assignment | None,
    rules: dict[str, ClockRule],
    today: dt.date,
    inputs: _MainClockInputs | None,
    end: CaseEnd | None = None,
) -> list[ClockState]:
    registered = timezone.localdate(case.registered_at)
    received = registered
    if assignment is not None:
        received = timezone.localdate(assignment.received_at or assignment.sent_at)
    closed = timezone.localdate(case.closed_at) if case.closed_at else None
    decided = timezone.localdate(case.mode_decided_at) if case.mode_decided_at else None
    cal = get_calendar()

    starts: list[tuple[str, dt.date, dt.date | None]] = []  # (code, start, stopped_on)
    if ClockCode.RESULT_REPORT in rules and case.result_required:
        sent = timezone.localdate(assignment.sent_at) if assignment is not None else registered
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
    if end is not None:
        starts = [
            (code, start, end.day if stopped is None or stopped > end.day else stopped)
            for code, start, stopped in starts
        ]

    has_main = any(code in MAIN_CLOCKS for code, _, _ in starts)
    extension_days = 0
    pauses: list[PausePeriod] = []
    if has_main:
        moved = _inputs(case, inputs)
        extension_days, pauses = moved.extension_days, moved.pauses
    clocks = []
    for code, start, stopped_on in starts:
        main = code in MAIN_CLOCKS
        as_of = min(today, stopped_on) if stopped_on else today
        state = compute_clock(
            clock_spec(rules[code]),
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


def main_clocks(cases: list[Case], today: dt.date) -> dict[int, ClockState | None]:
    """The main clock (`case_main_clock`) of each case of a list, in three queries whatever
    its length (the assignments of the cases sent down, the extensions, the pauses) instead
    of up to three per case: the 时间过半 queue computes it for every open case."""
    rules = active_rules()
    found: dict[int, ClockState | None] = {case.pk: None for case in cases}
    if not rules or not cases:
        return found
    ids = [case.pk for case in cases]
    children = [case.pk for case in cases if case.parent_id]
    assignments = {a.child_id: a for a in Assignment.objects.filter(child_id__in=children)}
    days: dict[int, int] = {}
    # Each read in its own order, not the models' (which joins the cases to sort by them).
    extensions = Extension.objects.filter(case_id__in=ids).order_by()
    for case_id, n in extensions.values_list("case_id", "days"):
        days[case_id] = days.get(case_id, 0) + n
    pauses: dict[int, list[PausePeriod]] = {}
    rows = (
        Pause.objects.filter(case_id__in=ids)
        .order_by("case_id", "start_on", "pk")
        .values_list("case_id", "start_on", "end_on")
    )
    for case_id, start_on, end_on in rows:
        pauses.setdefault(case_id, []).append(PausePeriod(start_on=start_on, end_on=end_on))
    for case in cases:
        inputs = _MainClockInputs(days.get(case.pk, 0), pauses.get(case.pk, []))
        # The queues list open cases; a finished one among them stops where it ended.
        end = case_end(case) if case.state in FINISHED_STATES else None
        for state in _clocks(case, assignments.get(case.pk), rules, today, inputs, end):
            if state.code in MAIN_CLOCKS:
                found[case.pk] = state
                break
    return found


def _stopped(state: ClockState, stopped_on: dt.date) -> ClockState:
    return replace(state, stopped_on=stopped_on, paused=False)


def _counts_on_calendar(rules: QuerySet[ClockRule]) -> QuerySet[ClockRule]:
    """Clock rules whose last day depends on the working calendar."""
    return rules.filter(Q(unit=ClockUnit.WORKING_DAYS) | Q(roll_past_rest_day=True))


def with_due_on_calendar(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `due_counts_on_calendar`: whether the clock in force that sets Case.due_on
    (result_report for a required result where the set has one, else handling) counts on the
    working calendar. A clock in calendar months that does not roll past rest days (the 1987
    result date) gives a firm date even in a year without a calendar."""
    active = ClockRule.objects.filter(rule_set__active=True)
    has_report = Exists(active.filter(code=ClockCode.RESULT_REPORT))
    by_report = Q(result_required=True) & Q(has_report)
    report_on_calendar = Exists(_counts_on_calendar(active).filter(code=ClockCode.RESULT_REPORT))
    handling_on_calendar = Exists(_counts_on_calendar(active).filter(code=ClockCode.HANDLING))
    return cases.annotate(
        due_counts_on_calendar=ExpressionWrapper(
            (by_report & Q(report_on_calendar)) | (~by_report & Q(handling_on_calendar)),
            output_field=BooleanField(),
        )
    )


def case_due_on_provisional_years(case: Case) -> tuple[int, ...]:
    """`stored_date_provisional_years` for Case.due_on; `case` annotated by
    `with_due_on_calendar` (one query more when it is not)."""
    counts = getattr(case, "due_counts_on_calendar", None)
    if counts is None:
        annotated = with_due_on_calendar(Case.objects.filter(pk=case.pk)).first()
        counts = getattr(annotated, "due_counts_on_calendar", False)
    return stored_date_provisional_years(case.due_on, counts_on_calendar=bool(counts))


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
    return (
        overdue(
            Case.objects.filter(
                Q(department=department)
                | Q(department__jurisdiction__parent_id=department.jurisdiction_id)
            ),
            today,
        )
        .exclude(explained_since_due())
        .select_related("department")
        .order_by("due_on", "pk")
    )


def explained_since_due() -> Exists:
    """R-CLOSE-2: the case has an overdue explanation made on or after its due day (an
    explanation given before a later due date does not count for it)."""
    explained = OverdueExplanation.objects.annotate(
        created_on=TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    ).filter(case=OuterRef("pk"), created_on__gte=OuterRef("due_on"))
    return Exists(explained)


def paused_now() -> Exists:
    """The case's clock stands still: a pause with no end yet (2022 rules)."""
    return Exists(Pause.objects.filter(case=OuterRef("pk"), end_on__isnull=True))


def overdue(cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    """The one definition of overdue (R-CLOSE-2): still being worked on, past the due date,
    and not paused (a paused clock does not run)."""
    return cases.filter(due_on__lt=today, state__in=OPEN_STATES).exclude(paused_now())


# Under a rule set without an objection clock (the 1987 notice names none), a lower
# department may still object within this default: the 2022 rules' five working days.
def default_objection() -> ClockSpec:
    return ClockSpec(
        code=ClockCode.OBJECTION, name=gettext("对转送交办提出异议"), amount=5, unit="working_days"
    )


def objection_clock(assignment: Assignment) -> ClockState:
    """The window in which the receiving department may object to a case sent to it (issue
    3): the objection clock of the rule set in force, counted from receipt (or sending)."""
    rule = active_rules().get(ClockCode.OBJECTION)
    spec = clock_spec(rule) if rule is not None else default_objection()
    start = timezone.localdate(assignment.received_at or assignment.sent_at)
    return compute_clock(spec, start, 0, [], start, get_calendar())


def objection_deadline(assignment: Assignment) -> dt.date:
    """Last day on which the receiving department may object (see `objection_clock`)."""
    return objection_clock(assignment).due_on
