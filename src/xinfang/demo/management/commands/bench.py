"""`xinfang bench generate --cases N` fills an empty database with N generated cases;
`xinfang bench run --json FILE` measures the operations of issue 10 on it (docs/scale.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.cases.models import Case
from xinfang.core.errors import RuleViolation
from xinfang.demo.benchrun import run_benchmarks
from xinfang.demo.bulk import DEFAULT_SEED, DEFAULT_YEARS, generate


class Command(BaseCommand):
    help = "规模测试：批量生成案件（generate），或在已生成的数据上测量各项操作（run）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="在新建的空数据库中批量生成案件。")
        gen.add_argument("--cases", type=int, required=True, help="案件数。")
        gen.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子。")
        gen.add_argument("--years", type=int, default=DEFAULT_YEARS, help="跨越的年数。")
        gen.add_argument("--today", type=dt.date.fromisoformat, default=None, help="今天的日期。")
        gen.add_argument(
            "--processes",
            type=int,
            default=2,
            help="进程数：2（默认）由一个进程生成、另一个进程写入，1 在同一进程中完成。",
        )
        run = sub.add_parser("run", help="测量各项操作，结果写入 JSON 文件。")
        run.add_argument("--json", dest="json_file", required=True, help="结果文件。")
        run.add_argument("--repeat", type=int, default=20, help="每项操作的测量次数。")
        run.add_argument(
            "--import-rows",
            type=int,
            default=2000,
            help="批量导入测速用的留言和登记簿各多少行（默认2000）。",
        )
        run.add_argument(
            "--legacy-visibility",
            action="store_true",
            help="用改进前的可见范围写法测量（仅用于对比）。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            self._generate(options)
        else:
            from_run(self, options)

    def _generate(self, options: dict[str, Any]) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = generate(
                cases=options["cases"],
                seed=options["seed"],
                years=options["years"],
                today=options["today"],
                progress=self.stdout.write,
                processes=options["processes"],
            )
        except RuleViolation as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"已生成 {result.cases} 个案件、{result.petitions} 件来信来访、"
            f"{result.events} 条办理记录，用时 {result.seconds:.1f} 秒"
            f"（每秒 {result.rate:.0f} 个案件）。摘要：{result.digest}"
        )


def from_run(command: Command, options: dict[str, Any]) -> None:
    if not Case.objects.exists():
        raise CommandError("数据库中没有案件：请先运行 xinfang bench generate --cases N。")
    if not 1 <= options["import_rows"] <= 1_000_000:
        raise CommandError("导入行数须为1至1000000。")
    report = run_benchmarks(
        repeat=options["repeat"],
        legacy_visibility=options["legacy_visibility"],
        import_rows=options["import_rows"],
    )
    Path(options["json_file"]).write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    command.stdout.write(json.dumps(report["results"], ensure_ascii=False, indent=2))
    command.stdout.write(f"结果已写入 {options['json_file']}。")
