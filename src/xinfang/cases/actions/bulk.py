"""Registering many petitions at once: the batch import's write path (docs/imports.md).

Each row goes through exactly the registration form's checks (`registration_check`, the
function `petition_register` calls) and becomes exactly the rows `petition_register` would
write (the same row builders: `petitioner_values`, `petition_values`, `respondent_row`,
`new_case_values`, `register_payload`; the same timeline hashing through
`append_opening_events`). What differs is only how they reach the database: plain rows
instead of model instances (core/bulk.py `Row`), one INSERT per table for the whole batch,
one UPDATE of the case-number counter, one lock of the ledger.
`tests/cases/test_bulk_register.py` registers the same rows both ways and compares the
stored rows.

Every row opens a new case: the import (cases/imports.py) sends the rows that may repeat an
earlier petition word for word through `petition_register` instead, which makes the
automatic repeat link (issue 11).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from xinfang.cases.actions.intake import (
    CheckedRegistration,
    _require_role,
    case_number_year,
    new_case_values,
    register_payload,
    registration_check,
)
from xinfang.cases.models import Case
from xinfang.cases.numbering import reserve_case_numbers
from xinfang.cases.search import Family, index_new_petitions
from xinfang.cases.timeline import OpeningEvent, append_opening_events
from xinfang.core.bulk import Row, draw_ids, insert_rows, insert_values, new_row
from xinfang.matching.index import petitions_index_batch
from xinfang.matching.minhash import text_index
from xinfang.orgs.models import User
from xinfang.petitions import protect
from xinfang.petitions.models import (
    ConcernedCadre,
    Interview,
    Petition,
    Petitioner,
    PetitionPetitioner,
    Respondent,
)
from xinfang.petitions.services import (
    PetitionerInput,
    PetitionPlace,
    RegistrationInput,
    concerned_cadre_row,
    interview_row,
    petition_values,
    petitioner_values,
    respondent_row,
)


@dataclass
class BatchRegistration:
    """One registered row: its petition and case (ids), and whether it is a first petition."""

    petition_id: int
    case_id: int
    is_first: bool


@dataclass
class _Person:
    """A petitioner input resolved to a row: existing (a model instance), or new in this
    batch (a plain row)."""

    row: Petitioner | Row
    is_representative: bool


def registrations_check(
    *, actor: User, rows: Sequence[RegistrationInput]
) -> list[tuple[CheckedRegistration, list[str]]]:
    """The form's checks on every row (R-INTAKE-1 to 6, R-PROTECT-1): each row's problems,
    in Chinese, empty when the row may be registered."""
    dept = _require_role(actor, "register")
    checked = []
    for data in rows:
        errors: list[str] = []
        checked.append((registration_check(dept, data, errors), errors))
    return checked


def petitions_register_batch(
    *,
    actor: User,
    rows: Sequence[CheckedRegistration],
    texts: Sequence[tuple[str, list[int]]] | None = None,
) -> list[BatchRegistration]:
    """Register rows that passed `registrations_check` (R-INTAKE-1, R-INTAKE-5), each as a
    new case, in one transaction: all rows or none. Same rows as `petition_register`.
    `texts`, if given, is `minhash.text_index` of each row's text as stored
    (`stored_content`), computed by the caller already.

    The case, petition, petitioner and event rows are plain rows (core/bulk.py `Row`): the
    values of the same builders (`new_case_values`, `petition_values`, `petitioner_values`)
    with the fields' defaults, never model instances; the events' snapshots and record
    digests are computed from those values (`append_opening_events`)."""
    dept = _require_role(actor, "register")
    if not rows:
        return []
    now = timezone.now()
    with transaction.atomic(), protect.key_checked_once():
        people = _resolve_people(rows)
        is_first = _first_petitions(people)
        numbers = reserve_case_numbers(dept, case_number_year(now), len(rows))
        cases = [
            new_row(
                Case,
                new_case_values(
                    dept=dept,
                    number=number,
                    previous=None,
                    summary=row.data.summary,
                    category=row.data.category,
                    nature=row.data.nature,
                    is_collective=row.data.is_collective,
                    now=now,
                ),
            )
            for row, number in zip(rows, numbers, strict=True)
        ]
        # PostgreSQL: the cases' ids drawn now and their rows written last, with the
        # timeline heads already set; written first, each row was written again by the
        # heads' UPDATE, a new version in all 21 indexes of the cases table (an eighth of
        # an import at a million, docs/imports.md). The foreign keys to the cases are
        # checked at commit. SQLite gives ids only as it inserts: cases first, heads after.
        heads_at_insert = connection.vendor == "postgresql"
        if heads_at_insert:
            for case, pk in zip(cases, draw_ids(Case, len(cases)), strict=True):
                case.pk = pk
        else:
            insert_rows(cases)
        petitions = [
            new_row(
                Petition,
                petition_values(
                    row.data,
                    PetitionPlace(
                        case_id=case.pk,
                        registrar=actor,
                        department=dept,
                        now=now,
                        is_repeat=False,
                        is_first=first,
                    ),
                    people_count=len(persons),
                ),
            )
            for row, case, first, persons in zip(rows, cases, is_first, people, strict=True)
        ]
        insert_rows(petitions)
        insert_values(
            PetitionPetitioner,
            ["petition", "petitioner", "is_representative"],
            [
                (petition.pk, p.row.pk, p.is_representative)
                for petition, persons in zip(petitions, people, strict=True)
                for p in persons
            ],
        )
        # Issue 11: the matching index is written with the petitions, in their transaction.
        if texts is None:
            texts = [text_index(petition.content) for petition in petitions]
        petitions_index_batch(
            [
                (petition.pk, digest, keys)
                for petition, (digest, keys) in zip(petitions, texts, strict=True)
            ],
            [(p.row.pk, p.row.name) for persons in people for p in persons],
        )
        covered = _content_rows(rows, petitions)
        # The search index, as `petition_register` writes it (issue 10): an imported
        # petition is found by search from the moment its batch commits. `texts_of` reads
        # the petition's columns (summary, content), which the plain row holds.
        index_new_petitions(
            [
                (
                    cast(Petition, petition),
                    [r for r in records if isinstance(r, Respondent)],
                    [p.row.name for p in persons],
                )
                for petition, records, persons in zip(petitions, covered, people, strict=True)
            ],
            # Each row opened a case of its own (no root, nothing sent down yet).
            families={
                petition.pk: Family.new_case(case.pk, dept.pk, case.registered_at)
                for petition, case in zip(petitions, cases, strict=True)
            },
        )
        append_opening_events(
            [
                OpeningEvent(
                    case=case,
                    kind="register",
                    payload=register_payload(petition, row.data, is_first=first, is_repeat=False),
                    records=records,
                )
                for row, case, petition, first, records in zip(
                    rows, cases, petitions, is_first, covered, strict=True
                )
            ],
            actor=actor,
            cases_inserted=not heads_at_insert,
        )
        if heads_at_insert:
            insert_rows(cases, ids_drawn=True)
    return [
        BatchRegistration(petition_id=petition.pk, case_id=case.pk, is_first=first)
        for petition, case, first in zip(petitions, cases, is_first, strict=True)
    ]


def _resolve_people(rows: Sequence[CheckedRegistration]) -> list[list[_Person]]:
    """Each row's petitioners as `petitioner_find_or_create` finds them, row after row: the
    same ID number (keyed hash) is the same person, and so is the same online account for
    someone without an ID number; the earliest row wins, as `.first()` does. People new in
    the batch are inserted at once and found by the rows after them."""
    id_hashes: dict[str, str] = {}
    account_hashes: dict[str, str] = {}
    for row in rows:
        for p, id_number in row.people:
            if id_number:
                id_hashes[id_number] = protect.match_hash(id_number)
            elif p.account.strip():
                account_hashes[p.account.strip()] = protect.match_hash(p.account.strip())
    by_id: dict[str, Petitioner | Row] = {}
    by_account: dict[str, Petitioner | Row] = {}
    if id_hashes:
        for person in Petitioner.objects.filter(
            id_number_hash__in=set(id_hashes.values())
        ).order_by("-pk"):
            by_id[person.id_number_hash] = person  # lowest pk last: the one .first() returns
    if account_hashes:
        for person in Petitioner.objects.filter(
            account_hash__in=set(account_hashes.values())
        ).order_by("-pk"):
            by_account[person.account_hash] = person
    resolved: list[list[_Person]] = []
    new: list[Row] = []
    for row in rows:
        persons = []
        for p, id_number in row.people:
            found = _find(p, id_number, id_hashes, account_hashes, by_id, by_account)
            if found is None:
                found = new_row(Petitioner, petitioner_values(p, id_number))
                new.append(found)
                # Found by later rows, as the saved row would be; an account reaches a
                # person registered with an ID number too (`petitioner_find_or_create`
                # looks accounts up among every petitioner).
                if found.id_number_hash:
                    by_id.setdefault(found.id_number_hash, found)
                if found.account_hash:
                    by_account.setdefault(found.account_hash, found)
            persons.append(_Person(row=found, is_representative=p.is_representative))
        resolved.append(persons)
    insert_rows(new)
    return resolved


def _find(
    p: PetitionerInput,
    id_number: str,
    id_hashes: dict[str, str],
    account_hashes: dict[str, str],
    by_id: dict[str, Petitioner | Row],
    by_account: dict[str, Petitioner | Row],
) -> Petitioner | Row | None:
    if id_number:
        return by_id.get(id_hashes[id_number])
    if p.account.strip():
        return by_account.get(account_hashes[p.account.strip()])
    return None


def _first_petitions(people: list[list[_Person]]) -> list[bool]:
    """R-INTAKE-5 as `earlier_petition_count` decides it, row after row: a petition is a
    first one unless one of its people already has a petition, the people without an ID
    number counted also by the same phone number (keyed hash)."""
    # Every person has a pk by now (new ones were inserted by `_resolve_people`).
    existing = {p.row.pk for persons in people for p in persons}
    phones = {
        p.row.phone_hash
        for persons in people
        for p in persons
        if p.row.phone_hash and not p.row.id_number_hash
    }
    known_people = set(
        PetitionPetitioner.objects.filter(petitioner_id__in=existing).values_list(
            "petitioner_id", flat=True
        )
    )
    known_phones: set[str] = set()
    if phones:
        known_phones = set(
            PetitionPetitioner.objects.filter(petitioner__phone_hash__in=phones).values_list(
                "petitioner__phone_hash", flat=True
            )
        )
    answers = []
    for persons in people:
        seen = any(p.row.pk in known_people for p in persons) or any(
            p.row.phone_hash in known_phones
            for p in persons
            if p.row.phone_hash and not p.row.id_number_hash
        )
        answers.append(not seen)
        for p in persons:
            known_people.add(p.row.pk)
            if p.row.phone_hash:
                known_phones.add(p.row.phone_hash)
    return answers


def _content_rows(
    rows: Sequence[CheckedRegistration], petitions: Sequence[Row]
) -> list[list[Model | Row]]:
    """Each petition's respondents, cadre concerned and interview, inserted per table; the
    records each registration event digests, in `petition_write`'s order. The few rows that
    have any are built by the form's builders on a petition instance holding only the id
    (they read nothing else of it)."""
    respondents: list[list[Respondent]] = []
    cadres: list[ConcernedCadre | None] = []
    interviews: list[Interview | None] = []
    for row, petition in zip(rows, petitions, strict=True):
        data = row.data
        if not row.respondents and data.concerned_cadre is None and data.interview is None:
            respondents.append([])
            cadres.append(None)
            interviews.append(None)
            continue
        held = Petition(pk=petition.pk)
        respondents.append([respondent_row(held, r) for r in row.respondents])
        cadres.append(
            None
            if data.concerned_cadre is None
            else concerned_cadre_row(held, data.concerned_cadre)
        )
        interviews.append(None if data.interview is None else interview_row(held, data.interview))
    insert_rows([r for group in respondents for r in group])
    insert_rows([c for c in cadres if c is not None])
    insert_rows([i for i in interviews if i is not None])
    through = Interview.receivers.through
    links = [
        through(interview_id=interview.pk, user_id=user.pk)
        for row, interview in zip(rows, interviews, strict=True)
        if interview is not None and row.data.interview is not None
        for user in {u.pk: u for u in row.data.interview.receivers}.values()
    ]
    insert_rows(links, returning=False)
    covered: list[list[Model | Row]] = []
    for petition, group, cadre, interview in zip(
        petitions, respondents, cadres, interviews, strict=True
    ):
        records: list[Model | Row] = [petition, *group]
        if cadre is not None:
            records.append(cadre)
        if interview is not None:
            records.append(interview)
        covered.append(records)
    return covered
