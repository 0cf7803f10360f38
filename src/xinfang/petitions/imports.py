"""Reading import files: online messages and an office's existing register (登记簿), as rows
of plain values with every problem named by row and column in Chinese (docs/imports.md).

This module only reads and converts cells; what a petition must contain is decided by the
registration form's checks (`cases/actions/intake.py: registration_check`), which the import
calls on every row (`cases/imports.py`). Nothing here writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext
from openpyxl import load_workbook

from xinfang.core.errors import RuleViolation
from xinfang.petitions.models import Channel, Source
from xinfang.routing.terms import AnonymousTreatment, Category, Nature

# --- the columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header, used in every message
    aliases: tuple[str, ...] = ()
    required: bool = False


MESSAGE_COLUMNS: tuple[Column, ...] = (
    Column("external_id", "留言编号", ("id", "external_id", "编号"), required=True),
    Column("account", "留言账号", ("user", "account", "账号", "用户"), required=True),
    Column("title", "留言标题", ("title", "标题", "主题"), required=True),
    Column("posted_at", "留言时间", ("posted_at", "发布时间", "时间"), required=True),
    Column("text", "留言内容", ("text", "内容", "详情"), required=True),
)

REGISTER_COLUMNS: tuple[Column, ...] = (
    Column("external_id", "登记编号", ("external_id", "编号")),
    Column("channel", "信访形式", ("channel",), required=True),
    Column("received_on", "收到日期", ("received_on", "日期"), required=True),
    Column("name", "信访人姓名", ("name", "姓名", "信访人")),
    Column("id_number", "身份证号码", ("id_number", "身份证号")),
    Column("phone", "联系电话", ("phone", "电话")),
    Column("address", "住址", ("address",)),
    Column("work_unit", "工作单位", ("work_unit",)),
    Column("is_anonymous", "匿名", ("is_anonymous",)),
    Column("anonymous_treatment", "匿名处理方式", ("anonymous_treatment",)),
    Column("anonymous_reason", "匿名处理理由", ("anonymous_reason",)),
    Column("is_collective", "集体访", ("is_collective",)),
    Column("head_count", "人数", ("head_count",)),
    Column("collective_origin", "来自单位或地方", ("collective_origin",)),
    Column("summary", "内容摘要", ("summary", "摘要"), required=True),
    Column("content", "信访内容", ("content", "内容", "信件全文或接谈内容"), required=True),
    Column("category", "问题类别", ("category",), required=True),
    Column("nature", "信访性质", ("nature",), required=True),
    Column("respondent", "被反映人", ("respondent",)),
    Column("respondent_post", "被反映人职务", ("respondent_post",)),
    Column("respondent_place", "被反映人任职地区或单位", ("respondent_place",)),
    Column("source", "来源", ("source",)),
    Column("source_reference", "来文编号", ("source_reference",)),
    Column("receivers", "接谈人", ("receivers",)),
    Column("interviewed_at", "接谈时间", ("interviewed_at",)),
    Column("statement", "来访人反映的情况", ("statement",)),
    Column("requests", "来访人的要求", ("requests",)),
    Column("answer", "当场答复", ("answer",)),
)

MESSAGE_LABELS: dict[str, str] = {c.key: c.label for c in MESSAGE_COLUMNS}
REGISTER_LABELS: dict[str, str] = {c.key: c.label for c in REGISTER_COLUMNS}


class ImportFileError(RuleViolation):
    """The file as a whole cannot be read (missing column, wrong format): nothing imported."""


@dataclass
class Problem:
    row: int  # the row number as a spreadsheet shows it (the header is row 1)
    column: str  # the Chinese column label, or "" for the row as a whole
    message: str


@dataclass
class SourceRow:
    """One data row: its number, its cells by column key, and the original cells."""

    number: int
    values: dict[str, str]
    cells: list[str]


@dataclass
class ParsedRow:
    """A row converted to plain values; `problems` empty when every cell could be read."""

    number: int
    external_id: str
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # column key -> Chinese header

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.number, self.labels.get(key, ""), message))


# --- reading files ----------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[SourceRow]


def read_table(path: Path, columns: Sequence[Column]) -> Table:
    """The file's header and data rows, cells as text, by column key. A CSV is UTF-8 (with or
    without BOM) or GB18030, as Excel saves it; an .xlsx is read from its first sheet."""
    if not path.exists():
        raise ImportFileError(gettext("找不到文件：%(path)s") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        raw = list(_xlsx_rows(path))
    elif suffix == ".csv":
        raw = list(csv.reader(io.StringIO(_decode(path.read_bytes()), newline="")))
    else:
        raise ImportFileError(gettext("只能导入 .csv 或 .xlsx 文件。"))
    if not raw:
        raise ImportFileError(gettext("文件是空的：第1行应为列名。"))
    header = [h.strip() for h in raw[0]]
    index = _column_index(header, columns)
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines at the end of a sheet
        values = {key: (cells[i].strip() if i < len(cells) else "") for key, i in index.items()}
        rows.append(SourceRow(number=number, values=values, cells=list(cells)))
    return Table(header=header, rows=rows)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(gettext("文件编码无法识别：请另存为 UTF-8 编码的 CSV 或 .xlsx 文件。"))


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(gettext("无法读取 Excel 文件：%(exc)s") % {"exc": exc}) from None
    sheet = book.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield [_cell_text(v) for v in values]
    book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _column_index(header: list[str], columns: Sequence[Column]) -> dict[str, int]:
    lowered = [h.lower() for h in header]
    index: dict[str, int] = {}
    for column in columns:
        for name in (column.label, column.key, *column.aliases):
            if name.lower() in lowered:
                index[column.key] = lowered.index(name.lower())
                break
    missing = [c.label for c in columns if c.required and c.key not in index]
    if missing:
        raise ImportFileError(
            gettext("文件缺少必需的列：%(join)s。第1行应为列名，列名见导入说明。")
            % {"join": "、".join(missing)}
        )
    return index


# --- converting cells -------------------------------------------------------------------

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def parse_datetime(text: str) -> dt.datetime | None:
    """A local time (Asia/Shanghai, the board's and the office's) as an aware datetime."""
    if len(text) >= 16 and text[4] == "-" and text[10] == " ":
        try:  # the usual form, read ten times faster than by strptime
            return timezone.make_aware(dt.datetime.fromisoformat(text))
        except ValueError:
            pass
    for fmt in DATETIME_FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    return None


def parse_date(text: str) -> dt.date | None:
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:  # the usual form (2019-03-01), as %Y-%m-%d reads it, without strptime
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    moment = parse_datetime(text)
    return timezone.localdate(moment) if moment else None


def _choice(text: str, choices: Any) -> str | None:
    """A choice given by its Chinese label (as the form shows it) or its stored value."""
    return _choice_table(choices, get_language()).get(text)


@functools.cache
def _choice_table(choices: Any, language: str | None) -> dict[str, str]:
    """Label or value -> value, the first choice winning as a scan in order would: built
    once per language instead of translating every label for every cell of a register."""
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table.setdefault(str(label), str(value))
        table.setdefault(str(value), str(value))
    return table


# The short words registers use for the two treatments of an anonymous letter.
TREATMENT_WORDS = {"调查核实": "investigate", "存查备考": "keep"}
YES = ("是", "Y", "y", "yes", "1", "√")
NO = ("否", "N", "n", "no", "0", "")


def _yes_no(row: ParsedRow, key: str, text: str) -> bool:
    if text in YES:
        return True
    if text not in NO:
        row.problem(
            key,
            (
                gettext("“%(value)s”应填“是”或“否”，而不是“%(text)s”。")
                % {"value": row.labels[key], "text": text}
            ),
        )
    return False


def _max_length(row: ParsedRow, key: str, text: str, limit: int) -> None:
    if len(text) > limit:
        row.problem(
            key,
            (
                gettext("“%(value)s”不能超过%(limit)s个字（现有%(len)s个字）。")
                % {"value": row.labels[key], "limit": limit, "len": len(text)}
            ),
        )


def parse_message(source: SourceRow) -> ParsedRow:
    """One message of an online board: external id, account, title, time, text."""
    v = source.values
    row = ParsedRow(
        number=source.number,
        external_id=v["external_id"],
        cells=source.cells,
        labels=MESSAGE_LABELS,
    )
    if not row.external_id:
        row.problem("external_id", gettext("留言编号不能为空：导入靠它识别已导入的留言。"))
    if not v["account"]:
        row.problem("account", gettext("留言账号不能为空：网上信访以账号确定信访人。"))
    posted = parse_datetime(v["posted_at"])
    if posted is None:
        row.problem(
            "posted_at",
            (
                gettext("留言时间“%(value)s”无法识别，应为如 2019-02-28 11:25:05。")
                % {"value": v["posted_at"]}
            ),
        )
    _max_length(row, "title", v["title"], 200)
    _max_length(row, "external_id", row.external_id, 100)
    row.values = {
        "account": v["account"],
        "title": v["title"],
        "posted_at": posted,
        "text": v["text"],
    }
    return row


def parse_register_row(source: SourceRow, *, occurrence: int) -> ParsedRow:
    """One row of a register. Without a 登记编号 the row is known by a digest of its cells
    (and which identical row of the file it is), so a rerun recognises it."""
    v = source.values
    external_id = v.get("external_id", "")
    if not external_id:
        digest = hashlib.sha256("\x1f".join(source.cells).encode()).hexdigest()[:32]
        external_id = f"row:{digest}:{occurrence}"
    row = ParsedRow(
        number=source.number, external_id=external_id, cells=source.cells, labels=REGISTER_LABELS
    )
    out: dict[str, Any] = {}

    channel = _choice(v["channel"], Channel)
    if channel is None:
        row.problem(
            "channel",
            (
                gettext("信访形式“%(value)s”无法识别，应为来信、来访、来电或网上信访。")
                % {"value": v["channel"]}
            ),
        )
    out["channel"] = channel or ""
    received = parse_date(v["received_on"])
    if received is None:
        row.problem(
            "received_on",
            (
                gettext("收到日期“%(value)s”无法识别，应为如 2019-03-01。")
                % {"value": v["received_on"]}
            ),
        )
    out["received_on"] = received
    for key in ("category", "nature"):
        choices = Category if key == "category" else Nature
        value = _choice(v[key], choices)
        if value is None and v[key]:
            labels = "、".join(str(label) for _v, label in choices.choices)
            row.problem(
                key,
                (
                    gettext("%(value)s“%(value2)s”无法识别，应为：%(labels)s。")
                    % {"value": REGISTER_LABELS[key], "value2": v[key], "labels": labels}
                ),
            )
        out[key] = value or ""
    treatment = v.get("anonymous_treatment", "")
    out["anonymous_treatment"] = ""
    if treatment:
        chosen = _choice(treatment, AnonymousTreatment) or TREATMENT_WORDS.get(treatment)
        if chosen is None:
            row.problem(
                "anonymous_treatment",
                (
                    gettext("匿名处理方式“%(treatment)s”无法识别，应为调查核实或存查备考。")
                    % {"treatment": treatment}
                ),
            )
        out["anonymous_treatment"] = chosen or ""
    source_text = v.get("source", "")
    out["source"] = Source.DIRECT
    if source_text:
        chosen = _choice(source_text, Source)
        if chosen is None:
            row.problem(
                "source",
                (
                    gettext(
                        "来源“%(source_text)s”无法识别，应为信访人直接反映、上级转交办或"
                        "其他部门转来。"
                    )
                    % {"source_text": source_text}
                ),
            )
        out["source"] = chosen or Source.DIRECT
    out["is_anonymous"] = _yes_no(row, "is_anonymous", v.get("is_anonymous", ""))
    out["is_collective"] = _yes_no(row, "is_collective", v.get("is_collective", ""))
    count = v.get("head_count", "")
    out["head_count"] = 1
    if count:
        if count.isdigit() and int(count) > 0:
            out["head_count"] = int(count)
        else:
            row.problem("head_count", (gettext("人数“%(count)s”应为正整数。") % {"count": count}))
    interviewed = v.get("interviewed_at", "")
    out["interviewed_at"] = None
    if interviewed:
        out["interviewed_at"] = parse_datetime(interviewed)
        if out["interviewed_at"] is None:
            on = parse_date(interviewed)
            if on is None:
                row.problem(
                    "interviewed_at",
                    (
                        gettext("接谈时间“%(interviewed)s”无法识别，应为如 2019-03-01 09:30。")
                        % {"interviewed": interviewed}
                    ),
                )
            else:
                out["interviewed_at"] = timezone.make_aware(dt.datetime.combine(on, dt.time()))
    for key, limit in (
        ("summary", 200),
        ("name", 50),
        ("address", 200),
        ("work_unit", 100),
        ("collective_origin", 100),
        ("respondent", 100),
        ("respondent_post", 100),
        ("source_reference", 60),
        ("external_id", 100),
    ):
        _max_length(row, key, v.get(key, ""), limit)
    for key in (
        "name",
        "id_number",
        "phone",
        "address",
        "work_unit",
        "anonymous_reason",
        "collective_origin",
        "summary",
        "content",
        "respondent",
        "respondent_post",
        "respondent_place",
        "source_reference",
        "receivers",
        "statement",
        "requests",
        "answer",
    ):
        out[key] = v.get(key, "")
    row.values = out
    return row
