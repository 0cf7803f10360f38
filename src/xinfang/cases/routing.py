"""Routing applied to a case: the adapter from a case to the pure rules' plain facts
(`facts_for_case`), the one R-ROUTE-3 check every path that leaves a case with a department
calls, and the record of each routing decision beside its proposal (R-ROUTE-1).

The rules themselves (routing/rules.py, routing/proposal.py) import no case model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.family import family_case_ids
from xinfang.cases.lifecycle import FROZEN_STATES
from xinfang.cases.models import Case, ReviewKind, RoutingDecision
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, Jurisdiction, User
from xinfang.petitions.models import ConcernedCadre, Petition, Respondent
from xinfang.routing.proposal import (
    DepartmentFacts,
    JurisdictionFacts,
    OrgDirectory,
    RespondentFacts,
    RoutingFacts,
    RoutingProposal,
    department_instead,
    proposal_followed,
)
from xinfang.routing.rules import (
    RespondentLike,
    following_department,
    organization_department_kinds,
    refuse_own_main_leader,
)
from xinfang.routing.selectors import referral_rules
from xinfang.routing.terms import AnonymousTreatment, Category, HandlingMode


def _path_ids(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def facts_for_case(case: Case) -> RoutingFacts:
    """Everything `propose_routing` needs about `case`, in at most eight queries (seven
    unless it is a personal request), however many petitions."""
    # The whole family: the first case's petitions and those registered on cases sent down.
    # Plain id lists keep these two queries simple: this runs on every routing decision.
    family = family_case_ids(case)
    # The letters' text matters only to the referral rules (R-ROUTE-6): fetch it only then.
    outside = case.category == Category.OUTSIDE_REMIT
    columns = ["is_anonymous", "anonymous_treatment"] + (["summary", "content"] if outside else [])
    petitions = list(
        Petition.objects.filter(case_id__in=family).order_by("received_on", "id").values(*columns)
    )
    respondent_rows = list(
        Respondent.objects.filter(petition__case_id__in=family)
        .select_related("jurisdiction", "managing_jurisdiction")
        .order_by("petition_id", "id")
    )
    # R-CAT-4: only a personal request is routed by the cadre it concerns; skip the query
    # for the rest.
    concerned_rows = (
        list(
            ConcernedCadre.objects.filter(petition__case_id__in=family)
            .select_related("jurisdiction", "managing_jurisdiction")
            .order_by("petition_id")
        )
        if case.category == Category.PERSONAL_REQUEST
        else []
    )

    # Services pass a case locked with its department and jurisdiction: reuse them.
    cached = Case.department.is_cached(case)
    receiving_dept = (
        case.department
        if cached and Department.jurisdiction.is_cached(case.department)
        else Department.objects.select_related("jurisdiction").get(pk=case.department_id)
    )
    return _facts(
        category=case.category,
        nature=case.nature,
        title=case.title,
        receiving_dept=receiving_dept,
        petitions=petitions,
        respondent_rows=respondent_rows,
        concerned_rows=concerned_rows,
    )


def facts_for_registration(
    *,
    department: Department,
    category: str,
    nature: str,
    summary: str,
    content: str,
    is_anonymous: bool,
    anonymous_treatment: str,
    respondents: Sequence[Respondent],
    concerned: ConcernedCadre | None,
) -> RoutingFacts:
    """The facts of a petition not yet registered (the registration page's live proposal):
    what `facts_for_case` would read once it is, from unsaved rows
    (petitions/services.py: `respondent_row`, `concerned_cadre_row`). Reads only."""
    outside = category == Category.OUTSIDE_REMIT
    petition: dict[str, Any] = {
        "is_anonymous": is_anonymous,
        "anonymous_treatment": anonymous_treatment if is_anonymous else "",
    }
    if outside:
        petition.update(summary=summary.strip(), content=content.strip())
    return _facts(
        category=category,
        nature=nature,
        title=summary.strip(),
        receiving_dept=department,
        petitions=[petition],
        respondent_rows=list(respondents),
        concerned_rows=(
            [concerned] if concerned is not None and category == Category.PERSONAL_REQUEST else []
        ),
    )


def _facts(
    *,
    category: str,
    nature: str,
    title: str,
    receiving_dept: Department,
    petitions: list[dict[str, Any]],
    respondent_rows: list[Respondent],
    concerned_rows: list[ConcernedCadre],
) -> RoutingFacts:
    outside = category == Category.OUTSIDE_REMIT
    paths = [receiving_dept.jurisdiction.path]
    for row in respondent_rows:
        paths += [j.path for j in (row.jurisdiction, row.managing_jurisdiction) if j is not None]
    for c in concerned_rows:
        paths += [j.path for j in (c.jurisdiction, c.managing_jurisdiction) if j is not None]
    ids = {i for p in paths for i in _path_ids(p)}
    # Plain rows, not model instances: this runs on every routing decision.
    jurisdictions = {
        pk: JurisdictionFacts(id=pk, name=name, level=level, path=path, parent_id=parent_id)
        for pk, name, level, path, parent_id in Jurisdiction.objects.filter(pk__in=ids).values_list(
            "pk", "name", "level", "path", "parent_id"
        )
    }
    departments = tuple(
        DepartmentFacts(id=pk, name=name, kind=kind, jurisdiction=jurisdictions[j_id])
        for pk, name, kind, j_id in Department.objects.filter(jurisdiction_id__in=ids)
        .order_by("id")
        .values_list("pk", "name", "kind", "jurisdiction_id")
    )

    def cadre_facts(rows: list[Respondent] | list[ConcernedCadre]) -> tuple[RespondentFacts, ...]:
        out: list[RespondentFacts] = []
        seen: set[tuple[object, ...]] = set()
        for r in rows:
            # The same cadre named in a first letter and its repeats counts once.
            key = (r.cadre_id or r.name, r.jurisdiction_id, r.post_title)
            if key in seen:
                continue
            seen.add(key)
            out.append(
                RespondentFacts(
                    name=r.name,
                    jurisdiction=(
                        jurisdictions.get(r.jurisdiction_id) if r.jurisdiction_id else None
                    ),
                    managing_jurisdiction=(
                        jurisdictions.get(r.managing_jurisdiction_id)
                        if r.managing_jurisdiction_id
                        else None
                    ),
                    is_main_leader=r.is_main_leader,
                    rank=r.rank,
                    post_title=r.post_title or r.unit,
                    department_id=getattr(r, "department_id", None),
                )
            )
        return tuple(out)

    # R-INTAKE-4: the case is anonymous only if no petition is signed; it is kept for
    # reference only if every anonymous petition was judged vague.
    is_anonymous = bool(petitions) and all(p["is_anonymous"] for p in petitions)
    treatments = {p["anonymous_treatment"] for p in petitions if p["is_anonymous"]}
    if is_anonymous and treatments == {AnonymousTreatment.KEEP}:
        treatment = AnonymousTreatment.KEEP.value
    elif AnonymousTreatment.INVESTIGATE in treatments:
        treatment = AnonymousTreatment.INVESTIGATE.value
    else:
        treatment = ""

    text = "\n".join(
        [title]
        + ([p["summary"] for p in petitions] + [p["content"] for p in petitions] if outside else [])
    )
    return RoutingFacts(
        category=category,
        nature=nature,
        receiving=DepartmentFacts(
            id=receiving_dept.pk,
            name=receiving_dept.name,
            kind=receiving_dept.kind,
            jurisdiction=jurisdictions[receiving_dept.jurisdiction_id],
        ),
        respondents=cadre_facts(respondent_rows),
        concerned=cadre_facts(concerned_rows),
        text=text,
        is_anonymous=is_anonymous,
        anonymous_treatment=treatment,
        directory=OrgDirectory(jurisdictions=jurisdictions, departments=departments),
        # Only matters outside the remit are referred by rule (R-ROUTE-6): skip the query
        # for the rest.
        referral_rules=referral_rules() if outside else (),
    )


# Handling modes in which the deciding department keeps the case in its own hands: handled
# here, kept for reference, or assigned down with the result reported back to it for
# acceptance (R-CLOSE-6). A case only received (no mode yet) is not held: letters arrive
# where they arrive, and the decision on them is checked when it is taken.
HELD_MODES = frozenset({HandlingMode.SELF, HandlingMode.FILE, HandlingMode.ASSIGN})


def respondents_of_case(case: Case) -> list[Respondent]:
    """The respondents of every petition of `case`'s family (first case and cases sent
    down share their petitions)."""
    return list(Respondent.objects.filter(petition__case_id__in=family_case_ids(case)))


def refuse_if_department_may_not_hold(
    case: Case,
    department: Department,
    *,
    doing: str,
    respondents: Iterable[RespondentLike] | None = None,
) -> None:
    """R-ROUTE-3: the one check every path that leaves `case` with `department` calls
    (handling here, sending down, referring, keeping for reference, taking a case back after
    an objection, a review sent back, a merge, a repeat linked to it). `respondents`
    defaults to those of the case's family; a merge passes both cases'."""
    rows: list[RespondentLike] = (
        list(respondents_of_case(case)) if respondents is None else list(respondents)
    )
    refuse_own_main_leader(
        rows,
        department,
        doing=doing,
        instead=lambda: department_instead(
            facts_for_case(case), department.pk, department.jurisdiction_id
        ),
    )


def refuse_if_family_holders_may_not_hold(
    case: Case, *, doing: str, respondents: Iterable[RespondentLike] | None = None
) -> None:
    """R-ROUTE-3 for the paths that add petitions to a family (a repeat, a merge): the
    petitions are shared by the first case and every case sent down from it, so each of
    them that its department holds (HELD_MODES, not sealed) is checked, the case sent down
    to a county as much as the city's own."""
    rows: list[RespondentLike] = (
        list(respondents_of_case(case)) if respondents is None else list(respondents)
    )
    holders = (
        Case.objects.filter(pk__in=family_case_ids(case), handling_mode__in=HELD_MODES)
        .exclude(state__in=FROZEN_STATES)
        .select_related("department")
        .order_by("pk")
    )
    for holder in holders:
        refuse_if_department_may_not_hold(holder, holder.department, doing=doing, respondents=rows)


def unexplained_departure(
    proposal: RoutingProposal, mode: str, department: Department | None, reason: str
) -> str:
    """R-ROUTE-1: the refusal when a decision departs from the proposal without saying why
    ("" when it follows it or says why), so an action can report it with its other refusals
    before recording anything."""
    if proposal_followed(proposal, mode, department.pk if department else None):
        return ""
    if reason.strip():
        return ""
    return gettext("所作决定与系统建议不同（%(headline)s），须说明理由（R-ROUTE-1）。") % {
        "headline": proposal.headline
    }


def routing_decision_record(
    *,
    case: Case,
    proposal: RoutingProposal,
    mode: str,
    department: Department | None,
    department_name: str,
    reason: str,
    actor: User,
) -> RoutingDecision:
    """R-ROUTE-1: record the proposal beside the decision; a decision that departs from the
    proposal must say why. Called inside the deciding transaction."""
    followed = proposal_followed(proposal, mode, department.pk if department else None)
    problem = unexplained_departure(proposal, mode, department, reason)
    if problem:
        raise RuleViolation(problem, rules=("R-ROUTE-1",))
    return RoutingDecision.objects.create(
        case=case,
        proposed_mode=proposal.mode,
        proposed_department_id=proposal.department.id if proposal.department else None,
        proposed_department_name=proposal.department_name,
        proposal_reasons=[r.text for r in proposal.reasons],
        proposal_rules=list(proposal.rules),
        proposed_key_case=proposal.is_key_case,
        decided_mode=mode,
        decided_department=department,
        decided_department_name=department.name if department else department_name,
        followed=followed,
        deviation_reason=reason.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )


def _jurisdiction_parent(j: Jurisdiction) -> Jurisdiction | None:
    return j.parent


def _organization_department(j: Jurisdiction) -> Department | None:
    for kind in organization_department_kinds(j.level):
        found = Department.objects.filter(jurisdiction=j, kind=kind).order_by("pk").first()
        if found is not None:
            return found
    return None


def following_department_of(department: Department) -> Department | None:
    """R-ROUTE-4 (and R-CAT-1): the department that follows a matter `department` handles,
    found by the one rule (routing.rules.following_department) over the org tree."""
    return following_department(
        department.jurisdiction,
        parent=_jurisdiction_parent,
        organization_department=_organization_department,
    )


def department_one_level_up(department: Department) -> Department | None:
    """2022 rules: 复查 and 复核 go to the body one level up — the department of the same kind
    in the jurisdiction directly above, if any."""
    kind = department.kind
    parent_id = department.jurisdiction.parent_id
    if parent_id is None:
        return None
    return (
        Department.objects.select_related("jurisdiction")
        .filter(jurisdiction_id=parent_id, kind=kind)
        .order_by("pk")
        .first()
    )


def reviewing_department(case: Case, kind: ReviewKind) -> Department | None:
    """The department that would register and answer a 复查 (kind REVIEW) or 复核 of `case`."""
    if kind == ReviewKind.REVIEW:
        return department_one_level_up(case.department)
    last = (
        case.reviews.select_related("department__jurisdiction")
        .filter(kind=ReviewKind.REVIEW, decided_at__isnull=False)
        .order_by("-decided_at")
        .first()
    )
    return department_one_level_up(last.department) if last is not None else None
