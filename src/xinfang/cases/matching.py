"""Same person and same matter (issue 11), as a user may be shown them (R-PROTECT-1).

The raw look-ups (matching/index.py) return ids and scores; this module turns them into
candidates through the accessor for cases (`visible_among`: `cases_visible_to` among the
hits) and the protection policy (`protections_for`, its decision for all candidate cases in
one statement):

- a **person** candidate is shown only where the policy shows the identity on a case of the
  user's own department that holds that person's petition; where it does not, the candidate
  is left out entirely: not even the case number, which would tell the registrar that this
  person petitioned in that (protected) case;
- a **matter** candidate (similar text) is shown only where the user may read the case's
  full text: a similarity score to text the user typed would otherwise reveal the protected
  text bit by bit. What is shown is the case number, its summary (事项摘要, not protected),
  its state, the score and the reasons, and a link.

It also decides the automatic repeat link at registration (`automatic_repeat_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext

from xinfang.cases.access import visible_among
from xinfang.cases.lifecycle import FROZEN_STATES
from xinfang.cases.models import Case
from xinfang.cases.protection import PetitionerView, petitioner_views_of, protections_for
from xinfang.core.errors import RuleViolation
from xinfang.core.idnumber import normalize_id_number
from xinfang.core.text import normalize
from xinfang.matching.index import (
    PersonHit,
    account_hash,
    identical_text,
    person_hits,
    text_hits,
)
from xinfang.matching.people import PersonFacts
from xinfang.orgs.models import Department, Role, User
from xinfang.petitions import protect
from xinfang.petitions.models import Petition, Petitioner, PetitionPetitioner, Respondent

MAX_MATTERS = 5
MAX_PEOPLE = 8
MIN_PHONE_DIGITS = 7
# Petitions read per respondent typed, for candidates by the respondent alone.
MAX_RESPONDENT_PETITIONS = 200
# Signals beside the text, added to its Jaccard similarity (docs/matching.md).
W_RESPONDENT = 0.15
W_UNIT = 0.10
W_PLACE = 0.05
W_CATEGORY = 0.05


def _may_see_identities(user: User) -> bool:
    return user.department is not None and any(
        user.has_role(r) for r in (Role.REGISTRAR, Role.HANDLER, Role.LEADER)
    )


# --- same matter -------------------------------------------------------------------------


@dataclass(frozen=True)
class RespondentFacts:
    name: str = ""
    unit: str = ""
    place: str = ""  # the jurisdiction's name, or the place a collective visit came from


@dataclass(frozen=True)
class MatterCandidate:
    case: Case
    score: float
    similarity: float
    reasons: tuple[str, ...]


def matter_candidates(
    user: User,
    *,
    text: str,
    category: str = "",
    respondents: Sequence[RespondentFacts] = (),
    place: str = "",
) -> list[MatterCandidate]:
    """Cases of the same matter as a text being registered, best first, at most
    MAX_MATTERS, each with its score and reasons in Chinese (R-REPEAT-4)."""
    if not _may_see_identities(user) or not normalize(text):
        return []
    similarity = {h.petition_id: h.jaccard for h in text_hits(text)}
    # Issue 11 item 3: the same respondent worded otherwise, with no text in common.
    for petition_id in _respondent_petitions(respondents):
        similarity.setdefault(petition_id, 0.0)
    if not similarity:
        return []
    rows = list(
        Petition.objects.filter(pk__in=similarity).values(
            "pk", "case_id", "case__root_id", "category", "collective_origin"
        )
    )
    family_best: dict[int, float] = {}
    family_petitions: dict[int, list[int]] = {}
    for row in rows:
        family = row["case__root_id"] or row["case_id"]
        family_best[family] = max(family_best.get(family, 0.0), similarity[row["pk"]])
        family_petitions.setdefault(family, []).append(row["pk"])
    # The case of each family the user may see, their own department's first.
    own_dept = user.department_id
    shown: dict[int, Case] = {}
    visible: list[Case] = list(
        visible_among(user, Q(pk__in=family_best) | Q(root_id__in=family_best)).order_by("pk")
    )
    for vis in visible:
        family = vis.petitions_root_id
        if family not in shown or (
            vis.department_id == own_dept and shown[family].department_id != own_dept
        ):
            shown[family] = vis
    # Respondents and places of the matching petitions, in one query.
    theirs: dict[int, list[Respondent]] = {}
    for r in Respondent.objects.filter(petition_id__in=similarity).select_related("jurisdiction"):
        theirs.setdefault(r.petition_id, []).append(r)
    by_pk = {row["pk"]: row for row in rows}
    wanted_names = {normalize(r.name) for r in respondents if normalize(r.name)}
    wanted_units = {normalize(r.unit) for r in respondents if normalize(r.unit)}
    wanted_places = {normalize(r.place) for r in respondents if normalize(r.place)}
    if normalize(place):
        wanted_places.add(normalize(place))

    candidates = []
    for family, best in sorted(family_best.items(), key=lambda kv: (-kv[1], -kv[0])):
        case = shown.get(family)
        if case is None:
            continue
        # A candidate by its respondent alone has no text in common to speak of.
        reasons = (
            [(gettext("内容文字相似度%(round)s%%") % {"round": round(best * 100)})] if best else []
        )
        score = best
        names, units, places, categories = set(), set(), set(), set()
        for pk in family_petitions[family]:
            categories.add(by_pk[pk]["category"])
            if by_pk[pk]["collective_origin"]:
                places.add(normalize(by_pk[pk]["collective_origin"]))
            for r in theirs.get(pk, []):
                names.add(normalize(r.name))
                if r.unit:
                    units.add(normalize(r.unit))
                if r.jurisdiction is not None:
                    places.add(normalize(r.jurisdiction.name))
        if same := sorted(wanted_names & names):
            score += W_RESPONDENT
            reasons.append(gettext("被反映人相同：") + "、".join(same))
        if same := sorted(wanted_units & units):
            score += W_UNIT
            reasons.append(gettext("被反映单位相同：") + "、".join(same))
        if same := sorted(wanted_places & places):
            score += W_PLACE
            reasons.append(gettext("涉及地方相同：") + "、".join(same))
        if category and category in categories:
            score += W_CATEGORY
            reasons.append(gettext("问题类别相同"))
        candidates.append(
            MatterCandidate(
                case=case, score=round(min(score, 1.0), 4), similarity=best, reasons=tuple(reasons)
            )
        )
    candidates.sort(key=lambda c: (-c.score, -c.case.pk))
    # R-PROTECT-1: only where the text itself is readable to this user; decided for every
    # candidate case in one statement (a statement per case was most of the CPU, issue 11).
    policies = protections_for(user, [c.case for c in candidates])
    return [c for c in candidates if policies[c.case.pk].identity_shown][:MAX_MATTERS]


def _respondent_petitions(respondents: Sequence[RespondentFacts]) -> list[int]:
    """Issue 11 item 3, "the same respondent": the petitions, newest first and at most
    MAX_RESPONDENT_PETITIONS per respondent typed, naming a respondent of the same name
    together with the same unit or the same place (a jurisdiction's name), whatever their
    text says. The name alone is not enough: a common name names many people. Read by the
    respondents' name index; what the user may see is decided by the caller."""
    found: list[int] = []
    for typed in respondents:
        name = typed.name.strip()
        unit, place = normalize(typed.unit), normalize(typed.place)
        if not name or not (unit or place):
            continue
        rows = (
            Respondent.objects.filter(name=name)
            .order_by("-petition_id")
            .values_list("petition_id", "unit", "jurisdiction__name")[:MAX_RESPONDENT_PETITIONS]
        )
        for petition_id, their_unit, their_place in rows:
            if (unit and normalize(their_unit) == unit) or (
                place and their_place and normalize(their_place) == place
            ):
                found.append(petition_id)
    return found


# --- same person -------------------------------------------------------------------------


@dataclass
class PersonCandidate:
    person: PetitionerView
    score: float
    reasons: tuple[str, ...]
    cases: list[Case] = field(default_factory=list)


def person_facts(
    *,
    name: str = "",
    id_number: str = "",
    phone: str = "",
    account: str = "",
    address: str = "",
    work_unit: str = "",
) -> PersonFacts:
    """What the registrar typed, with the identifiers as their keyed hashes."""
    try:
        id_hash = protect.match_hash(normalize_id_number(id_number)) if id_number.strip() else ""
    except RuleViolation:
        id_hash = ""
    phone = phone.strip()
    digits = sum(ch.isdigit() for ch in phone)
    return PersonFacts(
        name=name.strip(),
        id_number_hash=id_hash,
        phone_hash=protect.match_hash(protect.phone_key(phone))
        if digits >= MIN_PHONE_DIGITS
        else "",
        account_hash=account_hash(account),
        address=address.strip(),
        work_unit=work_unit.strip(),
    )


def person_candidates(
    user: User, facts: PersonFacts, *, leave_out: set[int] | frozenset[int] = frozenset()
) -> list[PersonCandidate]:
    """Earlier petitioners who may be the person being registered, with a score and the
    reasons, best first, at most MAX_PEOPLE; only where the policy shows the identity on a
    case of the user's own department (R-PROTECT-1), else not at all. `leave_out`:
    petitioner ids not to offer (the import's own row, `cases.imports.people_of`)."""
    if not _may_see_identities(user):
        return []
    hits = [hit for hit in person_hits(facts) if hit.petitioner_id not in leave_out]
    if not hits:
        return []
    # The hit people's petitions first (an index on the person), then the user's own cases
    # among those petitions' families by two indexed columns, then the newest 200 of the
    # links whose family the user's department holds. Asked as one statement (the links
    # filtered by a subquery of every own family, ordered by date, LIMIT 200), PostgreSQL
    # walked all petitions by date: 8 s at a million petitions.
    people = [h.petitioner_id for h in hits]
    theirs = list(
        PetitionPetitioner.objects.filter(petitioner_id__in=people).values_list(
            "pk",
            "petition_id",
            "petition__received_on",
            "petition__case_id",
            "petition__case__root_id",
        )
    )
    near = {case for row in theirs for case in row[3:] if case is not None}
    own_near = list(
        visible_among(
            user,
            Q(root_id__isnull=True, pk__in=near) | Q(root_id__in=near),
            own_department_only=True,
        )
        .select_related("department__jurisdiction")
        .order_by("pk")
    )
    families = {c.petitions_root_id for c in own_near}
    chosen = sorted(
        (row for row in theirs if row[3] in families or row[4] in families),
        key=lambda row: (row[2], row[1]),
        reverse=True,
    )[:200]
    by_pk = PetitionPetitioner.objects.select_related("petition__case").in_bulk(
        [row[0] for row in chosen]
    )
    links = [by_pk[row[0]] for row in chosen]
    family_of = {link.petition_id: link.petition.case.petitions_root_id for link in links}
    wanted = set(family_of.values())
    own_case: dict[int, Case] = {}
    for row in own_near:
        if row.petitions_root_id in wanted:
            own_case[row.petitions_root_id] = row
    by_person: dict[int, list[PetitionPetitioner]] = {}
    for link in links:
        by_person.setdefault(link.petitioner_id, []).append(link)
    # R-PROTECT-1, decided for every own case of the hits' families in one statement; the
    # first link of each person on a case whose identity is shown is the one they are shown
    # from (the newest), their rows read and the reads logged in one statement each
    # (statements per candidate were most of the CPU, issue 11).
    policies = protections_for(user, own_case.values())
    picked: list[tuple[PersonHit, PetitionPetitioner, list[Case]]] = []
    for hit in hits:
        first: PetitionPetitioner | None = None
        cases: list[Case] = []
        for link in by_person.get(hit.petitioner_id, []):
            case = own_case.get(family_of[link.petition_id])
            if case is None or not policies[case.pk].identity_shown:
                continue
            if first is None:
                first = link
            if case not in cases:
                cases.append(case)
        if first is not None:
            picked.append((hit, first, cases))
        if len(picked) >= MAX_PEOPLE:
            break
    views = petitioner_views_of(
        [(policies[own_case[family_of[link.petition_id]].pk], link) for _, link, _ in picked]
    )
    return [
        PersonCandidate(person=view, score=hit.score, reasons=hit.reasons, cases=cases)
        for (hit, _, cases), view in zip(picked, views, strict=True)
        if view is not None and view.shown
    ]


# --- the automatic repeat link ----------------------------------------------------------


def same_people(people: Sequence[Petitioner]) -> set[int]:
    """The petitioner rows that are certainly the same people: the rows themselves (one per
    ID number), and rows with the same phone or online account (keyed hashes)."""
    ids = {p.pk for p in people}
    match = Q()
    phones = [p.phone_hash for p in people if p.phone_hash]
    if phones:
        match |= Q(phone_hash__in=phones)
    if accounts := [p.account_hash for p in people if p.account_hash]:
        match |= Q(account_hash__in=accounts)
    if match:
        ids |= set(Petitioner.objects.filter(match).values_list("pk", flat=True))
    return ids


def repeat_window_days() -> int:
    return int(settings.XINFANG_REPEAT_WINDOW_DAYS)


def automatic_repeat_of(
    *, dept: Department, people: Sequence[Petitioner], content: str, received_on: dt.date
) -> Petition | None:
    """The earlier petition that a new one repeats word for word (whitespace, width and
    case aside), from the same person, received by the same department on the same day or
    within XINFANG_REPEAT_WINDOW_DAYS days before, on a case still open to a repeat (not
    archived or withdrawn). The latest such petition, or None."""
    if not people or not settings.XINFANG_AUTO_REPEAT:
        return None
    same_text = identical_text(content)
    if not same_text:
        return None
    first_day = received_on - dt.timedelta(days=repeat_window_days())
    return (
        Petition.objects.filter(
            pk__in=same_text,
            receiving_department=dept,
            case__department=dept,
            received_on__gte=first_day,
            received_on__lte=received_on,
            petitioners__in=same_people(people),
        )
        .exclude(case__state__in=FROZEN_STATES)
        .select_related("case")
        .order_by("-received_on", "-pk")
        .first()
    )
