"""`xinfang peer_bench`: the same operations on django-helpdesk beside xinfang (demo/peer.py;
docs/scale.md). Run on a filled database (the demo, or the bench generator):
    xinfang peer_bench --rounds 20 --json peer.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.demo.peer import run_peer


class Command(BaseCommand):
    help = "在同一数据库引擎上以同样数量的工单测量 django-helpdesk，与本系统对比。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=20, help="每项操作的次数（默认20）")
        parser.add_argument(
            "--words",
            default="干部,工资",
            help="检索用词，逗号分隔：常见词,少见词（默认 干部,工资）",
        )
        parser.add_argument("--tickets", type=int, help="工单数（默认与本系统的案件数相同）")
        parser.add_argument(
            "--venv",
            type=Path,
            help="django-helpdesk 的独立虚拟环境（默认 XINFANG_HOME/peer-venv）",
        )
        parser.add_argument("--json", type=Path, help="把结果写入此 JSON 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["rounds"] <= 1000:
            raise CommandError("次数须为1至1000。")
        words = [w.strip() for w in options["words"].split(",") if w.strip()]
        if len(words) != 2 or any(len(w) < 2 for w in words):
            raise CommandError("检索用词须为两个，每个至少两个字，如：干部,工资")
        venv = options["venv"] or Path(settings.XINFANG_HOME) / "peer-venv"
        try:
            result = run_peer(
                rounds=options["rounds"],
                words={"common": words[0], "rare": words[1]},
                venv=venv,
                limit=options["tickets"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        text = json.dumps(result, ensure_ascii=False, indent=2)
        self.stdout.write(text)
        if options["json"]:
            options["json"].write_text(text + "\n", encoding="utf-8")
