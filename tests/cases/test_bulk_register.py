"""The batch import writes exactly what registering the rows one by one writes.

The same generated files are imported twice, inside a savepoint rolled back in between:
once through the batch path (`petitions_register_batch`), once through `petition_register`,
the action the registration form calls. Every stored row of every table the registration
touches is compared, ids replaced by their order, encrypted identifiers by what they
decrypt to; both timelines pass the audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Model

from tests.builders import at, registration
from tests.cases.import_files import (
    MESSAGE_HEADER,
    MESSAGES,
    REGISTER_HEADER,
    REGISTERS,
    register_row,
    write_csv,
)
from tests.orgtree import Tree
from xinfang.cases.imports import ImportReport, import_messages, import_registers
from xinfang.cases.models import (
    Case,
    CaseEvent,
    CaseLedgerEntry,
    CaseNumberSequence,
    SearchEntry,
)
from xinfang.cases.search import FTS_TABLE
from xinfang.cases.timeline import verify_chains
from xinfang.matching.models import MatterBand, MatterText, PersonKey
from xinfang.petitions import protect
from xinfang.petitions.models import (
    ImportedPetition,
    Interview,
    Petition,
    Petitioner,
    PetitionPetitioner,
    Respondent,
)
from xinfang.petitions.services import PetitionerInput, online_account


class _Rollback(Exception):
    pass


def _rows(
    model: type[Model], ids: dict[str, dict[int, int]], *, skip: tuple[str, ...] = ()
) -> list[Any]:
    """Every row of `model` in id order, ids as positions, references as positions."""
    name = model._meta.model_name
    assert name is not None
    order = list(model._meta.default_manager.order_by("pk").values_list("pk", flat=True))
    ids[name] = {pk: i for i, pk in enumerate(order)}
    out = []
    for values in model._meta.default_manager.order_by("pk").values():
        row: dict[str, Any] = {}
        for key, value in values.items():
            if key == "id" or key in skip:
                continue
            target = {
                "case_id": "case",
                "petition_id": "petition",
                "petitioner_id": "petitioner",
                "interview_id": "interview",
            }.get(key)
            row[key] = ids[target].get(value, ("before", value)) if target else value
        out.append(row)
    return out


def _snapshot() -> dict[str, Any]:
    ids: dict[str, dict[int, int]] = {}
    shot: dict[str, Any] = {}
    shot["case"] = _rows(Case, ids, skip=("last_event_hash",))
    shot["petitioner"] = [
        {
            **r,
            "decrypted": protect.decrypt(p.id_number_encrypted)
            + "|"
            + protect.decrypt(p.phone_encrypted)
            + "|"
            + protect.decrypt(p.account_encrypted),
        }
        for r, p in zip(
            _rows(
                Petitioner,
                ids,
                skip=("id_number_encrypted", "phone_encrypted", "account_encrypted"),
            ),
            Petitioner.objects.order_by("pk"),
            strict=True,
        )
    ]
    shot["petition"] = _rows(Petition, ids)
    shot["link"] = _rows(PetitionPetitioner, ids)
    shot["respondent"] = _rows(Respondent, ids)
    shot["interview"] = _rows(Interview, ids)
    shot["receivers"] = _rows(Interview.receivers.through, ids)
    shot["imported"] = _rows(ImportedPetition, ids, skip=("imported_at",))
    # Issue 11: the matching index is written by both paths alike.
    shot["matter_text"] = sorted(
        (ids["petition"][t.petition_id], t.digest) for t in MatterText.objects.all()
    )
    shot["matter_band"] = sorted(
        (ids["petition"][b.petition_id], b.key) for b in MatterBand.objects.all()
    )
    shot["person_key"] = sorted(
        (ids["petitioner"][k.petitioner_id], k.sound_hash) for k in PersonKey.objects.all()
    )
    # Issue 10: both paths index the petitions for search in their transaction.
    # With the family each entry keeps: its root and its departments' tags (the batch path
    # names them from the rows it wrote; the form's reads them back; the departments are
    # the same rows in both runs).
    shot["search"] = sorted(
        (
            ids["petition"][e.petition_id],
            e.public_text,
            e.protected_text,
            e.version,
            e.tagged,
            ids["case"][e.family] if e.family is not None else None,
            e.departments,
        )
        for e in SearchEntry.objects.all()
    )
    shot["search_index"] = _bigram_index(ids["petition"])
    shot["numbers"] = list(CaseNumberSequence.objects.values_list("year", "last_value"))
    shot["ledger"] = list(CaseLedgerEntry.objects.order_by("seq").values_list("seq", "number"))
    events = []
    for e in CaseEvent.objects.order_by("pk"):
        payload = dict(e.payload)
        payload["petition"] = ids["petition"][payload["petition"]]
        events.append(
            [
                ids["case"][e.case_id],
                e.seq,
                e.kind,
                e.actor_id,
                e.from_state,
                e.to_state,
                payload,
                e.case_after,
                [r[0] for r in e.records],
                e.created_at,
            ]
        )
    shot["events"] = events
    assert list(verify_chains()) == []
    return shot


def _bigram_index(positions: dict[int, int]) -> list[Any]:
    """The bigram index beside the entries: on SQLite the FTS5 table's rows (contentless: its
    tokens cannot be read back, but a token of every petition must find it), on PostgreSQL
    the tsvector of each entry."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE}")
            return sorted(positions[pk] for (pk,) in cursor.fetchall())
        cursor.execute("SELECT petition_id, tokens::text FROM cases_searchentry")
        return sorted((positions[pk], tokens) for pk, tokens in cursor.fetchall())


def _twice(run: Any) -> tuple[dict[str, Any], dict[str, Any], ImportReport, ImportReport]:
    shots = []
    reports = []
    for one_by_one in (False, True):
        try:
            with transaction.atomic():
                reports.append(run(one_by_one))
                shots.append(_snapshot())
                raise _Rollback
        except _Rollback:
            pass
    return shots[0], shots[1], reports[0], reports[1]


def _import_twice(
    tree: Tree, path: Path, *, messages: bool, batch_size: int
) -> tuple[dict[str, Any], dict[str, Any], ImportReport, ImportReport]:
    """`path` imported into the county by its staff member both ways (`_twice`)."""
    command = import_messages if messages else import_registers

    def run(one_by_one: bool) -> ImportReport:
        return command(
            path,
            actor=tree.county_staff,
            department=tree.county_org,
            batch_size=batch_size,
            one_by_one=one_by_one,
        )

    return _twice(run)


@pytest.mark.django_db
def test_messages_batch_equals_one_by_one(tree: Tree, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "board.csv", MESSAGE_HEADER, MESSAGES)
    with at(2026, 3, 2):
        # u900 wrote before: registered by hand under the board account.
        registration(
            tree.county_staff,
            channel="online",
            petitioners=[
                PetitionerInput(name="网民u900", account=online_account("网上留言板", "u900"))
            ],
        )
        batch, single, batch_report, single_report = _import_twice(
            tree, path, messages=True, batch_size=4
        )
    assert (batch_report.imported, batch_report.rejected) == (5, 4)
    assert (single_report.imported, single_report.rejected) == (5, 4)
    assert [p.row for p in batch_report.problems] == [p.row for p in single_report.problems]
    assert batch == single
    # The answers, written here: m1 first; m3 is u001 again; m7 is u900, known before.
    firsts = [p["is_first"] for p in batch["petition"]]
    assert firsts == [True, True, True, False, False, True]  # the hand-registered one first
    assert len(batch["events"]) == 6
    assert len(batch["search"]) == 6  # every petition indexed for search, on both paths


@pytest.mark.django_db
def test_registers_batch_equals_one_by_one(tree: Tree, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "register.csv", REGISTER_HEADER, REGISTERS)
    with at(2026, 3, 2):
        batch, single, batch_report, single_report = _import_twice(
            tree, path, messages=False, batch_size=3
        )
    assert (batch_report.imported, batch_report.rejected) == (8, 3)
    assert [p.message for p in batch_report.problems] == [p.message for p in single_report.problems]
    assert batch == single
    # D1 first; D2 the same ID number; D3 first; D4 the same phone; D5, D6, D7, D11 first.
    assert [p["is_first"] for p in batch["petition"]] == [
        True,
        False,
        True,
        False,
        True,
        True,
        True,
        True,
    ]
    assert len(batch["respondent"]) == 1
    assert len(batch["interview"]) == 1
    assert len(batch["receivers"]) == 1


# GB 11643-valid, fictional.
ID_ZHANG = "110101198805120039"
ID_LI = "110101199208170040"
ID_SUN = "110101197503010059"


@pytest.mark.django_db
def test_r_intake_5_first_petitions_in_a_batch_as_the_form_decides_them(
    tree: Tree, tmp_path: Path
) -> None:
    """R-INTAKE-5 in the batch path (`_first_petitions`), each case the form's way
    (`earlier_petition_count`): a person with an ID number is known by it alone, one
    without by the phone too, within a batch as across batches and against stored people.
    Batches of two, in the order received: (张明, 李强) both with ID numbers and one phone;
    (王芳, 赵丽) without ID numbers, one phone; (孙伟) known before the import."""
    with at(2026, 3, 2):
        # A person on file with no petition, so that people's ids run ahead of the links'.
        Petitioner.objects.create(name="甲")
        registration(
            tree.county_staff, petitioners=[PetitionerInput(name="孙伟", id_number=ID_SUN)]
        )
        rows = [
            register_row(登记编号="F1", 收到日期="2025-03-01", 信访人姓名="张明",
                         身份证号码=ID_ZHANG, 联系电话="13700000001"),
            register_row(登记编号="F2", 收到日期="2025-03-01", 信访人姓名="李强",
                         身份证号码=ID_LI, 联系电话="13700000001"),
            register_row(登记编号="F3", 收到日期="2025-03-02", 信访人姓名="王芳",
                         联系电话="13700000002"),
            register_row(登记编号="F4", 收到日期="2025-03-02", 信访人姓名="赵丽",
                         联系电话="13700000002"),
            register_row(登记编号="F5", 收到日期="2025-03-03", 信访人姓名="孙伟",
                         身份证号码=ID_SUN),
        ]  # fmt: skip
        path = write_csv(tmp_path / "firsts.csv", REGISTER_HEADER, rows)
        batch, single, batch_report, _single_report = _import_twice(
            tree, path, messages=False, batch_size=2
        )
    assert (batch_report.imported, batch_report.rejected) == (5, 0)
    assert batch == single
    imported = [p["is_first"] for p in batch["petition"]][1:]  # after the hand-registered one
    # 张明 first; 李强 first (his own ID number: a shared phone does not make him 张明);
    # 王芳 first; 赵丽 not (no ID number, 王芳's phone); 孙伟 not (on file before).
    assert imported == [True, True, True, False, False]
