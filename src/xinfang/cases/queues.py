"""Work queues: the lists of cases the handlers' pages show each user (issue 7).

Each queue is a function of the user (and, for the clocks, of today) returning a QuerySet of
cases drawn from `cases_visible_to(user)`, never from another visibility rule. Queues of
work still to do touch only open cases (not in `FINISHED_STATES`). `QUEUES` lists them in
page order with their Chinese titles and the roles that see each; `queues_for(user)` gives a
user's queues. docs/architecture.md ("Work queues") says why each role sees what it sees.

The clock queues (due within 7 days, half the time used, overdue) read the main clock's due
date (`Case.due_on`, R-CLOSE-1, R-CLOSE-2) of the cases being worked on: a case assigned down
(交办) waits for its child case, which carries the same due date and the overdue
explanation, so the parent is left out and the child (which the sender sees, R-SUPER-2)
stands for the matter. A paused clock does not run: paused cases are in no clock queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.cases.access import cases_sent_down_by, cases_visible_to, seen_whole, visible_parts
from xinfang.cases.clocks import explained_since_due, main_clocks, overdue, paused_now
from xinfang.cases.lifecycle import FINISHED_STATES, FROZEN_STATES
from xinfang.cases.models import OPEN_STATES, Assignment, Case, Objection, ObjectionStatus, State
from xinfang.deadlines.clocks import DUE_SOON_DAYS
from xinfang.orgs.models import Role, User
from xinfang.routing.terms import HandlingMode


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _open(user: User) -> QuerySet[Case]:
    return cases_visible_to(user).filter(state__in=OPEN_STATES)


def _own(user: User) -> QuerySet[Case]:
    """Cases the user's own department is responsible for, among those it sees: the first
    part of the visible cases (`seen_whole`: the departments seen whole, always with the
    user's own) narrowed to his department. Not the whole `cases_visible_to(user)` narrowed:
    the department's condition ORed with the cases seen one by one (sent down, followed,
    reviewed) is no longer a range for PostgreSQL's planner, which then read every case of
    the department of all years to find the few reports awaiting acceptance (116 ms at
    1,000,000 cases; docs/benchmarks.md, "The department's own queues")."""
    if user.department_id is None:
        return Case.objects.none()
    return seen_whole(user).filter(department_id=user.department_id)


def _own_q(user: User) -> Q:
    """Among the cases the user sees, those of his own department (`_own`)."""
    return Q(department_id=user.department_id)


def _clock_q() -> Q:
    """Among open cases, those with a running main clock, without the parents of
    assignments (module docstring) and without paused cases."""
    return Q(due_on__isnull=False) & ~Q(handling_mode=HandlingMode.ASSIGN) & Q(~paused_now())


def _on_the_clock(user: User) -> QuerySet[Case]:
    """Open cases with a running main clock (`_clock_q`)."""
    return _open(user).filter(_clock_q())


def _due_soon_q(day: dt.date) -> Q:
    return Q(due_on__gte=day, due_on__lte=day + dt.timedelta(days=DUE_SOON_DAYS))


# --- The queues -------------------------------------------------------------------------


def to_read(user: User) -> QuerySet[Case]:
    """待阅批: the department's registered cases, waiting for a leader to read and instruct
    (R-COUNTY-3)."""
    return _own(user).filter(state=State.REGISTERED).order_by("registered_at", "pk")


def to_route(user: User) -> QuerySet[Case]:
    """待分办 (R-ROUTE-7): the department's cases read and instructed (阅批) whose handling
    mode is not yet decided, waiting for the leader who decides where they go (自办, 转办,
    交办, 转其他部门, 存查). A case whose assignment was taken back after an objection comes
    back here too: it is read again with no mode (R-ROUTE-1)."""
    return _own(user).filter(state=State.READ, handling_mode="").order_by("registered_at", "pk")


def objections_awaiting_decision(user: User) -> QuerySet[Case]:
    """异议待决定 (R-ROUTE-1): the department's cases sent down whose receiving department
    objected that it was sent to it wrongly, the objection not yet decided. The cases listed
    are the department's own (the sender decides: `objection_accept`/`objection_reject`).
    Found from the pending objections (few), not by asking each of the department's cases
    of all years whether it has one."""
    pending = Objection.objects.filter(status=ObjectionStatus.PENDING).values("assignment_id")
    objected = Assignment.objects.filter(pk__in=pending).values("case_id")
    return _own(user).filter(pk__in=objected).order_by("registered_at", "pk")


def my_cases(user: User) -> QuerySet[Case]:
    """我承办的: open cases naming the user as handler (承办人)."""
    return _open(user).filter(handler=user).order_by("due_on", "registered_at", "pk")


def due_within_7_days(user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """7日内到期 (R-CLOSE-2): due today or in the next seven days; today is the first day
    and today + 7 the last."""
    return _on_the_clock(user).filter(_due_soon_q(_today(today))).order_by("due_on", "pk")


def half_time_used(user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """时间过半 (R-CLOSE-2): the main clock has used at least half its time and is not yet
    overdue (so it includes cases also due within 7 days). Computed with the clock itself
    (`cases.clocks.main_clocks`: working days, extensions and pauses) over the open cases
    not yet past their due date, read together: a fixed number of queries, however many."""
    day = _today(today)
    ids = _half_time_used_ids(user, day)
    return _on_the_clock(user).filter(due_on__gte=day, pk__in=ids).order_by("due_on", "pk")


def _half_time_used_ids(user: User, day: dt.date) -> list[int]:
    """The ids of `half_time_used`: its candidates read from each part of the visible cases
    (`visible_parts`, each a range of an index), unordered: ordered by Case's default
    (newest first), SQLite with statistics walked the whole table in registration order to
    skip the sort (docs/benchmarks.md, "The workbench counts and SQLite's statistics")."""
    condition = Q(state__in=OPEN_STATES) & _clock_q() & Q(due_on__gte=day)
    candidates = [
        case for part in visible_parts(user) for case in part.filter(condition).order_by()
    ]
    clocks = main_clocks(candidates, day)
    return [
        pk
        for pk, clock in clocks.items()
        if clock is not None and clock.used_fraction >= 0.5 and clock.due_on >= day
    ]


def overdue_without_explanation(user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """逾期未说明 (R-CLOSE-2): past the due date, with no explanation since it fell due."""
    return (
        overdue(_on_the_clock(user), _today(today))
        .exclude(explained_since_due())
        .order_by("due_on", "pk")
    )


def overdue_with_explanation(user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """逾期已说明 (R-CLOSE-2): past the due date, explained (reason, new expected date)."""
    return (
        overdue(_on_the_clock(user), _today(today))
        .filter(explained_since_due())
        .order_by("due_on", "pk")
    )


def closures_awaiting_approval(user: User) -> QuerySet[Case]:
    """待审批结案: the department's cases whose closure a handler submitted (state closing)."""
    return _own(user).filter(state=State.CLOSING).order_by("registered_at", "pk")


def reports_awaiting_acceptance(user: User) -> QuerySet[Case]:
    """下级报结待审核 (R-CLOSE-6): the department's cases assigned down whose child has
    reported its closure, not yet accepted, and not returned since it reported. The cases
    listed are the department's own (the ones `report_accept` closes)."""
    # From the assignments the department sent (their index), not by asking each of its
    # cases of all years: an assignment is from the department of the case it sends down
    # (cases/access.py, `cases_visible_to`).
    pending = (
        Assignment.objects.filter(
            from_department_id=user.department_id,
            mode=HandlingMode.ASSIGN,
            reported_at__isnull=False,
            accepted_at__isnull=True,
        )
        .filter(Q(returned_at__isnull=True) | Q(returned_at__lt=F("reported_at")))
        .values("case_id")
    )
    return _own(user).filter(pk__in=pending).order_by("registered_at", "pk")


def sent_down(user: User) -> QuerySet[Case]:
    """交转办跟踪 (R-SUPER-2): the cases the department sent down (the lower departments'
    child cases, each with its state), while the matter is open: the child still being
    worked on, or finished while the department's own case is not (a report awaiting
    acceptance). Withdrawn and merged children are left out.

    The children of the department's cases are the cases whose column `sent_down_by` names
    it (`cases_sent_down_by`, one reason of the visibility, set by `_send_down` from the
    assignment), not its cases of all years. Read as two ranges of `case_sent_down_state`
    by the states named (issue 10): the open children, and the finished ones not frozen
    (`_FINISHED_LIVE`) whose parent is not finished; the department's archived children of
    all years are not read to be left out. Two ids lists, not one condition: the child's
    state ORed with its parent's made PostgreSQL plan the count for 4-19 ms (the rows: 0.1
    ms; docs/benchmarks.md, "The department's own queues")."""
    sent = cases_sent_down_by(user)
    working = sent.filter(state__in=OPEN_STATES).order_by().values("pk")
    waiting = (
        sent.filter(state__in=_FINISHED_LIVE)
        .exclude(parent__state__in=_FINISHED)
        .order_by()
        .values("pk")
    )
    return Case.objects.filter(pk__in=working.union(waiting, all=True)).order_by(
        "due_on", "registered_at", "pk"
    )


# The finished states (lifecycle.FINISHED_STATES), and those of them not frozen (closed,
# filed, referred, transferred: not archived, merged or withdrawn), in a fixed order: the
# sent-down queue names them, a range each of `case_sent_down_state` (a frozenset's order
# changes from one process to the next, and the statement with it).
_FINISHED: tuple[str, ...] = tuple(sorted(s.value for s in FINISHED_STATES))
_FINISHED_LIVE: tuple[str, ...] = tuple(
    sorted(s.value for s in FINISHED_STATES if s not in FROZEN_STATES)
)


# --- Who sees which queue ---------------------------------------------------------------

QueueFunction = Callable[[User, dt.date], QuerySet[Case]]


@dataclass(frozen=True)
class Queue:
    key: str
    title: StrOrPromise  # shown on the page
    cases: QueueFunction
    roles: frozenset[str]


R, H, L, S = Role.REGISTRAR, Role.HANDLER, Role.LEADER, Role.SUPERVISOR

# In page order. Roles as in docs/architecture.md ("Work queues").
QUEUES: tuple[Queue, ...] = (
    Queue("to_read", _("待阅批"), lambda u, d: to_read(u), frozenset({R, L})),
    Queue("to_route", _("待分办"), lambda u, d: to_route(u), frozenset({L})),
    Queue(
        "objections_awaiting_decision",
        _("异议待决定"),
        lambda u, d: objections_awaiting_decision(u),
        frozenset({L}),
    ),
    Queue("my_cases", _("我承办的案件"), lambda u, d: my_cases(u), frozenset({H})),
    Queue(
        "closures_awaiting_approval",
        _("待审批结案"),
        lambda u, d: closures_awaiting_approval(u),
        frozenset({L}),
    ),
    Queue(
        "reports_awaiting_acceptance",
        _("下级报结待审核"),
        lambda u, d: reports_awaiting_acceptance(u),
        frozenset({L}),
    ),
    Queue("due_within_7_days", _("7日内到期"), due_within_7_days, frozenset({R, H, L, S})),
    Queue("half_time_used", _("时间过半"), half_time_used, frozenset({H, L, S})),
    Queue(
        "overdue_without_explanation",
        _("逾期未说明"),
        overdue_without_explanation,
        frozenset({R, H, L, S}),
    ),
    Queue(
        "overdue_with_explanation", _("逾期已说明"), overdue_with_explanation, frozenset({H, L, S})
    ),
    Queue("sent_down", _("交转办跟踪"), lambda u, d: sent_down(u), frozenset({R, L})),
)


def queues_for(user: User) -> list[Queue]:
    """The queues of the user's roles, in page order (a user with several roles sees each
    queue once). An administrator does no case work and has none."""
    return [q for q in QUEUES if any(user.has_role(role) for role in q.roles)]


# --- The workbench's counts -------------------------------------------------------------

# The queues that are conditions on the user's open visible cases (`_open`), each written as
# that condition: counted together by `queue_counts` in one statement, which reads the
# visible open cases once instead of once per queue (issue 10). Each must hold exactly the
# cases of its queue function above (tests/cases/test_queue_counts.py compares them).
_IN_OPEN: dict[str, Callable[[User, dt.date], Q]] = {
    "to_read": lambda u, d: _own_q(u) & Q(state=State.REGISTERED),
    "to_route": lambda u, d: _own_q(u) & Q(state=State.READ, handling_mode=""),
    "my_cases": lambda u, d: Q(handler_id=u.pk),
    "closures_awaiting_approval": lambda u, d: _own_q(u) & Q(state=State.CLOSING),
    "due_within_7_days": lambda u, d: _clock_q() & _due_soon_q(d),
    "overdue_without_explanation": lambda u, d: overdue_q(d, explained=False),
    "overdue_with_explanation": lambda u, d: overdue_q(d, explained=True),
}


def overdue_q(day: dt.date, explained: bool | None = None) -> Q:
    """Among open cases, those of the overdue queues (R-CLOSE-2) as a condition: on the
    clock and past the due date; explained since, or not, or either (None)."""
    condition = _clock_q() & Q(due_on__lt=day)
    if explained is None:
        return condition
    return condition & Q(explained_since_due() if explained else ~explained_since_due())


def queue_counts(user: User, today: dt.date | None = None) -> dict[str, int]:
    """The number of cases in each of the user's queues, in page order, as
    `queue.cases(user, today).count()` gives it, in fewer statements (issue 10): the queues
    of `_IN_OPEN` are one `COUNT(*) FILTER (WHERE …)` each over the user's open visible
    cases, read once per part of the visible cases (`visible_parts`: the department's open
    cases, a range of its index; the few others) and added; half the time used is the
    number of its ids (computed with the clock); the objections and reports awaiting a
    decision and the cases sent down, not limited to open cases, by their own statements."""
    day = _today(today)
    queues = queues_for(user)
    together = {q.key: _IN_OPEN[q.key](user, day) for q in queues if q.key in _IN_OPEN}
    counted = dict.fromkeys(together, 0)
    if together:
        aggregates = {key: Count("pk", filter=cond) for key, cond in together.items()}
        for part in visible_parts(user):
            row = part.filter(state__in=OPEN_STATES).order_by().aggregate(**aggregates)
            for key, n in row.items():
                counted[key] += n
    counts: dict[str, int] = {}
    for q in queues:
        if q.key in together:
            counts[q.key] = counted[q.key]
        elif q.key == "half_time_used":
            counts[q.key] = len(_half_time_used_ids(user, day))
        else:
            counts[q.key] = q.cases(user, day).count()
    return counts
