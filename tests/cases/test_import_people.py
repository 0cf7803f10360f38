"""Issue 11 item 2 on import: each register row whose petitioner may be a person already
registered is listed with the earlier cases, the score and the reasons, through the
protection policy, in a file beside the input. Generated data only."""

from __future__ import annotations

import csv
import re
from io import StringIO
from pathlib import Path

import pytest

from tests.builders import at, register
from tests.cases.import_files import (
    REGISTER_HEADER,
    VALID_ID,
    import_command,
    register_row,
    write_csv,
)
from tests.orgtree import Tree
from xinfang.cases.imports import import_registers
from xinfang.cases.models import Case
from xinfang.petitions.models import ImportedPetition
from xinfang.petitions.respondents import RespondentInput
from xinfang.petitions.services import PetitionerInput

pytestmark = pytest.mark.django_db

ROWS = [
    # Row 2: the phone of 赵六's earlier case at the county, a name that sounds the same and
    # the same address.
    register_row(
        登记编号="D1", 信访人姓名="赵柳", 联系电话="13900000009", 住址="河口县城关镇东街5号"
    ),
    # Row 3: 孙八's phone, known only at the city: the county's registrar sees nothing of it.
    register_row(登记编号="D2", 信访人姓名="孙八", 联系电话="13700000007"),
    # Row 4: nobody known.
    register_row(登记编号="D3", 信访人姓名="周九", 联系电话="13600000006"),
    # Row 5: row 4's phone again, another name: the person of an earlier row of the file.
    register_row(登记编号="D4", 信访人姓名="吴十", 联系电话="13600000006"),
    # Row 6: the ID number of 王建华's earlier case: the same person, found and linked as
    # such by the registration, so not a candidate.
    register_row(登记编号="D5", 信访人姓名="王建华", 身份证号码=VALID_ID),
]


def _earlier(tree: Tree) -> tuple[Case, Case]:
    with at(2026, 2, 1):
        zhao = register(
            tree.county_staff,
            petitioners=[
                PetitionerInput(name="赵六", phone="13900000009", address="河口县城关镇东街5号")
            ],
        )
        register(tree.county_staff)  # 王建华, with VALID_ID
        register(tree.city_staff, petitioners=[PetitionerInput(name="孙八", phone="13700000007")])
    return zhao, Case.objects.get(department=tree.county_org, petitions__petitioners__name="王建华")


def _case_of(row: int) -> str:
    imported = ImportedPetition.objects.select_related("petition__case").get(row_number=row)
    return imported.petition.case.number


def test_a_row_like_a_known_person_is_listed_with_the_earlier_case_and_the_reasons(
    tree: Tree, tmp_path: Path
) -> None:
    zhao, _wang = _earlier(tree)
    path = write_csv(tmp_path / "登记簿.csv", REGISTER_HEADER, ROWS)
    with at(2026, 3, 2):
        report = import_registers(path, actor=tree.county_staff, department=tree.county_org)
    assert report.imported == 5
    got = [(m.row, m.case_number, m.known, m.score, m.reasons) for m in report.people]
    assert got == [
        (
            2,
            _case_of(2),
            (zhao.number,),
            0.92,
            ("电话号码相同", "姓名同音，住址相近（相似度100%）"),
        ),
        (5, _case_of(5), (_case_of(4),), 0.8, ("电话号码相同",)),
    ]
    assert report.people_file == tmp_path / "登记簿.同一人候选.csv"
    with report.people_file.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines == [
        ["行号", "本次登记的案件", "可能为同一人的已登记案件", "评分", "依据"],
        [
            "2",
            _case_of(2),
            zhao.number,
            "0.92",
            "电话号码相同；姓名同音，住址相近（相似度100%）",
        ],
        ["5", _case_of(5), _case_of(4), "0.80", "电话号码相同"],
    ]
    # No name, phone or address of anyone in the file: the registrar opens the cases.
    text = report.people_file.read_text(encoding="utf-8-sig")
    assert not re.search("赵|孙八|吴十|周九|139|137|136|城关镇", text)


def test_without_candidates_nothing_is_looked_up_or_written(tree: Tree, tmp_path: Path) -> None:
    _earlier(tree)
    path = write_csv(tmp_path / "登记簿.csv", REGISTER_HEADER, ROWS)
    with at(2026, 3, 2):
        report = import_registers(
            path, actor=tree.county_staff, department=tree.county_org, people=False
        )
    assert (report.imported, report.people, report.people_file) == (5, [], None)
    assert not (tmp_path / "登记簿.同一人候选.csv").exists()


def _command(tree: Tree, tmp_path: Path, *extra: str) -> StringIO:
    """`xinfang import registers` of ROWS into the county by its registrar; its output."""
    _earlier(tree)
    path = write_csv(tmp_path / "登记簿.csv", REGISTER_HEADER, ROWS)
    with at(2026, 3, 2):
        return import_command("registers", path, tree.county_org.pk, *extra)


def test_the_command_says_how_many_rows_and_where(tree: Tree, tmp_path: Path) -> None:
    out = _command(tree, tmp_path)
    assert (
        f"2 行的信访人可能是已登记过的人，已列入 {tmp_path / '登记簿.同一人候选.csv'}"
        in out.getvalue()
    )
    assert "请逐件核对" in out.getvalue()


def test_the_command_can_skip_the_look_up(tree: Tree, tmp_path: Path) -> None:
    out = _command(tree, tmp_path, "--no-candidates")
    assert "同一人" not in out.getvalue()
    assert not (tmp_path / "登记簿.同一人候选.csv").exists()


def test_a_person_known_only_where_the_policy_hides_them_is_not_listed(
    tree: Tree, tmp_path: Path
) -> None:
    """R-PROTECT-1: the earlier case accuses someone of the county's own department, so its
    accuser's identity is hidden from the county: the row is registered, and nothing tells
    the county's registrar that its petitioner wrote before."""
    with at(2026, 2, 1):
        register(
            tree.county_staff,
            petitioners=[PetitionerInput(name="郑十一", phone="13500000005")],
            respondents=[
                RespondentInput(name="某科长", post_title="科长", department=tree.county_org)
            ],
        )
    path = write_csv(
        tmp_path / "登记簿.csv",
        REGISTER_HEADER,
        [register_row(登记编号="D1", 信访人姓名="郑十一", 联系电话="13500000005")],
    )
    with at(2026, 3, 2):
        report = import_registers(path, actor=tree.county_staff, department=tree.county_org)
    assert (report.imported, report.people, report.people_file) == (1, [], None)


def test_the_sound_of_the_name_with_the_address_alone_is_enough(tree: Tree, tmp_path: Path) -> None:
    """No phone, no ID number: a name that sounds like 赵六's with his address is still
    looked up (the file-wide pre-check counts name sounds as a shared key)."""
    zhao, _wang = _earlier(tree)
    rows = [register_row(登记编号="D1", 信访人姓名="赵留", 住址="河口县城关镇东街5号")]
    path = write_csv(tmp_path / "登记簿.csv", REGISTER_HEADER, rows)
    with at(2026, 3, 2):
        report = import_registers(path, actor=tree.county_staff, department=tree.county_org)
    assert [(m.row, m.known, m.score, m.reasons) for m in report.people] == [
        (2, (zhao.number,), 0.6, ("姓名同音，住址相近（相似度100%）",))
    ]
