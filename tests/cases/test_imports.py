"""`xinfang import messages|registers`: idempotent, resumable, rejected rows reported in
Chinese by row and column (docs/imports.md). Generated files only."""

from __future__ import annotations

import csv
import datetime as dt
import re
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from tests.builders import VALID_ID, at, registration
from tests.cases.import_files import (
    MESSAGE_HEADER,
    MESSAGES,
    REGISTER_HEADER,
    REGISTERS,
    import_command,
    message,
    register_row,
    write_csv,
    write_xlsx,
)
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.cases import imports
from xinfang.cases.imports import import_messages, import_registers
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.timeline import verify_chains
from xinfang.core.errors import RuleViolation
from xinfang.petitions import protect
from xinfang.petitions.imports import ImportFileError, parse_date
from xinfang.petitions.keys import ENCRYPTED_FIELDS
from xinfang.petitions.models import Channel, ImportedPetition, Petition, Petitioner
from xinfang.petitions.services import PetitionerInput

pytestmark = pytest.mark.django_db


def _messages(tree: Tree, path: Path, **kw: object) -> imports.ImportReport:
    return import_messages(path, actor=tree.county_staff, department=tree.county_org, **kw)  # type: ignore[arg-type]


def _command(tree: Tree, path: Path, *extra: str, err: StringIO | None = None) -> StringIO:
    """`xinfang import messages` of `path` into the county by its registrar; its output
    (its progress and refusals go to `err`)."""
    return import_command("messages", path, tree.county_org.pk, *extra, err=err)


def test_a_message_becomes_an_online_petition_named_by_its_account(
    tree: Tree, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "b.csv", MESSAGE_HEADER, [message(1, "u001", "2025-05-01 00:30:00")]
    )
    with at(2026, 3, 2):
        report = _messages(tree, path)
    assert report.imported == 1
    petition = Petition.objects.get()
    assert petition.channel == Channel.ONLINE
    assert petition.summary == "关于第1号小区物业收费的问题"
    # Half past midnight in Beijing is still 1 May (30 April in UTC).
    assert petition.received_on == dt.date(2025, 5, 1)
    record = ImportedPetition.objects.get()
    assert (record.source, record.external_id, record.row_number) == ("网上留言板", "m1", 2)
    assert timezone.localtime(record.received_at) == timezone.make_aware(
        dt.datetime(2025, 5, 1, 0, 30)
    )
    person = Petitioner.objects.get()
    assert person.name == "网民u001"
    assert not petition.is_anonymous
    assert protect.decrypt(person.account_encrypted) == "网上留言板:u001"
    assert person.account_hash == protect.match_hash("网上留言板:u001")
    assert list(verify_chains()) == []


def test_a_rerun_adds_nothing(tree: Tree, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, MESSAGES)
    with at(2026, 3, 2):
        first = _messages(tree, path)
        second = _messages(tree, path)
    assert (first.imported, first.already) == (5, 0)
    # The row repeating m2's id counts as in already: m2 is.
    assert (second.imported, second.already) == (0, 6)
    assert Petition.objects.count() == 5
    assert Case.objects.count() == 5


def test_rejected_rows_name_row_column_and_reason(tree: Tree, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, MESSAGES)
    with at(2026, 3, 2):
        report = _messages(tree, path)
    found = [(p.row, p.column, p.message) for p in report.problems]
    assert found == [
        (5, "留言标题", "内容摘要不能为空。"),
        (6, "留言时间", "留言时间“5月5日”无法识别，应为如 2019-02-28 11:25:05。"),
        (7, "留言时间", "收到日期不能晚于今天。"),
        (9, "留言编号", "留言编号与第3行重复。"),
    ]
    assert report.rejected_file == tmp_path / "b.未导入.csv"
    with report.rejected_file.open(encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][:4] == ["行号", "列", "原因", "id"]
    assert lines[1][:4] == ["5", "留言标题", "内容摘要不能为空。", "m4"]


def test_a_crash_mid_file_resumes_where_it_stopped(tree: Tree, tmp_path: Path) -> None:
    rows = [message(n, f"u{n:03d}", "2025-05-01 10:00:00") for n in range(1, 8)]
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, rows)
    real = imports.petitions_register_batch
    calls = []

    def crash_on_second(**kw: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(**kw)  # type: ignore[arg-type]

    with at(2026, 3, 2):
        with (
            mock.patch.object(imports, "petitions_register_batch", crash_on_second),
            pytest.raises(OSError, match="disk full"),
        ):
            _messages(tree, path, batch_size=3)
        # The first batch is in, whole; nothing of the second.
        assert sorted(ImportedPetition.objects.values_list("external_id", flat=True)) == [
            "m1",
            "m2",
            "m3",
        ]
        assert Petition.objects.count() == 3
        report = _messages(tree, path, batch_size=3)
    assert (report.imported, report.already) == (4, 3)
    assert Petition.objects.count() == 7
    assert list(verify_chains()) == []


def test_the_command_reports_progress_and_totals(tree: Tree, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, MESSAGES)
    err = StringIO()
    with at(2026, 3, 2):
        out = _command(tree, path, "--batch", "4", err=err)
    assert "共 9 行：导入 5 行，此前已导入 0 行，未导入 4 行" in out.getvalue()
    assert "第5行“留言标题”列：内容摘要不能为空。" in err.getvalue()
    # Progress after each batch of four, on one line rewritten in place.
    shown = re.findall(r"\r已处理 (\d+)/9 行（[\d,]+ 行/秒）", err.getvalue())
    assert shown == ["4", "8", "9"]


def test_the_default_batch_is_the_engines(tree: Tree, tmp_path: Path) -> None:
    """docs/imports.md, "Batch size": 2,000 rows a transaction on SQLite, 500 on PostgreSQL
    (where a batch holds the creation ledger's lock the desk waits for). 501 messages are
    one batch on SQLite, two on PostgreSQL: the progress line says so."""
    expected = ["501"] if connection.vendor == "sqlite" else ["500", "501"]
    assert imports.default_batch() == (2000 if connection.vendor == "sqlite" else 500)
    rows = [message(i, f"u{i}", "2026-03-01 09:00:00") for i in range(501)]
    path = write_csv(tmp_path / "many.csv", MESSAGE_HEADER, rows)
    err = StringIO()
    with at(2026, 3, 2):
        _command(tree, path, err=err)
    assert re.findall(r"\r已处理 (\d+)/501 行", err.getvalue()) == expected


@pytest.mark.parametrize("batch", ["0", "-3"])
def test_the_command_refuses_a_batch_of_no_rows(tree: Tree, tmp_path: Path, batch: str) -> None:
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, MESSAGES)
    with pytest.raises(CommandError, match="每批写入的行数须为正整数。"):
        _command(tree, path, "--batch", batch)
    assert not Petition.objects.exists()
    # The service itself refuses it, whoever calls it.
    with pytest.raises(RuleViolation, match="每批写入的行数须为正整数。"):
        _messages(tree, path, batch_size=int(batch))
    assert not Petition.objects.exists()


def test_the_command_refuses_a_registrar_of_another_department(tree: Tree, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, MESSAGES)
    with pytest.raises(CommandError, match="登记人city不属于河口县委组织部"):
        call_command(
            "import",
            "messages",
            str(path),
            "--department",
            "河口县委组织部",
            "--registrar",
            "city",
        )
    assert Petition.objects.count() == 0


def test_a_file_without_a_required_column_is_refused_whole(tree: Tree, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", ["id", "user", "title", "text"], [["m1", "u1", "t", "x"]])
    with pytest.raises(ImportFileError, match="文件缺少必需的列：留言时间"):
        _messages(tree, path)


def test_registers_from_excel_write_the_rejected_rows_beside_it(tree: Tree, tmp_path: Path) -> None:
    rows = [*REGISTERS, register_row(登记编号="D12", 信访人姓名="=HYPERLINK(1)", 信访形式="写信")]
    path = write_xlsx(tmp_path / "登记簿.xlsx", REGISTER_HEADER, rows)
    with at(2026, 3, 2):
        report = import_registers(path, actor=tree.county_staff, department=tree.county_org)
        again = import_registers(path, actor=tree.county_staff, department=tree.county_org)
    assert (report.imported, report.rejected) == (8, 4)
    assert (again.imported, again.already) == (0, 8)
    found = [(p.row, p.column, p.message) for p in report.problems]
    assert found == [
        (9, "接谈人", "来访须同时填写接谈记录（R-INTAKE-2）。"),
        (10, "身份证号码", "第1位信访人（王建华）：身份证号码校验位不正确，请核对后重新输入。"),
        (
            11,
            "问题类别",
            "问题类别“工资”无法识别，应为：党的建设、领导班子和组织干部制度、"
            "领导干部和组织干部工作中的不正之风、落实政策和历史遗留问题、"
            "入党和参加工作时间、离退休、职级待遇、不属于组织部门业务范围。",
        ),
        (13, "信访形式", "信访形式“写信”无法识别，应为来信、来访、来电或网上信访。"),
    ]
    assert report.rejected_file == tmp_path / "登记簿.未导入.xlsx"
    sheet = load_workbook(report.rejected_file).worksheets[0]
    lines = [[c.value for c in row] for row in sheet.iter_rows()]
    assert lines[0][:4] == ["行号", "列", "原因", "登记编号"]
    assert lines[4][:3] == [
        "13",
        "信访形式",
        "信访形式“写信”无法识别，应为来信、来访、来电或网上信访。",
    ]
    # A cell that looks like a formula stays text.
    cell = sheet.cell(row=5, column=7)
    assert (cell.value, cell.data_type != "f") == ("=HYPERLINK(1)", True)
    visit = Petition.objects.get(channel=Channel.VISIT)
    assert visit.interviews.get().interviewed_at == timezone.make_aware(
        dt.datetime(2025, 3, 2, 9, 30)
    )
    assert list(verify_chains()) == []


def test_the_account_is_rotated_with_the_other_identifiers() -> None:
    assert ("account_encrypted", "account_hash") in dict(ENCRYPTED_FIELDS)["petitions.Petitioner"]


def test_only_a_registrar_imports(tree: Tree, tmp_path: Path) -> None:
    handler = tree.staff(tree.county_org, "handler")
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, MESSAGES)
    with at(2026, 3, 2), pytest.raises(RuleViolation, match="权限（需要：登记员）"):
        import_messages(path, actor=handler, department=tree.county_org)
    assert Petition.objects.count() == 0
    assert ImportedPetition.objects.count() == 0


def test_an_interview_gap_is_reported_under_its_own_column(tree: Tree, tmp_path: Path) -> None:
    row = register_row(
        信访形式="来访",
        接谈人="county、无此人",
        来访人反映的情况="反映职级待遇未落实",
        来访人的要求="按政策落实待遇",
    )
    path = write_csv(tmp_path / "r.csv", REGISTER_HEADER, [row])
    with at(2026, 3, 2):
        report = import_registers(path, actor=tree.county_staff, department=tree.county_org)
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (2, "接谈人", "接谈人“无此人”不是本部门的工作人员。"),
    ]
    row = register_row(信访形式="来访", 接谈人="county", 来访人反映的情况="反映职级待遇未落实")
    path = write_csv(tmp_path / "r2.csv", REGISTER_HEADER, [row])
    with at(2026, 3, 2):
        report = import_registers(path, actor=tree.county_staff, department=tree.county_org)
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (2, "来访人的要求", "接谈记录的“来访人的要求”不能为空（R-INTAKE-2）。"),
        (2, "当场答复", "接谈记录的“当场答复”不能为空（R-INTAKE-2）。"),
    ]
    assert Petition.objects.count() == 0


# --- issue 11: the automatic repeat link on import ------------------------------------------

SAME_TEXT = "小区物业公司多收费用，业主多次反映没有结果，请有关部门调查处理。"


def _posted(n: int, user: str, day: str) -> list[str]:
    return [f"r{n}", user, "物业收费问题", f"{day} 09:00:00", SAME_TEXT, "0"]


@pytest.mark.parametrize("batch_size", [500, 3], ids=["one-batch", "across-batches"])
def test_the_import_links_the_same_text_from_the_same_account_within_the_window(
    tree: Tree, tmp_path: Path, settings: Any, batch_size: int
) -> None:
    """Identical text from the same account within XINFANG_REPEAT_WINDOW_DAYS (30) joins the
    earlier case as a repeat, as registration does (R-REPEAT-4, docs/matching.md): posted
    the same day (the window's first day) and 30 days later (its last day) are linked, 31
    days later (the day after) opens a case of its own; another account with the same text
    is another person. Whether the earlier row is in the same batch or an earlier one."""
    settings.XINFANG_AUTO_REPEAT = True
    settings.XINFANG_REPEAT_WINDOW_DAYS = 30
    rows = [
        _posted(1, "u1", "2025-05-01"),
        _posted(2, "u2", "2025-05-01"),
        _posted(3, "u3", "2025-05-01"),
        _posted(4, "u1", "2025-05-01"),  # same day: linked to r1
        _posted(5, "u2", "2025-05-31"),  # day 30 of the window: linked to r2
        _posted(6, "u3", "2025-06-01"),  # day 31: a case of its own
    ]
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, rows)
    with at(2026, 3, 2):
        report = _messages(tree, path, batch_size=batch_size)
    assert (report.imported, report.linked, report.rejected) == (6, 2, 0)
    by_id = {
        r.external_id: Petition.objects.get(pk=r.petition_id)
        for r in ImportedPetition.objects.all()
    }
    assert by_id["r4"].case_id == by_id["r1"].case_id
    assert by_id["r5"].case_id == by_id["r2"].case_id
    assert len({by_id[k].case_id for k in ("r1", "r2", "r3", "r6")}) == 4
    assert [by_id[k].is_repeat for k in ("r1", "r2", "r3", "r4", "r5", "r6")] == [
        False,
        False,
        False,
        True,
        True,
        False,
    ]
    assert Case.objects.count() == 4
    event = CaseEvent.objects.get(case_id=by_id["r4"].case_id, kind="add_petition")
    assert event.payload["automatic_repeat_of"] == by_id["r1"].pk
    assert list(verify_chains()) == []
    # A rerun adds nothing and links nothing again.
    with at(2026, 3, 2):
        again = _messages(tree, path, batch_size=batch_size)
    assert (again.imported, again.linked, again.already) == (0, 0, 6)


def test_a_repeat_is_linked_whatever_the_order_of_the_file(
    tree: Tree, tmp_path: Path, settings: Any
) -> None:
    """Rows are written in the order received, so a message posted later but standing
    earlier in the file is still the repeat of the one posted before it."""
    settings.XINFANG_AUTO_REPEAT = True
    settings.XINFANG_REPEAT_WINDOW_DAYS = 30
    rows = [_posted(1, "u1", "2025-05-20"), _posted(2, "u1", "2025-05-01")]
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, rows)
    with at(2026, 3, 2):
        report = _messages(tree, path)
    assert (report.imported, report.linked) == (2, 1)
    late = Petition.objects.get(imported_from__external_id="r1")
    early = Petition.objects.get(imported_from__external_id="r2")
    assert (late.case_id, late.is_repeat, early.is_repeat) == (early.case_id, True, False)


def test_identical_text_from_other_people_stays_in_the_batch(
    tree: Tree, tmp_path: Path, settings: Any
) -> None:
    """Only a row that may repeat the same person's identical text leaves the batch for
    `petition_register` (docs/imports.md): a form letter sent by three accounts is three
    new cases written in the batch; the same account's second copy is the one repeat."""
    settings.XINFANG_AUTO_REPEAT = True
    settings.XINFANG_REPEAT_WINDOW_DAYS = 30
    rows = [
        _posted(1, "u1", "2025-05-01"),
        _posted(2, "u2", "2025-05-01"),
        _posted(3, "u3", "2025-05-02"),
        _posted(4, "u1", "2025-05-03"),  # u1 again: may repeat r1
    ]
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, rows)
    alone = mock.patch.object(
        imports, "petition_register_input", wraps=imports.petition_register_input
    )
    with at(2026, 3, 2), alone as one_by_one:
        report = _messages(tree, path)
    assert (report.imported, report.linked) == (4, 1)
    assert one_by_one.call_count == 1
    (call,) = one_by_one.call_args_list
    assert call.kwargs["data"].petitioners[0].name == "网民u1"


def test_a_repeat_found_through_the_known_persons_phone_is_linked(
    tree: Tree, tmp_path: Path, settings: Any
) -> None:
    """`petition_register` takes a person found by ID number with the phone stored for him,
    and links a repeat of a petition by whoever has that phone; the batch must send such a
    row to it though the row's own phone is another (docs/imports.md)."""
    settings.XINFANG_AUTO_REPEAT = True
    text = "某局长在提拔干部时优先安排亲属，群众意见很大，请组织上调查。"
    with at(2026, 3, 2):
        registration(
            tree.county_staff,
            received_on=dt.date(2025, 2, 27),
            petitioners=[PetitionerInput(name="王建华", id_number=VALID_ID, phone="13800000001")],
            content="另一件事：小区路灯长期不亮。",
        )
        earlier = registration(
            tree.county_staff,
            received_on=dt.date(2025, 2, 28),
            petitioners=[PetitionerInput(name="王家人", phone="13800000001")],
            content=text,
        )
        path = write_csv(
            tmp_path / "r.csv",
            REGISTER_HEADER,
            [register_row(登记编号="D9", 身份证号码=VALID_ID, 联系电话="13900000002")],
        )
        report = import_registers(
            path, actor=tree.county_staff, department=tree.county_org, batch_size=10
        )
    assert (report.imported, report.linked) == (1, 1)
    imported = Petition.objects.get(imported_from__external_id="D9")
    assert (imported.case_id, imported.is_repeat) == (earlier.case.pk, True)


def test_a_repeat_found_by_the_id_number_alone_is_linked(
    tree: Tree, tmp_path: Path, settings: Any
) -> None:
    """The stored petition's person has the row's ID number and no phone; the row has
    another phone: the batch's pre-check finds the stored person by the ID number's hash
    (`_stored_keys`, each kind of key by its own index) and sends the row one by one."""
    settings.XINFANG_AUTO_REPEAT = True
    with at(2026, 3, 2):
        earlier = registration(
            tree.county_staff,
            received_on=dt.date(2025, 2, 28),
            petitioners=[PetitionerInput(name="王建华", id_number=VALID_ID)],
            content="某局长在提拔干部时优先安排亲属，群众意见很大，请组织上调查。",
        )
        path = write_csv(
            tmp_path / "r.csv",
            REGISTER_HEADER,
            [register_row(登记编号="D8", 身份证号码=VALID_ID, 联系电话="13900000002")],
        )
        report = import_registers(
            path, actor=tree.county_staff, department=tree.county_org, batch_size=10
        )
    assert (report.imported, report.linked) == (1, 1)
    imported = Petition.objects.get(imported_from__external_id="D8")
    assert (imported.case_id, imported.is_repeat) == (earlier.case.pk, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-03-01", dt.date(2019, 3, 1)),  # the usual form, read without strptime
        ("2019-3-1", dt.date(2019, 3, 1)),
        ("2019/3/1", dt.date(2019, 3, 1)),
        ("2019.03.01", dt.date(2019, 3, 1)),
        ("2019年3月1日", dt.date(2019, 3, 1)),
        ("2019-03-01 23:30", dt.date(2019, 3, 1)),
        ("2019-02-30", None),
        ("2019-13-01", None),
        ("三月一日", None),
    ],
)
def test_the_date_received_is_read_in_each_form_the_docs_list(
    text: str, expected: dt.date | None
) -> None:
    assert parse_date(text) == expected


def test_the_case_page_shows_the_posting_time_and_where_the_petition_came_from(
    tree: Tree, tmp_path: Path
) -> None:
    """Issue 11 item 1: the message's posting time is its time received (the date on the
    petition, the time in its import record), shown with the source on the case page."""
    path = write_csv(tmp_path / "b.csv", MESSAGE_HEADER, MESSAGES[:1])  # 2025-05-01 00:30
    with at(2026, 3, 2):
        import_messages(path, actor=tree.county_staff, department=tree.county_org)
    case = Case.objects.get()
    body = staff_client(tree.county_staff).get(f"/cases/{case.pk}/").content.decode()
    assert "2025年5月1日 00:30 网上信访" in body
    assert "（批量导入自：网上留言板）" in body
