"""`xinfang demo`: migrate, build the demo province once, print the accounts, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.cases.timeline import AuditKeyError, write_checkpoint
from xinfang.demo.build import (
    DEFAULT_PETITIONS,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    build_demo,
    conflicting_usernames,
    demo_exists,
)


class Command(BaseCommand):
    help = "建立演示数据（一个省的组织机构和约5000件来信来访）并启动系统。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="服务端口，默认 8000。")
        parser.add_argument("--no-serve", action="store_true", help="只建立演示数据，不启动服务。")
        parser.add_argument(
            "--petitions",
            type=int,
            default=DEFAULT_PETITIONS,
            help=f"来信来访件数，默认 {DEFAULT_PETITIONS}。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        if demo_exists():
            self.stdout.write("演示数据已存在，直接使用。")
        else:
            clash = conflicting_usernames()
            if clash:
                raise CommandError(
                    f"数据库中已有同名用户（{'、'.join(clash)}），不能建立演示数据；"
                    "请换一个 XINFANG_HOME 或 DATABASE_URL。"
                )
            self.stdout.write("正在建立演示数据……")
            result = build_demo(petitions=options["petitions"], progress=self.stdout.write)
            self.stdout.write(
                f"演示数据已建立：{result.petitions} 件来信来访，{result.cases} 个案件，"
                f"用时 {result.seconds:.1f} 秒。"
            )
            for failure in result.failures:
                self.stderr.write(f"未能完成：{failure}")
            self._seal()
        self._print_accounts()
        if options["no_serve"]:
            return
        port = options["port"]
        self.stdout.write(f"系统地址：http://127.0.0.1:{port}/  （按 Ctrl+C 停止）")
        # The admin's CSS and scripts are served by WhiteNoise, which finds them through the
        # staticfiles finders (WHITENOISE_USE_FINDERS) with DEBUG on or off, so runserver
        # needs no --insecure. WhiteNoise warns when STATIC_ROOT is missing: create it.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _seal(self) -> None:
        """Seal the fresh timelines once (R-PROTECT-2), as an operator's cron job would."""
        try:
            written = write_checkpoint()
        except AuditKeyError as exc:
            self.stderr.write(f"未封存办理记录：{exc}")
            return
        self.stdout.write(
            f"已封存办理记录（第 {written.seq} 号封存点，{written.path}）；"
            "核验：xinfang audit verify。"
        )

    def _print_accounts(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，均可登录 /admin/）：")
        for a in DEMO_ACCOUNTS:
            self.stdout.write(f"  {a.username:<10} {a.role:<6} {a.department}：{a.note}")
        self.stdout.write(
            "  其他单位的工作人员账号形如 jy.dengji、jy.chengban1、jy.fenguan、jy.buzhang、"
            "wj.dudao（江源县委组织部、望江市委组织部），密码相同。"
        )
        self.stdout.write("")
