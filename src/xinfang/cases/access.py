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

from xinfang.cases.models import Case, Review
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
