"""Load holidays and make-up workdays (调休) from chinese_calendar; safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.core.errors import RuleViolation
from xinfang.deadlines.calendar import calendar_missing_years
from xinfang.deadlines.services import calendar_seed
from xinfang.orgs.models import User


class Command(BaseCommand):
    help = gettext(
        "从 chinese-calendar 软件包导入法定节假日和调休上班日（管理员设置的日期保持不变）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help=gettext("只导入指定年份（可重复）；默认导入软件包已知的全部年份。"),
        )
        parser.add_argument(
            "--by",
            dest="by",
            default="",
            help=gettext(
                "执行导入的管理员用户名；新年份导入后期限有变动的案件，以此人名义写入办理记录。"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["by"]:
            actor = User.objects.filter(username=options["by"]).first()
            if actor is None:
                raise CommandError(
                    gettext("没有用户名为“%(username)s”的用户。") % {"username": options["by"]}
                )
        try:
            result = calendar_seed(years=options["years"], actor=actor)
        except RuleViolation as exc:
            raise CommandError(str(exc)) from None
        if not result.years:
            self.stdout.write(self.style.WARNING(gettext("软件包中没有所选年份的日历。")))
        else:
            self.stdout.write(
                gettext(
                    "年份 %(first)s–%(last)s：新增 %(created)s 天，"
                    "更新 %(updated)s 天，删除 %(deleted)s 天，"
                    "保留管理员设置 %(kept)s 天。"
                )
                % {
                    "first": result.years[0],
                    "last": result.years[-1],
                    "created": result.created,
                    "updated": result.updated,
                    "deleted": result.deleted,
                    "kept": result.kept_admin,
                }
            )
        if result.new_years:
            self.stdout.write(
                gettext("新导入 %(years)s 年：%(rederived)s 件在办案件的期限已重新计算")
                % {
                    "years": "、".join(str(y) for y in result.new_years),
                    "rederived": result.rederived,
                }
                + gettext("，并写入办理记录。")
            )
        for year in calendar_missing_years(timezone.localdate()):
            self.stdout.write(
                self.style.WARNING(
                    gettext(
                        "%(year)s年的节假日安排尚未录入：请升级 chinese-calendar 后重新运行本命令，"
                        "或在管理后台“工作日历”中用“录入全年节假日安排”按国务院办公厅通知录入。"
                    )
                    % {"year": year}
                )
            )
