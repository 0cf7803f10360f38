"""Who may see which case (design.md, Security). Nothing else queries cases for a user.

- A department sees its own cases and the cases it sent down (children of its cases).
- The organization department one level up sees the important matters it follows (R-ROUTE-4).
- A supervisor sees the cases of departments of the same kind in jurisdictions below its own
  (R-SUPER-1, R-SUPER-2).
- Missing and forbidden both answer 404, so the answer does not reveal that a case exists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import ExpressionWrapper, Q, QuerySet
from django.db.models.expressions import CombinedExpression
from django.http import Http404
from django.utils.translation import gettext

from xinfang.cases.models import Case, Review, ReviewKind, ReviewStage, State
from xinfang.cases.routing import reviewing_department
from xinfang.core.unindexed import unindexed
from xinfang.orgs.models import Department, Role, User


def _departments_seen(user: User, dept: Department) -> Q:
    """The departments whose own cases the user sees whole: his own and, for a supervisor
    (R-SUPER-1, R-SUPER-2), those of his kind in the jurisdictions below (a small table),
    as a condition on cases.department_id. Written as the department's id, or a list of ids
    read first, never as a subquery: a subquery ORed with the other reasons is not a range
    of an index to either planner, and the list is (issue 10: the counts then read the
    partial index of open cases, `case_open_dept_due`, one department's range each)."""
    return _departments_q(_department_ids_seen(user, dept))


def _departments_q(ids: list[int]) -> Q:
    """cases.department_id among `ids`: the plain id for one department."""
    return Q(department_id=ids[0]) if len(ids) == 1 else Q(department_id__in=ids)


def department_unindexed() -> ExpressionWrapper[CombinedExpression]:
    """cases.department_id as `department_id + 0`, which no index serves: for a statement
    that must be driven by another index (the candidates' hits, the search's walk in
    registration order) while testing the department per row."""
    return unindexed("department_id")


def _department_ids_seen(user: User, dept: Department) -> list[int]:
    """The ids of `_departments_seen`, read first (a supervisor's: a small table)."""
    if not user.has_role(Role.SUPERVISOR):
        return [dept.pk]
    below = Q(kind=dept.kind, jurisdiction__path__startswith=dept.jurisdiction.path) & ~Q(
        jurisdiction_id=dept.jurisdiction_id
    )
    ids = Department.objects.filter(Q(pk=dept.pk) | below).order_by("pk")
    return list(ids.values_list("pk", flat=True))


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases `user` may see, in one statement that reads only indexes (issue 10). The
    rule as first written, an OR of the reasons across a join to a second copy of the
    cases table, made every statement scan the whole table. Here each reason is a range of
    one index:

    - the cases of the departments seen whole (`_departments_seen`: cases.department_id);
    - the cases the department sent down (R-SUPER-2): the children of its cases, by the
      column `_send_down` sets on each child it creates, the assignment's from_department
      (cases.sent_down_by_id, never changed afterwards);
    - the important matters it follows one level up (R-ROUTE-4, cases.follow_department_id);
    - the cases it reviews (复查/复核: cases_review.department_id).

    The last three, few, are one UNION ALL of ids; the first, which can be most cases of
    the province for a supervisor, stays a condition on the department's index, so a queue
    or a count narrows it further (the partial index on open cases) instead of listing it."""
    parts = _reasons(user)
    if parts is None:
        return Case.objects.none()
    return Case.objects.filter(parts[0] | parts[1])


def visible_among(user: User, among: Q, *, own_department_only: bool = False) -> QuerySet[Case]:
    """`cases_visible_to(user)` among a few cases named by `among` (a condition on indexed
    keys: ids, family roots), for look-ups that start from what they found (the registration
    form's candidates, issue 11); `own_department_only`: of those, the cases of the user's
    own department. The same reasons as `cases_visible_to`, but the departments' part is
    written on `department_id + 0`, which no index serves, so that every planner starts from
    `among`: with the department's index usable, SQLite without statistics read the whole
    range of the department (50,875 cases of the busiest county at a million) for a few
    hundred candidates (docs/benchmarks.md, "Results at 1,000,000 cases")."""
    dept = user.department if user.is_authenticated else None
    if dept is None:
        return Case.objects.none()
    found = Case.objects.filter(among).alias(department_plain=department_unindexed())
    if own_department_only:
        return found.filter(department_plain=dept.pk)
    seen = _department_ids_seen(user, dept)
    return found.filter(Q(department_plain__in=seen) | Q(pk__in=_others(dept)))


def cases_sent_down_by(user: User) -> QuerySet[Case]:
    """The cases the user's department sent down (R-SUPER-2), one of the reasons of
    `cases_visible_to` on its own: every one is visible to the user. Read from the column
    the sending sets on the child (`Case.sent_down_by`, its assignment's from_department),
    by `case_sent_down_state`: the cases it sent in a few states are a few ranges of that
    index, where the assignments gave every child of all years, each looked up by id
    (10,286 for the busiest county at 1,000,000 cases, to keep 216 open ones;
    docs/benchmarks.md, "The department's own queues"). Only the cases whose own
    assignment came from the department: not those its children sent further down."""
    dept_id = user.department_id if user.is_authenticated else None
    if dept_id is None:
        return Case.objects.none()
    return Case.objects.filter(sent_down_by_id=dept_id)


def seen_whole(user: User) -> QuerySet[Case]:
    """The first of `visible_parts`: the cases of the departments the user sees whole (his
    own and, for a supervisor, those below), without reading anything else first."""
    parts = _reasons(user)
    return Case.objects.none() if parts is None else Case.objects.filter(parts[0])


# The number of the part of `visible_parts` that holds the cases followed or reviewed.
FOLLOWED_OR_REVIEWED = 2


def visible_parts(user: User, *, by_ids: bool = False) -> list[QuerySet[Case]]:
    """`cases_visible_to(user)` as three disjoint parts whose union it is: the cases of the
    departments seen whole; the cases it sent down to other departments; the others
    (followed, reviewed) of other departments and not sent down by it. A count over the
    visible cases is the sum of the counts of the parts, and each part is a range of an
    index on its own: the first of the department's (the partial index of open cases for
    open cases), whether or not the planner has statistics (SQLite without them read every
    open case of the province for the ORed condition: docs/benchmarks.md, "The workbench
    counts and SQLite's statistics"); the second the cases the department sent down
    (R-SUPER-2), by the column the sending sets (`cases_sent_down_by`: its open ones a few
    ranges of `case_sent_down_state`); the third few (R-ROUTE-4, reviews).

    `by_ids`: for a statement that another index drives (the search's hit families, by
    id), the first two parts as one, the department and the sender tested per row (`+ 0`),
    and the second part empty (`none()`, no statement): SQLite, which has no statistics to
    tell it the ids are fewer, read every case of the department and every case it sent
    down and tested each against them (the busiest county's handler's 拖欠 at 1,000,000
    cases: 50,875 and 33,949 cases, 220 ms; docs/search.md, "The cases sent down,
    walked"), and as two statements the ids were probed twice."""
    dept = user.department if user.is_authenticated else None
    if dept is None:
        return []
    seen = _department_ids_seen(user, dept)
    if by_ids:
        unindexed_cases = Case.objects.alias(
            part_department=department_unindexed(), part_sender=unindexed("sent_down_by_id")
        )
        return [
            unindexed_cases.filter(Q(part_department__in=seen) | Q(part_sender=dept.pk)),
            Case.objects.none(),
            *visible_parts(user)[FOLLOWED_OR_REVIEWED:],
        ]
    departments = _departments_q(seen)
    sent = Q(sent_down_by_id=dept.pk)
    one_by_one = followed_or_reviewed(dept.pk)
    return [
        Case.objects.filter(departments),
        Case.objects.filter(sent).exclude(departments) if seen != [dept.pk] else _sent_by(dept),
        Case.objects.filter(pk__in=one_by_one).exclude(departments).exclude(sent),
    ]


def _sent_by(dept: Department) -> QuerySet[Case]:
    """The cases `dept` sent down, none of them its own: a case is never sent down to the
    department that holds it (R-ROUTE-1, `_check_receiver`). So for a user who sees only
    his own department whole, the second part of `visible_parts` needs no exclusion of it,
    and is counted from `case_sent_down_state` alone without reading the cases' rows (the
    busiest county's 33,949 cases sent down: 24 ms on SQLite at 1,000,000 cases)."""
    return Case.objects.filter(sent_down_by_id=dept.pk)


def _reasons(user: User) -> tuple[Q, Q] | None:
    dept = user.department if user.is_authenticated else None
    if dept is None:
        return None
    return _departments_seen(user, dept), Q(pk__in=_others(dept))


def _others(dept: Department) -> QuerySet[Any]:
    """Ids of the cases `dept` sees one by one: sent down (R-SUPER-2: the column the
    sending sets, read from `case_sent_down_state` alone, which holds the ids: included on
    PostgreSQL, the rowid on SQLite), followed (R-ROUTE-4), reviewed."""
    return (
        Case.objects.filter(sent_down_by_id=dept.pk)
        .order_by()
        .values("pk")
        .union(
            Case.objects.filter(follow_department_id=dept.pk).order_by().values("pk"),
            Review.objects.filter(department_id=dept.pk).order_by().values("case_id"),
            all=True,
        )
    )


def visibility_parts(user: User) -> tuple[list[int], QuerySet[Any]]:
    """`cases_visible_to` in its two parts, for a statement that walks them apart (the
    search, cases/search.py): the ids of the departments whose cases the user sees whole,
    and the ids of the cases seen one by one (which may belong to those departments too).
    No department: nothing."""
    dept = user.department if user.is_authenticated else None
    if dept is None:
        return [], Case.objects.none().values("pk")
    return _department_ids_seen(user, dept), _others(dept)


def followed_or_reviewed(dept_id: int) -> QuerySet[Any]:
    """Ids of the cases the department follows (R-ROUTE-4) or reviews: of the cases it sees
    one by one, those it did not send down."""
    return (
        Case.objects.filter(follow_department_id=dept_id)
        .order_by()
        .values("pk")
        .union(Review.objects.filter(department_id=dept_id).order_by().values("case_id"), all=True)
    )


def departments_visible_to(user: User) -> list[Department]:
    """The departments other than the user's own whose cases the user may see, in the order
    of the tree: those seen whole (a supervisor's) and those of the cases seen one by one.
    The search's department filter offers these (issue 10): unlike the departments of a
    list's cases, they need no case read, only the small tables and the few cases seen one
    by one."""
    dept = user.department if user.is_authenticated else None
    if dept is None:
        return []
    one_by_one = Case.objects.filter(pk__in=_others(dept)).order_by().values("department_id")
    return list(
        Department.objects.filter(Q(pk__in=_department_ids_seen(user, dept)) | Q(pk__in=one_by_one))
        .exclude(pk=dept.pk)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "name")
    )


def get_case_for_user(user: User, case_id: int) -> Case:
    """The one accessor for a single case: 404 for missing and for forbidden alike."""
    try:
        return cases_visible_to(user).select_related("department__jurisdiction").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("案件不存在或无权查看")) from None


def case_for_review_application(user: User, number: str) -> Case:
    """The one read of a case its reader cannot yet see (2022 rules): 复查 and 复核 are
    applied for at the department one level up, which sees a lower department's case only
    once an application is registered there. This finds a case by its exact number and only
    when the user's department is the one that would register the next application (the
    same kind, one level above the department that closed it, or above the one that
    reviewed it) and a review is still open to the petitioner. Missing and forbidden both
    answer 404, like every case read."""
    dept_id = user.department_id if user.is_authenticated else None
    case = (
        Case.objects.select_related("department__jurisdiction")
        .filter(number=number.strip(), state=State.CLOSED)
        .exclude(review_stage=ReviewStage.FINAL)
        .first()
    )
    if case is None or dept_id is None:
        raise Http404(gettext("案件不存在或无权查看"))
    kind = ReviewKind.REVIEW if case.review_stage == ReviewStage.NONE else ReviewKind.REREVIEW
    reviewer = reviewing_department(case, kind)
    if reviewer is None or reviewer.pk != dept_id:
        raise Http404(gettext("案件不存在或无权查看"))
    return case
