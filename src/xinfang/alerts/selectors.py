"""Reads of the early warnings: who sees which, those open on a date, and the petitions a
warning counted as the user may see them (through cases.access)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext

from xinfang.alerts.models import EarlyWarning, Kind
from xinfang.cases.access import cases_visible_to
from xinfang.orgs.models import Department, Role, User
from xinfang.petitions.models import Petition


def open_on(day: dt.date) -> QuerySet[EarlyWarning]:
    """The warnings open on `day`: raised by then (their window ended on or before it) and
    not closed by the end of the day before; highest score first."""
    return (
        EarlyWarning.objects.filter(window_end__lte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .select_related("department", "assignee")
        .order_by("-score", "pk")
    )


def _supervised(user: User) -> QuerySet[Department]:
    dept = user.department
    assert dept is not None
    return Department.objects.filter(
        kind=dept.kind, jurisdiction__path__startswith=dept.jurisdiction.path
    ).exclude(jurisdiction_id=dept.jurisdiction_id)


def warnings_for(user: User) -> QuerySet[EarlyWarning]:
    """The warnings a user may see: a leader those of his department; a supervisor also
    those of the departments he oversees, except warnings by place (the place names come
    from the letters' text, which only the receiving department may read, R-PROTECT-1);
    anyone the warnings assigned to him."""
    dept = user.department if user.is_authenticated else None
    if dept is None:
        return EarlyWarning.objects.none()
    seen = Q(assignee_id=user.pk)
    if user.has_role(Role.LEADER):
        seen |= Q(department_id=dept.pk)
    if user.has_role(Role.SUPERVISOR):
        seen |= Q(department__in=_supervised(user)) & ~Q(kind=Kind.PLACE)
    return (
        EarlyWarning.objects.filter(seen)
        .select_related("department", "assignee")
        .order_by("-score", "pk")
    )


def can_see_warnings(user: User) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.LEADER)
        or user.has_role(Role.SUPERVISOR)
        or EarlyWarning.objects.filter(assignee_id=user.pk).exists()
    )


def warning_for_user(user: User, warning_id: int) -> EarlyWarning:
    """One warning, 404 for missing and forbidden alike."""
    try:
        return warnings_for(user).get(pk=warning_id)
    except (EarlyWarning.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("没有找到该预警。")) from None


@dataclass(frozen=True)
class CountedPetition:
    petition: Petition
    case_id: int
    case_number: str


def petitions_shown(user: User, warning: EarlyWarning) -> tuple[list[CountedPetition], int]:
    """The petitions the warning counted whose case the user may see (number, date, channel
    and summary: the summary is not protected, the petitioners are never named here), and
    how many others it counted that are not shown."""
    ids = [int(i) for i in warning.explanation.get("petition_ids", [])]
    rows = (
        Petition.objects.filter(pk__in=ids, case__in=cases_visible_to(user))
        .select_related("case")
        .order_by("received_on", "pk")
    )
    shown = [
        CountedPetition(petition=p, case_id=p.case_id, case_number=p.case.number) for p in rows
    ]
    return shown, warning.petitions - len(shown)


def describe(warning: EarlyWarning) -> str:
    """The warning in one Chinese sentence: what, how many people, against what baseline."""
    counts = gettext(
        "%(start)s至%(end)s，%(kind)s“%(label)s”涉及信访人%(people)d人、信访件%(petitions)d件"
    ) % {
        "start": warning.window_start.strftime("%Y-%m-%d"),
        "end": warning.window_end.strftime("%Y-%m-%d"),
        "kind": warning.get_kind_display(),
        "label": warning.label,
        "people": warning.petitioners,
        "petitions": warning.petitions,
    }
    if warning.kind == Kind.ANNOUNCED:
        return gettext("%(counts)s：来信中有集体上访的苗头，请及时掌握动向、做好工作。") % {
            "counts": counts
        }
    if warning.kind == Kind.COLLECTIVE:
        return gettext("%(counts)s：集体访，来访人数%(people)d人。") % {
            "counts": counts,
            "people": warning.petitioners,
        }
    weeks = len(warning.explanation.get("history", []))
    if warning.growth is None:
        trend = gettext("此前%(weeks)d个统计期内没有出现") % {"weeks": weeks}
    else:
        # Rounded as the page rounds them (floatformat: half up), so the sentence and the
        # page's figures agree (0.25 people a week is 0.3 in both, not 0.2 here).
        trend = gettext("此前%(weeks)d个统计期平均每期%(base)s人，增长到%(growth)s倍") % {
            "weeks": weeks,
            "base": floatformat(warning.baseline, 1),
            "growth": floatformat(warning.growth, 1),
        }
    if warning.kind == Kind.CADRE:
        return gettext("%(counts)s：同一干部被多名信访人反映（%(trend)s）。") % {
            "counts": counts,
            "trend": trend,
        }
    return gettext("%(counts)s，%(trend)s。") % {"counts": counts, "trend": trend}
