"""Look-ups for the registration form: earlier petitioners of the user's department, through
the protection policy (R-PROTECT-1), and cadres of the directory.

A petitioner is found only in the case families of the user's own department (the only ones
whose identity a registrar may ever be shown), and shown only where `protection_for` says the
identity may be read: never the petitioner of a case the user may not read, nor one hidden
from the respondent's side. ID and phone numbers are matched exactly by their keyed hash
(petitions/protect.py); names by prefix. Each display is logged like any other
(`CaseProtection.petitioners`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from xinfang.cases.access import cases_visible_to
from xinfang.cases.models import Case
from xinfang.cases.protection import CaseProtection, PetitionerView, protection_for
from xinfang.core.errors import RuleViolation
from xinfang.core.idnumber import normalize_id_number
from xinfang.orgs.models import Cadre, Role, User
from xinfang.petitions import protect
from xinfang.petitions.models import Petition, PetitionPetitioner

MAX_PETITIONERS = 8  # people shown
MAX_LINKS = 40  # petition-petitioner links examined
MAX_CADRES = 10
MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class EarlierPetition:
    petition: Petition
    case: Case  # the case of the user's department in the petition's family


@dataclass
class PetitionerMatch:
    """One earlier petitioner and their petitions in the user's department's cases."""

    person: PetitionerView
    matched_by: str  # "身份证号码", "电话", "姓名"
    petitions: list[EarlierPetition] = field(default_factory=list)


def petitioner_lookup(
    user: User, *, name: str = "", id_number: str = "", phone: str = ""
) -> list[PetitionerMatch]:
    """Earlier petitioners matching what the registrar typed (R-INTAKE-5), at most
    MAX_PETITIONERS, newest petition first; only those whose identity `user` may read
    (R-PROTECT-1)."""
    dept = user.department
    if dept is None or not any(
        user.has_role(r) for r in (Role.REGISTRAR, Role.HANDLER, Role.LEADER)
    ):
        return []  # no one else is ever shown a petitioner's identity
    name = name.strip()
    phone = phone.strip()
    hashes: dict[str, str] = {}
    try:
        hashes["id"] = protect.match_hash(normalize_id_number(id_number)) if id_number else ""
    except RuleViolation:
        hashes["id"] = ""
    digits = sum(ch.isdigit() for ch in phone)
    hashes["phone"] = (
        protect.match_hash(protect.phone_key(phone)) if digits >= MIN_PHONE_DIGITS else ""
    )
    match = Q()
    if hashes["id"]:
        match |= Q(petitioner__id_number_hash=hashes["id"])
    if hashes["phone"]:
        match |= Q(petitioner__phone_hash=hashes["phone"])
    if name:
        match |= Q(petitioner__name__startswith=name)
    if not match:
        return []

    # The families of the department's own cases: the first case of each and every case sent
    # down from it share their petitions (cases/family.py).
    own = cases_visible_to(user).filter(department=dept)
    families = own.annotate(family=Coalesce("root_id", "pk")).values("family")
    links = list(
        PetitionPetitioner.objects.filter(
            Q(petition__case_id__in=families) | Q(petition__case__root_id__in=families)
        )
        .filter(match)
        .select_related("petition__case", "petitioner")
        .order_by("-petition__received_on", "-petition_id")[:MAX_LINKS]
    )
    if not links:
        return []
    family_of = {link.petition_id: link.petition.case.petitions_root_id for link in links}
    own_case: dict[int, Case] = {}
    for own_row in (
        own.annotate(family=Coalesce("root_id", "pk"))
        .filter(family__in=set(family_of.values()))
        .select_related("department__jurisdiction")
        .order_by("pk")
    ):
        own_case[own_row.petitions_root_id] = own_row  # the latest of the department's

    policies: dict[int, CaseProtection] = {}
    matches: dict[int, PetitionerMatch] = {}
    for link in links:
        case = own_case.get(family_of[link.petition_id])
        if case is None:
            continue
        policy = policies.get(case.pk)
        if policy is None:
            policy = policies[case.pk] = protection_for(user, case)
        if not policy.identity_shown:
            continue
        found = matches.get(link.petitioner_id)
        if found is None:
            if len(matches) >= MAX_PETITIONERS:
                continue
            view = _view_of(policy, link)
            if view is None:
                continue
            person = link.petitioner
            how = (
                gettext("身份证号码")
                if hashes["id"] and person.id_number_hash == hashes["id"]
                else gettext("电话")
                if hashes["phone"] and person.phone_hash == hashes["phone"]
                else gettext("姓名")
            )
            found = matches[link.petitioner_id] = PetitionerMatch(person=view, matched_by=how)
        found.petitions.append(EarlierPetition(petition=link.petition, case=case))
    return list(matches.values())


def _view_of(policy: CaseProtection, link: PetitionPetitioner) -> PetitionerView | None:
    """The petitioner of `link` as the policy shows it (logged as an identity read)."""
    petitioner_ids = list(
        PetitionPetitioner.objects.filter(petition_id=link.petition_id)
        .order_by("pk")
        .values_list("petitioner_id", flat=True)
    )
    views = policy.petitioners(link.petition)
    for petitioner_id, view in zip(petitioner_ids, views, strict=False):
        if petitioner_id == link.petitioner_id and view.shown:
            return view
    return None


def cadre_search(query: str) -> Sequence[Cadre]:
    """Cadres of the directory with a current post whose name starts with `query`, or whose
    post title contains it, with their post and jurisdictions (R-ROUTE-2): for picking a
    respondent or the cadre a personal request concerns."""
    query = query.strip()
    if not query:
        return []
    return list(
        Cadre.objects.filter(post__isnull=False)
        .filter(Q(name__startswith=query) | Q(post__title__contains=query))
        .select_related("post__jurisdiction", "post__managing_jurisdiction", "post__department")
        .order_by("name", "pk")[:MAX_CADRES]
    )
