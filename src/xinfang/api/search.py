"""GET /api/search: the substring search of cases/search.py (docs/api.md, "Search").

The same answer as the page /search/: the cases the user may see whose petitions contain the
query, protected text matched only where the user may see the identity (R-PROTECT-1),
newest first, paginated with the total. A query under two characters is a 422 in the API's
error shape, naming the field `q`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router

from xinfang.api import out
from xinfang.api import schemas as s
from xinfang.api.auth import api_user
from xinfang.api.errors import field_error
from xinfang.api.reads import PageIn
from xinfang.cases.listing import CaseFilters, page_of
from xinfang.cases.search import search_queryset
from xinfang.core.errors import RuleViolation
from xinfang.petitions.models import Channel
from xinfang.routing.terms import Category

router = Router(tags=["查询"])


class SearchIn(PageIn):
    q: str = Field(..., description="检索词（至少两个字；超过5个词或50个字时截断）")
    category: Category | None = Field(None, description="问题类别代码")
    channel: Channel | None = Field(None, description="信访形式代码（事项首次来信来访的形式）")
    department: int | None = Field(None, description="责任部门 id")
    registered_from: dt.date | None = Field(None, description="登记日期不早于")
    registered_to: dt.date | None = Field(None, description="登记日期不晚于")


@router.get("/search", response=s.CasePage, summary="检索案件（子串匹配，按登记时间从新到旧）")
def search(request: HttpRequest, p: Query[SearchIn]) -> dict[str, Any]:
    user = api_user(request)
    filters = CaseFilters(
        category=p.category or "",
        channel=p.channel or "",
        registered_from=p.registered_from,
        registered_to=p.registered_to,
    )
    try:
        cases, _query, _note = search_queryset(user, p.q, filters)
    except RuleViolation as refusal:
        raise field_error("q", str(refusal)) from None
    if p.department is not None:
        cases = cases.filter(department_id=p.department)
    # The page's ids first, then its rows (cases/listing.py: page_of), as the page /search/.
    return {
        "count": cases.count(),
        "limit": p.limit,
        "offset": p.offset,
        "items": [out.case(c) for c in page_of(cases, p.offset, p.offset + p.limit)],
    }
