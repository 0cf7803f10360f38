"""`xinfang audit verify`: check every case's hash-chained timeline (R-PROTECT-2)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.timeline import verify_chains


class Command(BaseCommand):
    help = "核验办理记录（时间线）的哈希链：发现被篡改或删除的记录时以非零状态退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="核验全部案件的办理记录")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify_chains())
        cases = Case.objects.count()
        events = CaseEvent.objects.count()
        if problems:
            for p in problems:
                self.stderr.write(str(p))
            raise CommandError(
                f"核验未通过：{len(problems)} 个案件的办理记录被篡改或删除"
                f"（共核验 {cases} 个案件、{events} 条记录）。第一处：{problems[0]}"
            )
        self.stdout.write(f"核验通过：{cases} 个案件、{events} 条办理记录，哈希链完整。")
