"""`xinfang import messages FILE.csv` and `xinfang import registers FILE.csv|xlsx`
(docs/imports.md): register an online board's messages or an office's register in
batches, through the registration form's checks, resumable and idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from xinfang.cases.imports import (
    ImportReport,
    import_messages,
    import_registers,
    resolve_department,
)
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User
from xinfang.petitions.import_samples import write_sample
from xinfang.petitions.services import DEFAULT_BOARD
from xinfang.routing.terms import Category, Nature


def _choice(text: str, choices: Any, what: str) -> str:
    for value, label in choices.choices:
        if text in (value, label):
            return str(value)
    labels = "、".join(str(label) for _v, label in choices.choices)
    raise CommandError(
        gettext("%(what)s“%(text)s”无法识别，应为：%(labels)s。")
        % {"what": what, "text": text, "labels": labels}
    )


class Command(BaseCommand):
    help = gettext("批量导入网上留言或各单位原有的信访登记簿，按登记表的规则逐行校验。")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        messages = sub.add_parser(
            "messages", help=gettext("导入网上留言板的留言（CSV），登记为网上信访")
        )
        registers = sub.add_parser(
            "registers", help=gettext("导入原有的信访登记簿（CSV 或 .xlsx）")
        )
        for p in (messages, registers):
            p.add_argument("file", type=Path, help=gettext("要导入的文件"))
            p.add_argument("--department", required=True, help=gettext("登记部门的编号或名称"))
            p.add_argument(
                "--registrar", required=True, help=gettext("登记人的用户名（须为该部门的登记员）")
            )
            p.add_argument(
                "--batch",
                type=int,
                default=None,
                help=gettext("每批写入的行数（默认：SQLite 为 2000，PostgreSQL 为 500）"),
            )
            p.add_argument(
                "--one-by-one",
                action="store_true",
                help=gettext("逐件调用登记操作写入（慢，用于核对批量写入的结果）"),
            )
        messages.add_argument(
            "--board",
            default=DEFAULT_BOARD,
            help=(
                gettext("留言板名称（默认“%(default_board)s”）") % {"default_board": DEFAULT_BOARD}
            ),
        )
        messages.add_argument(
            "--category",
            default=str(Category.OUTSIDE_REMIT.label),
            help=gettext("问题类别（默认：不属于组织部门业务范围）"),
        )
        messages.add_argument(
            "--nature", default=str(Nature.OTHER.label), help=gettext("信访性质（默认：其他）")
        )
        registers.add_argument("--source", default="", help=gettext("导入来源名称（默认为文件名）"))
        registers.add_argument(
            "--no-candidates",
            action="store_true",
            help=gettext(
                "不查找可能为同一人的已登记信访人（默认查找，结果写入“文件名.同一人候选”）"
            ),
        )
        sample = sub.add_parser("sample", help=gettext("生成用于测试和测速的虚构导入文件（CSV）"))
        sample.add_argument("what", choices=["messages", "registers"])
        sample.add_argument("file", type=Path, help=gettext("写入的文件"))
        sample.add_argument("--rows", type=int, default=1000, help=gettext("行数（默认 1000）"))
        sample.add_argument("--seed", type=int, default=1, help=gettext("随机种子（默认 1）"))
        sample.add_argument(
            "--receiver", default="", help=gettext("来访的接谈人（登记部门工作人员的姓名）")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "sample":
            rows = write_sample(
                options["what"],
                options["file"],
                options["rows"],
                seed=options["seed"],
                receiver=options["receiver"],
            )
            self.stdout.write(
                gettext("已生成 %(rows)s 行：%(value)s") % {"rows": rows, "value": options["file"]}
            )
            return
        try:
            department = resolve_department(options["department"])
            actor = User.objects.filter(username=options["registrar"]).first()
            if actor is None:
                raise CommandError(
                    gettext("没有用户名为“%(value)s”的工作人员。") % {"value": options["registrar"]}
                )
            common: dict[str, Any] = {
                "actor": actor,
                "department": department,
                "batch_size": options["batch"],
                "one_by_one": options["one_by_one"],
                "progress": self._progress,
            }
            if options["kind"] == "messages":
                report = import_messages(
                    options["file"],
                    board=options["board"],
                    category=_choice(options["category"], Category, gettext("问题类别")),
                    nature=_choice(options["nature"], Nature, gettext("信访性质")),
                    **common,
                )
            else:
                report = import_registers(
                    options["file"],
                    source=options["source"],
                    people=not options["no_candidates"],
                    **common,
                )
        except RuleViolation as exc:
            raise CommandError(str(exc)) from None
        self._summary(report)

    def _progress(self, done: int, total: int, seconds: float) -> None:
        rate = done / seconds if seconds else 0.0
        # On one line, rewritten batch by batch (a carriage return, no line ending: Django's
        # gettext turns a "\r" inside a message into a new line, so it stays outside); to
        # the command's own stderr, so that a caller (and the test) sees it.
        self.stderr.write(
            "\r"
            + gettext("已处理 %(done)s/%(total)s 行（%(rate)s 行/秒）")
            % {"done": done, "total": total, "rate": format(rate, ",.0f")},
            ending="",
        )
        self.stderr.flush()

    def _summary(self, report: ImportReport) -> None:
        self.stderr.write("")
        for p in report.problems:
            column = (gettext("“%(column)s”列") % {"column": p.column}) if p.column else ""
            self.stderr.write(
                gettext("第%(row)s行%(column)s：%(message)s")
                % {"row": p.row, "column": column, "message": p.message}
            )
        self.stdout.write(
            gettext(
                "共 %(total)s 行：导入 %(imported)s 行，此前已导入 %(already)s"
                " 行，未导入 %(rejected)s 行；用时 %(seconds)s 秒（%(rate)s"
                " 行/秒）。"
            )
            % {
                "total": report.total,
                "imported": report.imported,
                "already": report.already,
                "rejected": report.rejected,
                "seconds": format(report.seconds, ".1f"),
                "rate": format(report.rate, ",.0f"),
            }
        )
        if report.people_file is not None:
            # Issue 11 item 2: the rows that may be a known person, for the registrar to
            # open and link (nothing is merged on a candidate's word).
            self.stdout.write(
                gettext(
                    "%(rows)s 行的信访人可能是已登记过的人，已列入 %(path)s"
                    "（查找用时 %(seconds)s 秒），请逐件核对。"
                )
                % {
                    "rows": len({m.row for m in report.people}),
                    "path": report.people_file,
                    "seconds": format(report.people_seconds, ".1f"),
                }
            )
        if report.linked:
            self.stdout.write(
                gettext(
                    "其中 %(linked)s 行与同一信访人此前反映的内容相同，"
                    "已作为重信重访自动关联到原案件。"
                )
                % {"linked": report.linked}
            )
        if report.rejected_file is not None:
            self.stdout.write(
                gettext("未导入的行及原因已写入：%(rejected_file)s")
                % {"rejected_file": report.rejected_file}
            )
