"""检索 (/search/): the substring search of cases/search.py as a page, with the filters,
sorting, pages and Excel export of every case list (views/lists.py).

The list is `matching_cases`, drawn from `cases_visible_to` and matching protected text
only where the user may see the identity (R-PROTECT-1); nothing here widens it. A query
under two characters is answered with the Chinese reason and no list.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xinfang.cases.access import departments_visible_to
from xinfang.cases.listing import sort_key
from xinfang.cases.search import NEWEST_FIRST, SearchAnswer, matching_cases, search_text
from xinfang.core.errors import RuleViolation
from xinfang.web.views.common import staff_page, staff_user
from xinfang.web.views.lists import (
    CaseFilterForm,
    CaseList,
    case_list,
    page_context,
    xlsx_response,
)


@staff_page
def search_page(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    raw = request.GET.get("q", "")
    today = timezone.localdate()
    context: dict[str, Any] = {"nav": "search", "search_q": raw, "today": today}
    if not raw.strip():
        return render(request, "web/search/search.html", context)
    try:
        query, note = search_text(raw)
    except RuleViolation as refusal:
        context["problem"] = str(refusal)
        return render(request, "web/search/search.html", context)
    # The department filter offers the departments whose cases the user may see (not
    # those of the answer, which would need every match read first).
    departments = departments_visible_to(user)
    export = request.GET.get("export") == "xlsx"
    if export or sort_key(request.GET.get("sort", "")) is not None:
        # Another order, or every row: the whole answer is read, from the hits
        # (docs/search.md: what a sort by a column costs). The total is exact.
        base = matching_cases(user, query).order_by(*NEWEST_FIRST)
        cases = case_list(request, user, base, departments)
        if export:
            return xlsx_response(cases, f"检索结果：{query}", user, today)
        context.update(page_context(cases, today))
    else:
        # Newest first: one SearchAnswer for the page and its total (exact up to
        # TOTAL_CAP cases, "more than" above it).
        form = CaseFilterForm(request.GET, departments)
        answer = SearchAnswer(user, query, form.filters())
        context.update(page_context(CaseList(form=form, cases=answer, params=request.GET), today))
        context["total_more"] = answer.more
    context.update({"note": note, "asked": True, "empty_text": "没有找到包含该检索词的案件。"})
    return render(request, "web/search/search.html", context)
