"""Reads of the long-standing petitioners: candidates over the thresholds, the register as a
user may see it, and the notice a case page shows. Every read of a case goes through
cases.access; the lists are set-based (a fixed number of queries whatever the rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.access import cases_visible_to
from xinfang.cases.lifecycle import FROZEN_STATES
from xinfang.cases.models import OPEN_STATES, Case
from xinfang.orgs.models import Department, User
from xinfang.persistent.models import Basis, Entry, Outcome, Threshold
from xinfang.petitions.models import PetitionPetitioner


def _local_start(day: dt.date) -> dt.datetime:
    """The first moment of `day`, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def window_start(as_of: dt.date, window_days: int) -> dt.date:
    """First day of a window of `window_days` days that ends on `as_of` (both counted)."""
    return as_of - dt.timedelta(days=window_days - 1)


@dataclass(frozen=True)
class Candidate:
    case: Case
    petitioner_id: int
    petition_count: int
    threshold: Threshold


def _department_cases(department: Department) -> QuerySet[Case]:
    # The department's own cases that can still be written to (sealed ones take no event),
    # with the case whose petitions they share (a case sent down shares its first case's).
    return Case.objects.filter(department=department).exclude(state__in=FROZEN_STATES)


def candidates(department: Department, *, as_of: dt.date) -> list[Candidate]:
    """R-REPEAT-1: petitioners over an active threshold on `department`'s cases and not yet
    on its register. Per threshold one grouped count; then one read of the cases and one of
    the register: five queries at most for two thresholds, whatever the number of rows."""
    thresholds = list(Threshold.objects.filter(is_active=True))
    if not thresholds:
        return []
    cases = _department_cases(department)
    found: dict[tuple[int, int], tuple[int, Threshold]] = {}  # (family, petitioner)
    for t in thresholds:
        counted = cases
        links = PetitionPetitioner.objects.filter(petition__received_on__lte=as_of)
        if t.basis == Basis.OPEN:
            # R-REPEAT-1, "a case open for a long time": registered at least window_days
            # days before the day of the count (that day is the first it counts), still
            # being worked on; its petitions counted whenever received.
            counted = cases.filter(
                state__in=OPEN_STATES,
                registered_at__lt=_local_start(as_of - dt.timedelta(days=t.window_days - 1)),
            )
        else:
            links = links.filter(petition__received_on__gte=window_start(as_of, t.window_days))
        # Petitions sit on a family's first case: the department's first cases, and the
        # first cases of those sent down to it.
        links = links.filter(
            Q(petition__case__in=counted.filter(root__isnull=True))
            | Q(petition__case__in=counted.values("root_id"))
        )
        if t.basis in (Basis.CASE, Basis.OPEN):
            rows = (
                links.values("petition__case_id", "petitioner_id")
                .annotate(n=Count("petition_id", distinct=True))
                .filter(n__gte=t.min_petitions)
                .values_list("petition__case_id", "petitioner_id", "n")
            )
        else:
            # Per petitioner, whatever the matter: the entry goes on the latest matter.
            rows = (
                links.values("petitioner_id")
                .annotate(n=Count("petition_id", distinct=True), last=Max("petition__case_id"))
                .filter(n__gte=t.min_petitions)
                .values_list("last", "petitioner_id", "n")
            )
        for family, petitioner_id, n in rows:
            key = (family, petitioner_id)
            if key not in found or found[key][0] < n:
                found[key] = (n, t)
    if not found:
        return []
    families = {f for f, _ in found}
    by_family: dict[int, Case] = {}
    # Latest case first: the department's latest case of a family carries the entry.
    for c in cases.filter(Q(pk__in=families) | Q(root_id__in=families)).order_by("-pk"):
        by_family.setdefault(c.petitions_root_id, c)
    registered = set(
        Entry.objects.filter(case__in=list(by_family.values())).values_list(
            "case_id", "petitioner_id"
        )
    )
    out = []
    for (family, petitioner_id), (n, t) in found.items():
        case = by_family.get(family)
        if case is None or (case.pk, petitioner_id) in registered:
            continue
        out.append(Candidate(case=case, petitioner_id=petitioner_id, petition_count=n, threshold=t))
    out.sort(key=lambda c: (-c.petition_count, c.case.number, c.petitioner_id))
    return out


def register_for(user: User) -> QuerySet[Entry]:
    """R-INFO-2: the entries on every case the user may see, so the department above that
    follows or sent down a case sees its entries too."""
    return (
        Entry.objects.filter(case__in=cases_visible_to(user))
        .select_related("case", "department", "leader", "officer")
        .annotate(review_count=Count("reviews"), last_review=Max("reviews__reviewed_on"))
        .order_by(F("ended_on").asc(nulls_first=True), "target_on", "pk")
    )


def entry_for_user(user: User, entry_id: int) -> Entry:
    """One entry, 404 for missing and forbidden alike (its case must be visible)."""
    try:
        return (
            Entry.objects.filter(case__in=cases_visible_to(user))
            .select_related("case__department", "department", "leader", "officer", "petitioner")
            .get(pk=entry_id)
        )
    except (Entry.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("台账不存在或无权查看")) from None


def entries_on_case(case: Case) -> list[Entry]:
    """R-REPEAT-3, R-INFO-2: the entries of the matter a case belongs to, for the notice on
    the page of every case of its family, above or below: a position statement is seen at
    every level that handles the matter. The caller decides whether the reader may know
    who petitions (cases.protection)."""
    family = case.petitions_root_id
    return list(
        Entry.objects.filter(Q(case_id=family) | Q(case__root_id=family))
        .select_related("department", "leader", "officer")
        .order_by("pk")
    )


def is_open(entry: Entry) -> bool:
    return entry.outcome == Outcome.OPEN


def next_review_on(entry: Entry) -> dt.date | None:
    """R-REPEAT-2: the day the next periodic review is due: `review_every_days` after the
    last review (`register_for`'s `last_review`, else read) or, before any, after the day
    the entry was registered; None once the matter has ended."""
    if not is_open(entry):
        return None
    last = getattr(entry, "last_review", None)
    if last is None and not hasattr(entry, "last_review"):
        last = entry.reviews.aggregate(last=Max("reviewed_on"))["last"]
    since = last or timezone.localtime(entry.registered_at).date()
    return since + dt.timedelta(days=entry.review_every_days)


def review_overdue(entry: Entry, today: dt.date) -> bool:
    """R-REPEAT-2: the review is overdue from the day after it was due."""
    due = next_review_on(entry)
    return due is not None and today > due
