"""`xinfang audit verify` and `xinfang audit checkpoint` (R-PROTECT-2).

`verify` checks every case's hash-chained timeline, the case rows against their last event,
the records the events cover, the creation ledger and the checkpoints sealed with the audit
key; it names what was changed and where, and exits non-zero on any problem.
`checkpoint` seals the current chain heads (operators run it from cron) after checking that
there is nothing wrong to seal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.timeline import (
    AuditKeyError,
    CheckpointRefused,
    audit,
    audit_key,
    write_checkpoint,
)


class Command(BaseCommand):
    help = gettext("核验办理记录（时间线）并封存：发现被篡改或删除的记录时以非零状态退出。")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("verify", gettext("核验全部案件的办理记录、案件状况、所涉材料、立案登记簿和封存点")),
            ("checkpoint", gettext("核验无误后封存当前全部哈希链的链头（请用 cron 定时运行）")),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument(
                "--file",
                type=Path,
                default=None,
                help=gettext(
                    "封存点文件（默认为设置 XINFANG_AUDIT_CHECKPOINT_FILE）；"
                    "可指向保存在别处的副本。"
                ),
            )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            self._checkpoint(options["file"])
        else:
            self._verify(options["file"])

    def _verify(self, path: Path | None) -> None:
        report = audit(path=path)
        for note in report.notes:
            self.stdout.write(note)
        since = report.since or gettext("没有仍能核验通过的封存点")
        if report.problems:
            for p in report.problems:
                self.stderr.write(str(p))
            raise CommandError(
                gettext(
                    "核验未通过：发现 %(len)s 处问题（共核验 %(cases)s 个案件、%(events)s"
                    " 条记录）。第一处：%(value)s。最后一个仍核验通过的封存点：%(since)s"
                    "。"
                )
                % {
                    "len": len(report.problems),
                    "cases": report.cases,
                    "events": report.events,
                    "value": report.problems[0],
                    "since": since,
                }
            )
        sealed = (
            (gettext("；最近的封存点：%(latest)s") % {"latest": report.latest})
            if report.latest
            else ""
        )
        self.stdout.write(
            gettext(
                "核验通过：%(cases)s 个案件、%(events)s 条办理记录，哈希链、"
                "案件状况、所涉材料和立案登记簿完整%(sealed)s。"
            )
            % {"cases": report.cases, "events": report.events, "sealed": sealed}
        )

    def _checkpoint(self, path: Path | None) -> None:
        try:
            audit_key()
        except AuditKeyError as exc:
            raise CommandError(str(exc)) from exc
        # Sealing a tampered database would vouch for the tampering: check first.
        report = audit(path=path)
        if report.problems:
            for p in report.problems:
                self.stderr.write(str(p))
            raise CommandError(
                gettext("未封存：核验发现 %(len)s 处问题，请先查明。第一处：%(value)s")
                % {"len": len(report.problems), "value": report.problems[0]}
            )
        try:
            written = write_checkpoint(path=path)
        except CheckpointRefused as exc:  # a checkpoint altered since the verification
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            # The row is committed: the next verify reads it; the file copy must be mended.
            raise CommandError(
                gettext(
                    "封存点已写入数据库，但未能追加到封存点文件（%(strerror)s）：请检查文"
                    "件路径和权限后再次运行 xinfang audit checkpoint。"
                )
                % {"strerror": exc.strerror}
            ) from exc
        at = timezone.localtime(written.at)
        self.stdout.write(
            gettext(
                "已封存第 %(seq)s 号封存点（%(at)s）：%(cases)s 个案件、"
                "%(events)s 条办理记录；已追加到 %(path)s。"
            )
            % {
                "seq": written.seq,
                "at": format(at, "%Y-%m-%d %H:%M"),
                "cases": written.cases,
                "events": written.events,
                "path": written.path,
            }
        )
