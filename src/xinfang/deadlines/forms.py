"""The year-entry form: it only translates the State Council's notice into the service's
arguments; every rule is checked by `services.calendar_year_enter`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.deadlines.services import HolidayRange, MakeUpDay

# "2027-01-01至2027-01-03 元旦" or "2027-01-01 元旦"; 至/到/~ separate the two dates.
_DATE = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_RANGE_LINE = re.compile(rf"^{_DATE}(?:\s*(?:至|到|~|～)\s*{_DATE})?\s*(.*)$")
_DAY_LINE = re.compile(rf"^{_DATE}\s*(.*)$")


def _date(parts: tuple[str | Any, ...]) -> dt.date:
    y, m, d = (int(p) for p in parts)
    return dt.date(y, m, d)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("年份"),
        min_value=2000,
        max_value=2100,
        error_messages={"required": _("请填写年份。")},
    )
    notice = forms.CharField(
        label=_("通知文号"),
        required=False,
        max_length=100,
        help_text=_("例如：国办发明电〔2026〕×号（可不填）。"),
    )
    holidays = forms.CharField(
        label=_("放假安排"),
        widget=forms.Textarea(attrs={"rows": 9, "cols": 60}),
        error_messages={"required": _("请填写放假安排。")},
        help_text=_(
            "按国务院办公厅通知，每行一段：开始日期至结束日期 节日名称，"
            "例如“2027-01-01至2027-01-03 元旦”；只放一天的写“2027-04-05 清明节”。"
        ),
    )
    workdays = forms.CharField(
        label=_("调休上班日"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        help_text=_("每行一天：日期 名称，例如“2027-02-06 春节调休上班”；没有调休的可不填。"),
    )

    def clean_holidays(self) -> list[HolidayRange]:
        ranges: list[HolidayRange] = []
        errors: list[str] = []
        for n, line in enumerate(self.cleaned_data["holidays"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = _RANGE_LINE.match(line)
            try:
                if match is None:
                    raise ValueError
                g = match.groups()
                start = _date(g[0:3])
                end = _date(g[3:6]) if g[3] else start
            except ValueError:
                errors.append(
                    gettext(
                        "放假安排第%(number)s行“%(line)s”无法识别，"
                        "请按“2027-01-01至2027-01-03 元旦”填写。"
                    )
                    % {"number": n, "line": line}
                )
                continue
            ranges.append(HolidayRange(start=start, end=end, name=g[6].strip()))
        if errors:
            raise forms.ValidationError(errors)
        return ranges

    def clean_workdays(self) -> list[MakeUpDay]:
        days: list[MakeUpDay] = []
        errors: list[str] = []
        for n, line in enumerate(self.cleaned_data["workdays"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = _DAY_LINE.match(line)
            try:
                if match is None:
                    raise ValueError
                g = match.groups()
                day = _date(g[0:3])
            except ValueError:
                errors.append(
                    gettext(
                        "调休上班日第%(number)s行“%(line)s”无法识别，"
                        "请按“2027-02-06 春节调休上班”填写。"
                    )
                    % {"number": n, "line": line}
                )
                continue
            days.append(MakeUpDay(date=day, name=g[3].strip()))
        if errors:
            raise forms.ValidationError(errors)
        return days
