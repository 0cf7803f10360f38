"""Who may see which case (design.md, Security). Nothing else queries cases for a user.

- A department sees its own cases and the cases it sent down (children of its cases).
- The organization department one level up sees the important matters it follows (R-ROUTE-4).
- A supervisor sees the cases of departments of the same kind in jurisdictions below its own
  (R-SUPER-1, R-SUPER-2).
- Missing and forbidden both answer 404, so the answer does not reveal that a case exists.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from xinfang.cases.models import Case, Review, ReviewKind, ReviewStage, State
from xinfang.cases.routing import reviewing_department
from xinfang.orgs.models import Role, User


def cases_visible_to(user: User) -> QuerySet[Case]:
    dept = user.department if user.is_authenticated else None
    if dept is None:
        return Case.objects.none()
    # R-ROUTE-4: important matters are followed by the organization department one level up.
    visible = Q(department=dept) | Q(parent__department=dept) | Q(follow_department=dept)
    # The department reviewing (复查/复核) a case sees it.
    visible |= Q(Exists(Review.objects.filter(case=OuterRef("pk"), department=dept)))
    if user.has_role(Role.SUPERVISOR):
        path = dept.jurisdiction.path
        visible |= Q(
            department__kind=dept.kind, department__jurisdiction__path__startswith=path
        ) & ~Q(department__jurisdiction=dept.jurisdiction)
    return Case.objects.filter(visible)


def get_case_for_user(user: User, case_id: int) -> Case:
    """The one accessor for a single case: 404 for missing and for forbidden alike."""
    try:
        return cases_visible_to(user).select_related("department__jurisdiction").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("案件不存在或无权查看") from None


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
        raise Http404("案件不存在或无权查看")
    kind = ReviewKind.REVIEW if case.review_stage == ReviewStage.NONE else ReviewKind.REREVIEW
    reviewer = reviewing_department(case, kind)
    if reviewer is None or reviewer.pk != dept_id:
        raise Http404("案件不存在或无权查看")
    return case
