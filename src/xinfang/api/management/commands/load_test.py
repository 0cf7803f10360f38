"""`xinfang load_test`: the load test over HTTP against gunicorn (api/load.py; docs/scale.md).

Run on a database the demo (or the bench generator) has filled, normally PostgreSQL:
    DATABASE_URL=postgres://... xinfang demo --no-serve --petitions 300
    DATABASE_URL=postgres://... xinfang load_test --clients 8 --workers 4 --json load.json
Exits non-zero when any answer was an error or an acknowledged registration is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.api.load import run_load


class Command(BaseCommand):
    help = "对生产服务器（gunicorn，多进程，仅本机回环地址）做限时并发压力测试。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=8, help="并发客户端数（默认8）")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn 工作进程数（默认4）")
        parser.add_argument("--seconds", type=float, default=20.0, help="持续秒数（默认20）")
        parser.add_argument("--json", type=Path, help="把结果写入此 JSON 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["clients"] <= 64 or not 1 <= options["workers"] <= 32:
            raise CommandError("客户端数须为1至64，工作进程数须为1至32。")
        if not 1 <= options["seconds"] <= 600:
            raise CommandError("持续时间须为1至600秒。")
        try:
            result = run_load(
                clients=options["clients"], workers=options["workers"], seconds=options["seconds"]
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        text = json.dumps(result, ensure_ascii=False, indent=2)
        self.stdout.write(text)
        if options["json"]:
            options["json"].write_text(text + "\n", encoding="utf-8")
        if result["errors"] or result["acknowledged_missing"]:
            raise CommandError(
                f"压力测试失败：{result['errors']} 个错误应答，"
                f"{result['acknowledged_missing']} 条已确认的登记在数据库中找不到。"
            )
