"""What every list of cases on the pages shares: the filter form (a GET form whose every
value is checked against its choices), sorting by column headers (whitelisted keys only,
cases/listing.py), pages of 50 with the total, and the Excel export of the list as shown.

A list starts from a QuerySet the caller took from a work queue or the supervisor's lists
(both drawn from `cases_visible_to`); nothing here widens it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from xinfang.cases.listing import (
    CATEGORY_CHOICES,
    CHANNEL_CHOICES,
    LEVEL_CHOICES,
    CaseFilters,
    CaseRow,
    case_rows,
    departments_of,
    filtered_cases,
    page_of,
    sort_key,
    sorted_cases,
    with_list_columns,
)
from xinfang.cases.models import Case
from xinfang.cases.search import SearchAnswer
from xinfang.deadlines.clocks import PROVISIONAL_LABEL
from xinfang.orgs.models import Department, User
from xinfang.web.widgets import IsoDateField

PAGE_SIZE = 50
EXPORT_CAP = 5000  # rows in one Excel file; the file says so when the list is longer

# The columns: (header, sort key or None). Headers are the Excel file's too.
COLUMNS: tuple[tuple[StrOrPromise, str | None], ...] = (
    (_("案件编号"), "number"),
    (_("事项摘要"), "title"),
    (_("问题类别"), "category"),
    (_("信访形式"), "channel"),
    (_("状态"), "state"),
    (_("责任部门"), "department"),
    (_("承办人"), "handler"),
    (_("办理期限"), "due_on"),
    (_("逾期或剩余"), None),
)
FILTER_PARAMS = ("category", "channel", "level", "registered_from", "registered_to", "department")


def _blank(choices: list[tuple[str, StrOrPromise]]) -> list[tuple[str, StrOrPromise]]:
    return [("", gettext("全部")), *choices]


class CaseFilterForm(forms.Form):
    """The filters of a case list. Every value is checked against its choices; a wrong one
    is named beside its field and the list is shown unfiltered."""

    category = forms.ChoiceField(label=_("问题类别"), required=False)
    channel = forms.ChoiceField(label=_("信访形式"), required=False)
    level = forms.ChoiceField(label=_("责任部门层级"), required=False)
    registered_from = IsoDateField(label=_("登记日期自"), required=False)
    registered_to = IsoDateField(label=_("至"), required=False)
    department = forms.ChoiceField(label=_("下级部门"), required=False)

    error_messages = {"invalid_choice": _("所选的值不在可选范围内，已显示未筛选的列表。")}

    def __init__(self, data: QueryDict, departments: list[Department]) -> None:
        super().__init__(data)
        self.departments = {str(d.pk): d for d in departments}
        choices = {
            "category": _blank(list(CATEGORY_CHOICES)),
            "channel": _blank(list(CHANNEL_CHOICES)),
            "level": _blank(list(LEVEL_CHOICES)),
            "department": _blank([(str(d.pk), d.name) for d in departments]),
        }
        self.choice_labels = {
            name: {str(k): str(v) for k, v in values} for name, values in choices.items()
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values
            field.error_messages["invalid_choice"] = gettext(
                "所选的值不在可选范围内，已显示未筛选的列表。"
            )
        for name in ("registered_from", "registered_to"):
            self.fields[name].error_messages["invalid"] = gettext(
                "请输入正确的日期，如 2025-03-12。"
            )
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        for name in ("category", "channel", "level", "department"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        if not departments and not data.get("department"):
            del self.fields["department"]  # a value given is still checked (and refused)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("registered_from"), data.get("registered_to")
        if start and end and start > end:
            self.add_error("registered_to", gettext("结束日期不能早于开始日期。"))
        return data

    def filters(self) -> CaseFilters:
        """The validated filters; none at all when any value is wrong (unfiltered list)."""
        if not self.is_valid():
            return CaseFilters()
        data = self.cleaned_data
        return CaseFilters(
            category=data.get("category") or "",
            channel=data.get("channel") or "",
            level=data.get("level") or "",
            registered_from=data.get("registered_from"),
            registered_to=data.get("registered_to"),
            department=self.departments.get(data.get("department") or ""),
        )


@dataclass(frozen=True)
class Header:
    label: str
    url: str  # empty for a column that does not sort
    arrow: str  # ▲ / ▼ on the column the list is sorted by


def _query(params: QueryDict, **changes: str | None) -> str:
    q = params.copy()
    for key, value in changes.items():
        if key in q:
            del q[key]
        if value:
            q[key] = value
    encoded = q.urlencode()
    return f"?{encoded}" if encoded else "?"


def _headers(params: QueryDict) -> list[Header]:
    current = sort_key(params.get("sort", ""))
    headers = []
    for label, key in COLUMNS:
        if key is None:
            headers.append(Header(str(label), "", ""))
            continue
        descending = current is not None and current == (key, False)
        arrow = ""
        if current is not None and current[0] == key:
            arrow = "▼" if current[1] else "▲"
        value = f"-{key}" if descending else key
        headers.append(Header(str(label), _query(params, sort=value, page=None), arrow))
    return headers


class IdsFirstPaginator(Paginator[Case]):
    """Django's paginator, whose page reads its ids first and then the columns of those
    rows only (`page_of`): a list's columns are not computed for every row it sorts."""

    def __init__(self, cases: QuerySet[Case], per_page: int) -> None:
        super().__init__(cases, per_page)
        self.cases = cases

    def page(self, number: int | str) -> Page[Case]:
        valid = self.validate_number(number)
        bottom = (valid - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(page_of(self.cases, bottom, top), valid, self)


@dataclass
class CaseList:
    """A list as the page shows it: the filtered, sorted cases and what the page needs."""

    form: CaseFilterForm
    # Filtered and sorted, with the rows' columns; or the search's answer, which counts and
    # slices itself (cases/search.py: SearchAnswer).
    cases: QuerySet[Case] | SearchAnswer
    params: QueryDict

    @property
    def headers(self) -> list[Header]:
        return _headers(self.params)

    def page(self, today: dt.date) -> tuple[Page[Case], list[CaseRow]]:
        paginator: Paginator[Case] = (
            IdsFirstPaginator(self.cases, PAGE_SIZE)
            if isinstance(self.cases, QuerySet)
            else Paginator(self.cases, PAGE_SIZE)  # type: ignore[arg-type]
        )
        page = paginator.get_page(self.params.get("page"))
        return page, case_rows(list(page.object_list), today)

    def page_url(self, number: int) -> str:
        return _query(self.params, page=str(number))

    @property
    def export_url(self) -> str:
        return _query(self.params, page=None, export="xlsx")

    @property
    def filtered(self) -> bool:
        return any(self.params.get(p) for p in FILTER_PARAMS) and self.form.is_valid()


def case_list(
    request: HttpRequest,
    user: User,
    base: QuerySet[Case],
    departments: list[Department] | None = None,
) -> CaseList:
    """`base` (the cases of a queue or list) filtered and sorted as the request asks. The
    department filter offers `departments`, by default those below the user's own that the
    list's cases belong to."""
    params = request.GET
    if departments is None:
        departments = departments_of(base, user.department_id)
    form = CaseFilterForm(params, departments)
    cases = filtered_cases(with_list_columns(base), form.filters())
    return CaseList(form=form, cases=sorted_cases(cases, params.get("sort", "")), params=params)


def page_context(case_list_: CaseList, today: dt.date) -> dict[str, Any]:
    page, rows = case_list_.page(today)
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {
        "list": case_list_,
        "form": case_list_.form,
        "headers": case_list_.headers,
        "page": page,
        "rows": rows,
        "total": page.paginator.count,
        "page_links": [(n, case_list_.page_url(n) if isinstance(n, int) else "") for n in numbers],
        "prev_url": case_list_.page_url(page.number - 1) if page.has_previous() else "",
        "next_url": case_list_.page_url(page.number + 1) if page.has_next() else "",
        "provisional_label": PROVISIONAL_LABEL,
        "today": today,
    }


# --- Excel ------------------------------------------------------------------------------


def _text(value: str) -> str:
    """A cell's text: characters XML cannot hold removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _filter_summary(form: CaseFilterForm) -> str:
    if not form.is_valid():
        return gettext("无（筛选条件有误，已导出未筛选的列表）")
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if not value:
            continue
        if isinstance(field, forms.ChoiceField):
            shown = form.choice_labels[name].get(str(value), "")
        else:
            shown = f"{value:%Y-%m-%d}"
        parts.append(f"{field.label}：{shown}")
    return gettext("；").join(parts) or gettext("无")


def xlsx_response(case_list_: CaseList, title: str, user: User, today: dt.date) -> HttpResponse:
    """The list as shown (same filters, same order, every page) in an .xlsx file, up to
    EXPORT_CAP rows; the file says so when the list was longer. Chinese headers, the same
    columns as the page (none of them protected)."""
    total = case_list_.cases.count()
    rows = case_rows(list(case_list_.cases[:EXPORT_CAP]), today)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("案件列表")
    sheet.append([str(label) for label, _key in COLUMNS] + [gettext("期限说明")])
    for r in rows:
        sheet.append(
            [
                r.number,
                r.title,
                r.category,
                r.channel,
                r.state,
                r.department,
                r.handler,
                r.due_on,
                r.days,
                str(PROVISIONAL_LABEL) if r.provisional else "",
            ]
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                # Text stays text: a summary starting with "=" is never a formula.
                cell.value = _text(cell.value)
                cell.data_type = "s"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    if total > EXPORT_CAP:
        sheet.append(
            [
                gettext("仅导出前%(cap)s条，共%(total)s条；请缩小筛选范围后分次导出。")
                % {"cap": EXPORT_CAP, "total": total}
            ]
        )
    for index, width in enumerate((22, 40, 24, 10, 12, 22, 10, 12, 12, 10), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    about = book.create_sheet(gettext("说明"))
    now = timezone.localtime()
    cut = gettext("（仅导出前%(cap)s条）") % {"cap": EXPORT_CAP}
    for label, value in (
        (gettext("列表"), title),
        (gettext("筛选条件"), _filter_summary(case_list_.form)),
        (gettext("排序"), _sort_summary(case_list_.params.get("sort", ""))),
        (
            gettext("共计"),
            gettext("%(total)s条") % {"total": total} + (cut if total > EXPORT_CAP else ""),
        ),
        (gettext("导出人"), str(user)),
        (gettext("导出时间"), f"{now:%Y-%m-%d %H:%M}"),
    ):
        about.append([label, _text(value)])
        about.cell(row=about.max_row, column=2).data_type = "s"
    about.column_dimensions["A"].width = 12
    about.column_dimensions["B"].width = 60

    out = BytesIO()
    book.save(out)
    name = f"{_safe_name(title)}-{today:%Y%m%d}.xlsx"
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"cases-{today:%Y%m%d}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def _sort_summary(value: str) -> str:
    parsed = sort_key(value)
    if parsed is None:
        return gettext("默认顺序")
    key, descending = parsed
    label = next(label for label, k in COLUMNS if k == key)
    return f"{label}{gettext('降序') if descending else gettext('升序')}"


def _safe_name(title: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "", title) or gettext("案件列表")
