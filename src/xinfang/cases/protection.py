"""The protection policy (R-PROTECT-1): what is protected, from whom, decided here alone.

What is protected: the petitioner's identity (name, ID number, phone, address, work unit),
and everything written by or about the petitioner that commonly names them: the full text
of the letter or the visit, interview records, attachments and their names, and the cadre
a personal request concerns (当事干部, R-CAT-4), who is usually the petitioner himself. An anonymous
letter is protected like a signed one: its text often identifies its writer.

What is not: the case's summary (事项摘要, written by the registrar for the handlers, who
must be able to act on it), respondents, instructions, routing, clocks and closures.

From whom: everyone except the registrars, handlers and leaders of the department
responsible for the case or of the department that received the petition; and never the
respondent's own department, any department of the unit they work in, or a same-level
department of a main leader complained about (R-ROUTE-3), whatever their role.

Every page, export and admin screen asks `protection_for(user, case)` once per case (a list
of candidates asks `protections_for` once for all its cases: the same decision in one
statement) and reads protected material only through the object it returns; each display
of identity is logged (IdentityRead). Admin lists cannot filter, search or sort on
protected fields at all (core/admin.py), and timeline payloads carry references, not
protected values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Model, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.cases.family import petitions_of_case
from xinfang.cases.models import Case, IdentityRead
from xinfang.orgs.models import Department, Level, Role, User
from xinfang.petitions import protect
from xinfang.petitions.models import (
    Attachment,
    ConcernedCadre,
    Interview,
    Petition,
    Petitioner,
    PetitionPetitioner,
    Respondent,
)

HIDDEN = _("（已隐去）")
HIDDEN_MATERIAL_NOTE = _("信件全文、接谈记录和附件可能含有信访人身份信息，已随身份一并隐去。")

# The protected columns, for the checks that no list, filter or search reaches them.
PROTECTED_FIELDS: dict[type[Model], frozenset[str]] = {
    Petitioner: frozenset(
        {
            "name",
            "id_number_encrypted",
            "id_number_hash",
            "phone_encrypted",
            "phone_hash",
            "address",
            "work_unit",
        }
    ),
    Petition: frozenset({"content"}),
    Interview: frozenset({"place", "statement", "requests", "answer"}),
    Attachment: frozenset({"file", "original_name", "sha256"}),
    ConcernedCadre: frozenset(
        {"cadre", "name", "unit", "post_title", "rank", "jurisdiction", "managing_jurisdiction"}
    ),
}

# Keys of timeline payloads that once carried protected values (an attachment's file name):
# new events carry references only; older events are shown without these keys.
PROTECTED_PAYLOAD_KEYS = frozenset({"name", "original_name", "sha256"})


def respondent_hides_identity_from(resp: Respondent, dept: Department) -> bool:
    """R-PROTECT-1: the respondent's own department, any department of the unit they work in
    (R-COUNTY-5), and every same-level department of a main leader complained about
    (R-ROUTE-3)."""
    if resp.department_id is not None and resp.department_id == dept.pk:
        return True
    if resp.jurisdiction_id is None or resp.jurisdiction_id != dept.jurisdiction_id:
        return False
    return resp.is_main_leader or dept.jurisdiction.level == Level.UNIT


def may_see_some_identity(user: User) -> bool:
    """R-PROTECT-1's first part, which needs no case: only a registrar, handler or leader of
    a department may ever see a petitioner's identity. Lists that match protected text skip
    it entirely for everyone else (cases/search.py)."""
    return user.department_id is not None and (
        user.has_role(Role.REGISTRAR) or user.has_role(Role.HANDLER) or user.has_role(Role.LEADER)
    )


def can_see_identity(user: User, case: Case) -> bool:
    """R-PROTECT-1: identity is shown only to the registrars, handlers and leaders of the
    department responsible for the case or of the department that received the petition,
    and never to the respondent's side."""
    dept = user.department
    if dept is None or not may_see_some_identity(user):
        return False
    petitions = petitions_of_case(case)
    involved = case.department_id == dept.pk or petitions.filter(receiving_department=dept).exists()
    if not involved:
        return False
    respondents = Respondent.objects.filter(petition__in=petitions)
    return not any(respondent_hides_identity_from(r, dept) for r in respondents)


# The first case of a case's family (cases/family.py), as a column expression: every case of
# a family shares its petitions. Annotate a case QuerySet with it before using
# `identity_shown_q`.
FAMILY_ROOT = Coalesce("root_id", "pk")


def identity_shown_q(
    user: User, root: str = "family_root", per_row: bool = False, hiding_per_row: bool = False
) -> Q:
    """`can_see_identity(user, case)` for a whole QuerySet of cases at once, as a condition
    on the case row: for lists that may match on protected text (the search, cases/search.py)
    and so must decide every row in the database, never one query per row. The same three
    parts as `can_see_identity`, family by family: the role; the department responsible or
    receiving one of the family's petitions; and no respondent of the family hiding the
    identity from this department (R-PROTECT-1).

    `root` names the column holding the case's family root: "family_root" on cases annotated
    with `family_root=FAMILY_ROOT`; "pk" where the rows are known to be first cases and
    "root_id" where they are known to be cases sent down, so that the condition is on a plain
    indexed column (issue 10: the search asks for it on the families it found).

    `per_row`: the "received" part as an EXISTS on the row's own family (the department's
    petitions of the family root and of the cases sent down from it, by the petitions'
    index on their case), for a statement whose rows are cases_case itself (`root` is then
    not used) and which probes a few of them (the search's newest-first walk), instead of
    the set of every family the department ever received a petition for, which grows with
    the department's history. The same rule either way.

    `hiding_per_row` (with `per_row`): the respondents hiding the identity likewise, the
    row's own family's respondents by their petition, instead of the set of every family
    with a respondent of this department or of a main leader of its jurisdiction, which also
    grows with its history (15 ms of a 20 ms candidates look-up at 1,000,000 cases). For a
    handful of rows (`protections_for`): a walk over thousands of rows pays less for the set
    built once.
    tests/protection/test_search.py and test_candidates_policy.py hold it equal to
    `can_see_identity` for every user and case of the protection world."""
    dept = user.department
    if dept is None or not may_see_some_identity(user):
        return Q(pk__in=[])
    received_q: Q
    if per_row:
        # On the outer row of cases_case itself: by the petitions' index on their case (the
        # "+ 0" keeps SQLite from reading every petition the department received instead).
        root_sql = 'COALESCE("cases_case"."root_id", "cases_case"."id")'
        # PostgreSQL: OFFSET 0 keeps each EXISTS a probe rather than a hashed set of all.
        keep = " OFFSET 0" if connection.vendor == "postgresql" else ""
        received_q = Q(
            RawSQL(
                "(EXISTS (SELECT 1 FROM petitions_petition rp "
                f"WHERE rp.case_id = {root_sql} AND rp.receiving_department_id + 0 = %s{keep}) "
                "OR EXISTS (SELECT 1 FROM cases_case rf "
                "JOIN petitions_petition rp ON rp.case_id = rf.id "
                f"WHERE rf.root_id = {root_sql} AND rp.receiving_department_id + 0 = %s{keep}))",
                [dept.pk, dept.pk],
                BooleanField(),
            )
        )
    else:
        received = (
            Case.objects.filter(petitions__receiving_department=dept)
            .values(family=FAMILY_ROOT)
            .distinct()
        )
        received_q = Q(**{f"{root}__in": received})
    if per_row and hiding_per_row:
        return (Q(department=dept) | received_q) & ~Q(_hiding_in_family_sql(dept))
    # respondent_hides_identity_from, for every respondent at once: this department, or
    # this jurisdiction's main leader, or anyone of this unit. Two parts, each a range of
    # one index of the respondents (an OR across two columns would read them all).
    same_place = Respondent.objects.filter(jurisdiction_id=dept.jurisdiction_id)
    if dept.jurisdiction.level != Level.UNIT:
        same_place = same_place.filter(is_main_leader=True)
    hiding = (
        Respondent.objects.filter(department=dept)
        .order_by()
        .values("petition_id")
        .union(same_place.order_by().values("petition_id"), all=True)
    )
    hidden = Case.objects.filter(petitions__in=hiding).values(family=FAMILY_ROOT).distinct()
    return (Q(department=dept) | received_q) & ~Q(**{f"{root}__in": hidden})


def _hiding_in_family_sql(dept: Department) -> RawSQL:
    """A condition on a row of cases_case: a respondent of one of its family's petitions
    hides the identity from `dept` (`respondent_hides_identity_from`, R-PROTECT-1): of this
    department, or of its jurisdiction and a main leader (anyone there, for a unit). The
    family's petitions by their case (the root's, then those of the cases sent down from
    it), their respondents by their petition; the "+ 0" keeps the respondents' department
    and jurisdiction indexes out of the plan."""
    root_sql = 'COALESCE("cases_case"."root_id", "cases_case"."id")'
    keep = " OFFSET 0" if connection.vendor == "postgresql" else ""
    leader = "" if dept.jurisdiction.level == Level.UNIT else " AND hr.is_main_leader"
    hides = f"(hr.department_id + 0 = %s OR (hr.jurisdiction_id + 0 = %s{leader}))"
    return RawSQL(
        "(EXISTS (SELECT 1 FROM petitions_petition hp "
        "JOIN petitions_respondent hr ON hr.petition_id = hp.id "
        f"WHERE hp.case_id = {root_sql} AND {hides}{keep}) "
        "OR EXISTS (SELECT 1 FROM cases_case hf "
        "JOIN petitions_petition hp ON hp.case_id = hf.id "
        "JOIN petitions_respondent hr ON hr.petition_id = hp.id "
        f"WHERE hf.root_id = {root_sql} AND {hides}{keep}))",
        [dept.pk, dept.jurisdiction_id, dept.pk, dept.jurisdiction_id],
        BooleanField(),
    )


@dataclass(frozen=True)
class PetitionerView:
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool
    shown: bool


@dataclass
class CaseProtection:
    """What `user` may read of `case`'s protected material; built by `protection_for`."""

    user: User
    case: Case
    identity_shown: bool
    _logged: set[int] = field(default_factory=set)

    def record_read(self, petition: Petition) -> None:
        """Each display of protected material is logged once per petition and page."""
        if petition.pk not in self._logged:
            IdentityRead.objects.create(
                user=self.user, petition=petition, case=self.case, read_at=timezone.now()
            )
            self._logged.add(petition.pk)

    def petitioners(self, petition: Petition) -> list[PetitionerView]:
        """The petitioners of `petition`, their identity only where the policy allows."""
        return [view for _, view in self.petitioner_views(petition)]

    def petitioner_views(self, petition: Petition) -> list[tuple[int, PetitionerView]]:
        """`petitioners`, each with its petitioner row's id, in the same order: to pick one
        person out of a petition (the same-person candidates) in the same one statement."""
        links = list(
            PetitionPetitioner.objects.filter(petition=petition)
            .select_related("petitioner")
            .order_by("pk")
        )
        if not links:
            return []
        if not self.identity_shown:
            return [(link.petitioner_id, _hidden_view(link)) for link in links]
        self.record_read(petition)
        return [(link.petitioner_id, _shown_view(link, link.petitioner)) for link in links]

    def content(self, petition: Petition) -> str:
        """The letter's or visit's full text, signed or anonymous alike."""
        if not self.identity_shown:
            return str(HIDDEN)
        self.record_read(petition)
        return petition.content

    def interviews(self, petition: Petition) -> list[Interview]:
        if not self.identity_shown:
            return []
        self.record_read(petition)
        return list(petition.interviews.all())

    def attachments(self, petition: Petition) -> list[Attachment]:
        if not self.identity_shown:
            return []
        self.record_read(petition)
        return list(petition.attachments.all())

    def concerned_cadre(self, petition: Petition) -> ConcernedCadre | None:
        """The cadre a personal request concerns (当事干部), usually the petitioner."""
        if not self.identity_shown:
            return None
        # A reverse one-to-one: select_related("concerned_cadre") saves the query; a missing
        # row raises RelatedObjectDoesNotExist, an AttributeError.
        cadre: ConcernedCadre | None = getattr(petition, "concerned_cadre", None)
        if cadre is not None:
            self.record_read(petition)
        return cadre

    def event_payload(self, payload: Any) -> Any:
        """A timeline payload as this user may read it."""
        if self.identity_shown or not isinstance(payload, dict):
            return payload
        return {k: v for k, v in payload.items() if k not in PROTECTED_PAYLOAD_KEYS}


def _hidden_view(link: PetitionPetitioner) -> PetitionerView:
    hidden = str(HIDDEN)
    return PetitionerView(hidden, hidden, hidden, hidden, link.is_representative, False)


def _shown_view(link: PetitionPetitioner, petitioner: Petitioner) -> PetitionerView:
    return PetitionerView(
        name=petitioner.name,
        id_number=protect.decrypt(petitioner.id_number_encrypted),
        phone=protect.decrypt(petitioner.phone_encrypted),
        address=petitioner.address,
        is_representative=link.is_representative,
        shown=True,
    )


def protection_for(user: User, case: Case) -> CaseProtection:
    """The one decision, per user and case, of what protected material may be read.
    `case` must come from cases.access (the user may see the case itself)."""
    return CaseProtection(user=user, case=case, identity_shown=can_see_identity(user, case))


# `identity_shown_q(user, per_row=True)` compiled to SQL, by what its text depends on: the
# database, the department and its jurisdiction's id and level. Building and compiling the
# condition costs about 1.2 ms of CPU, running it on a few candidate cases 0.3 ms (issue 11:
# the registration form's look-ups ask it at every pause in typing).
_SHOWN_SQL: dict[tuple[str, int, int, str], tuple[str, tuple[Any, ...]]] = {}


def _identity_shown_sql(user: User) -> RawSQL:
    """`identity_shown_q(user, per_row=True, hiding_per_row=True)` as a condition on a row of
    cases_case, for a user who may see some identity (`may_see_some_identity`), compiled once
    per department."""
    dept = user.department
    assert dept is not None
    key = (connection.vendor, dept.pk, dept.jurisdiction_id, dept.jurisdiction.level)
    compiled = _SHOWN_SQL.get(key)
    if compiled is None:
        query = (
            Case.objects.alias(family_root=FAMILY_ROOT)
            .filter(identity_shown_q(user, per_row=True, hiding_per_row=True))
            .query
        )
        sql, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
        compiled = _SHOWN_SQL[key] = (sql, tuple(params))
    return RawSQL(compiled[0], compiled[1], BooleanField())


def protections_for(user: User, cases: Iterable[Case]) -> dict[int, CaseProtection]:
    """`protection_for` for each of `cases` (from cases.access), by case id, decided in one
    statement: `identity_shown_q` on those rows, each probing its own family (per_row), the
    same rule as `can_see_identity` (R-PROTECT-1; tests/protection/test_search.py and
    test_candidates_policy.py hold them equal for every user and case of the protection
    world). For lists of candidates (issue 11), which would otherwise pay one to three
    statements per case."""
    by_pk = {case.pk: case for case in cases}
    shown: set[int] = set()
    if by_pk and may_see_some_identity(user):
        shown = set(
            Case.objects.filter(pk__in=sorted(by_pk))
            .filter(Q(_identity_shown_sql(user)))
            .order_by()
            .values_list("pk", flat=True)
        )
    return {
        pk: CaseProtection(user=user, case=case, identity_shown=pk in shown)
        for pk, case in by_pk.items()
    }


def petitioner_views_of(
    reads: Sequence[tuple[CaseProtection, PetitionPetitioner]],
) -> list[PetitionerView | None]:
    """For each (policy, link of a petition of the policy's case): the link's petitioner as
    `policy.petitioner_views(link.petition)` shows him, for many links at once: the shown
    petitioners' rows in one statement, and their reads logged as `record_read` logs them
    (once per policy and petition, R-PROTECT-1) in one insert. None where the petitioner's
    row is not there."""
    wanted = {link.petitioner_id for policy, link in reads if policy.identity_shown}
    people = Petitioner.objects.in_bulk(sorted(wanted)) if wanted else {}
    views: list[PetitionerView | None] = []
    reads_logged: list[IdentityRead] = []
    now = timezone.now()
    for policy, link in reads:
        if not policy.identity_shown:
            views.append(_hidden_view(link))
            continue
        person = people.get(link.petitioner_id)
        if person is None:
            views.append(None)
            continue
        if link.petition_id not in policy._logged:
            reads_logged.append(
                IdentityRead(
                    user=policy.user, petition_id=link.petition_id, case=policy.case, read_at=now
                )
            )
            policy._logged.add(link.petition_id)
        views.append(_shown_view(link, person))
    if len(reads_logged) == 1:
        # bulk_create wraps its INSERT in a transaction: two statements more on SQLite.
        reads_logged[0].save(force_insert=True)
    elif reads_logged:
        IdentityRead.objects.bulk_create(reads_logged)
    return views
