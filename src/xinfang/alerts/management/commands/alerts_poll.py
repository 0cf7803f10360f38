"""Compute the early warnings of the window ending on a date and store the new ones
(R-REPEAT-5, alerts/services.py: poll). Idempotent and safe to run twice at once; meant for
cron, e.g. daily after midnight: `xinfang alerts_poll`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext

from xinfang.alerts.management.commands._dates import as_of
from xinfang.alerts.services import poll


class Command(BaseCommand):
    help = gettext("计算预警：统计截至指定日期（默认今天）的一周，新发现的预警写入系统。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", dest="as_of", help=gettext("统计截止日期（年-月-日），默认今天")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = as_of(options["as_of"])
        started = time.perf_counter()
        result = poll(day)
        took = time.perf_counter() - started
        self.stdout.write(
            gettext(
                "%(day)s：发现预警 %(found)s 条，新增 %(created)s 条，"
                "持续中 %(continuing)s 条（用时 %(took).2f 秒）。"
            )
            % {
                "day": day.isoformat(),
                "found": result.found,
                "created": result.created,
                "continuing": result.continuing,
                "took": took,
            }
        )
