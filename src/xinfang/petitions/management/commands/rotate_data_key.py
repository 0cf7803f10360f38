"""`xinfang rotate_data_key`: move every personal identifier to a new data key.

The old key is XINFANG_DATA_KEY, the new one XINFANG_NEW_DATA_KEY, both from the
environment: a key given on the command line would show in `ps` to every user of the
machine and stay in the shell's history. Stop the web app first; rerun after a crash.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from xinfang.core.keys import DataKeyError
from xinfang.petitions import keys


class Command(BaseCommand):
    help = gettext(
        "更换数据密钥：把全部身份证号和电话号码从旧密钥（XINFANG_DATA_KEY）改用新密钥"
        "（XINFANG_NEW_DATA_KEY）重新加密，分批进行，中断后再次运行即从中断处继续。"
        "运行前请先停止系统。"
    )
    # The startup check would refuse a half-rotated database: this command is what
    # finishes it, and it checks the keys itself.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help=gettext("每批（一个事务）处理的记录数，默认 500。"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError(gettext("每批记录数应至少为 1。"))
        try:
            message = keys.rotate(
                old_secret=settings.XINFANG_DATA_KEY,
                new_secret=os.environ.get("XINFANG_NEW_DATA_KEY", ""),
                batch_size=options["batch_size"],
                progress=self.stdout.write,
            )
        except (keys.RotationError, DataKeyError) as e:
            raise CommandError(str(e)) from None
        self.stdout.write(message)
