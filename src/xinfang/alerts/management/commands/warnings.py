"""List the early warnings open on a date, highest score first (R-REPEAT-5).

`xinfang warnings --as-of 2019-03-04 --json` prints one JSON array: for each warning its id,
kind, department, label, window, counts, baseline, growth, score, state and assignee. The
labels are what the pages show (a respondent, a unit, a place, a category, a matter's
summary); no petitioner is ever named. Without --json a table in Chinese."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext

from xinfang.alerts.management.commands._dates import as_of
from xinfang.alerts.models import EarlyWarning
from xinfang.alerts.selectors import open_on


def as_json(w: EarlyWarning) -> dict[str, Any]:
    return {
        "id": w.pk,
        "kind": w.kind,
        "kind_label": w.get_kind_display(),
        "department": w.department.name,
        "label": w.label,
        "window_start": w.window_start.isoformat(),
        "window_end": w.window_end.isoformat(),
        "petitioners": w.petitioners,
        "petitions": w.petitions,
        "baseline": w.baseline,
        "growth": w.growth,
        "score": w.score,
        "state": w.state,
        "assignee": w.assignee.username if w.assignee else None,
    }


class Command(BaseCommand):
    help = gettext("列出指定日期（默认今天）仍未关闭的预警，按分值从高到低。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help=gettext("日期（年-月-日），默认今天"))
        parser.add_argument("--json", action="store_true", help=gettext("以 JSON 输出"))
        parser.add_argument(
            "--limit", type=int, default=0, help=gettext("最多列出条数（0 为全部）")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = open_on(as_of(options["as_of"]))
        if options["limit"] > 0:
            rows = rows[: options["limit"]]
        if options["json"]:
            self.stdout.write(json.dumps([as_json(w) for w in rows], ensure_ascii=False, indent=1))
            return
        for w in rows:
            growth = (
                gettext("%(growth).1f倍") % {"growth": w.growth}
                if w.growth is not None
                else gettext("新出现")
            )
            self.stdout.write(
                gettext(
                    "%(score)8.1f  %(kind)s  %(label)s  %(department)s  %(start)s～%(end)s  "
                    "信访人%(petitioners)s人  此前每周%(baseline).1f人  %(growth)s  %(state)s"
                )
                % {
                    "score": w.score,
                    "kind": w.get_kind_display(),
                    "label": w.label,
                    "department": w.department.name,
                    "start": w.window_start,
                    "end": w.window_end,
                    "petitioners": w.petitioners,
                    "baseline": w.baseline,
                    "growth": growth,
                    "state": w.get_state_display(),
                }
            )
