"""Generated import files for the import tests (never real data)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from openpyxl import Workbook

MESSAGE_HEADER = ["id", "user", "title", "posted_at", "text", "likes"]

REGISTER_HEADER = [
    "登记编号",
    "信访形式",
    "收到日期",
    "信访人姓名",
    "身份证号码",
    "联系电话",
    "住址",
    "匿名",
    "匿名处理方式",
    "匿名处理理由",
    "集体访",
    "人数",
    "内容摘要",
    "信访内容",
    "问题类别",
    "信访性质",
    "被反映人",
    "被反映人职务",
    "被反映人任职地区或单位",
    "接谈人",
    "接谈时间",
    "来访人反映的情况",
    "来访人的要求",
    "当场答复",
]

VALID_ID = "110101199003074477"  # GB 11643-valid, fictional
OTHER_ID = "110101198506121234"  # GB 11643-valid, fictional


def message(n: int, user: str, posted_at: str, *, title: str = "") -> list[str]:
    return [
        f"m{n}",
        user,
        title if title else f"关于第{n}号小区物业收费的问题",
        posted_at,
        f"第{n}号小区物业公司多收费用，业主多次反映没有结果，请有关部门调查处理。",
        "0",
    ]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # typed text, as a register keeps it, never a formula
    book.save(path)
    return path


def register_row(**values: str) -> list[str]:
    """A register line: a signed letter about a cadre unless `values` say otherwise."""
    base = {
        "信访形式": "来信",
        "收到日期": "2025-03-01",
        "信访人姓名": "王建华",
        "内容摘要": "反映某局长在干部选拔中搞亲属关系",
        "信访内容": "某局长在提拔干部时优先安排亲属，群众意见很大，请组织上调查。",
        "问题类别": "领导干部和组织干部工作中的不正之风",
        "信访性质": "检举揭发",
    }
    base.update(values)
    return [base.get(column, "") for column in REGISTER_HEADER]


MESSAGES: list[list[str]] = [
    message(1, "u001", "2025-05-01 00:30:00"),  # half past midnight, Beijing time
    message(2, "u002", "2025-05-02 09:15:00"),
    message(3, "u001", "2025-05-03 10:00:00"),  # u001 again: not a first petition
    message(4, "u003", "2025-05-04 10:00:00", title=" "),  # no title
    message(5, "u004", "5月5日"),  # unreadable time
    message(6, "u005", "2026-03-03 08:00:00"),  # after "today" (tests run on 2026-03-02)
    message(7, "u900", "2025-05-07 10:00:00"),  # u900 registered before the import
    message(2, "u006", "2025-05-08 10:00:00"),  # m2 twice in the file
    message(9, "u007", "2025-05-09 10:00:00"),
]

REGISTERS: list[list[str]] = [
    register_row(登记编号="D1", 身份证号码=VALID_ID, 联系电话="13800000001"),
    register_row(
        登记编号="D2",
        身份证号码=VALID_ID,  # the same person again
        被反映人="李四",
        被反映人职务="交通运输局局长",
        被反映人任职地区或单位="河口县",
    ),
    register_row(登记编号="D3", 信访人姓名="赵六", 联系电话="13900000009"),
    register_row(登记编号="D4", 信访人姓名="赵小六", 联系电话="13900000009"),  # same phone
    register_row(
        登记编号="D5",
        信访形式="来访",
        信访人姓名="钱七",
        身份证号码=OTHER_ID,
        问题类别="入党和参加工作时间、离退休、职级待遇",
        信访性质="要求解决个人问题",
        接谈人="county",
        接谈时间="2025-03-02 09:30",
        来访人反映的情况="反映职级待遇未落实",
        来访人的要求="按政策落实待遇",
        当场答复="登记在案，按程序办理并答复",
    ),
    register_row(
        登记编号="D6",
        信访人姓名="",
        匿名="是",
        匿名处理方式="调查核实",
        匿名处理理由="反映的问题具体，可以查证",
    ),
    register_row(登记编号="D7", 集体访="是", 人数="12", 信访人姓名="孙八"),
    register_row(登记编号="D8", 信访形式="来访", 信访人姓名="周九"),  # no interview
    register_row(登记编号="D9", 身份证号码="110101199003074478"),  # wrong check digit
    register_row(登记编号="D10", 问题类别="工资"),  # no such category
    register_row(登记编号="D11", 收到日期="2025年3月4日"),
]


def import_command(
    kind: str, path: Path, department_pk: int, *extra: str, err: StringIO | None = None
) -> StringIO:
    """`xinfang import <kind>` of `path` into the department by the registrar `county` (the
    org tree's county registrar); its output (its progress and refusals go to `err`)."""
    out = StringIO()
    call_command(
        "import",
        kind,
        str(path),
        "--department",
        str(department_pk),
        "--registrar",
        "county",
        *extra,
        stdout=out,
        stderr=err or StringIO(),
    )
    return out
