"""The search page /search/ and GET /api/search (issue 10): the box in the header, the list
as the queues show it, the filters, the Chinese refusal of a one-character query, the
API's page with its total and error shape, and the page's query budget."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from tests.api.conftest import Api
from tests.builders import register
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.cases import search
from xinfang.cases.models import Case
from xinfang.petitions.models import Petition


def numbers(response: Any) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', response.content.decode())


def get(client: Client, url: str, **params: str) -> Any:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response


def _letters(tree: Tree, *summaries: str, **kw: Any) -> list[Case]:
    return [register(tree.city_staff, summary=s, **kw) for s in summaries]


def test_the_header_has_the_search_box(tree: Tree) -> None:
    body = get(staff_client(tree.city_staff), "/").content.decode()
    assert 'action="/search/"' in body
    assert 'placeholder="检索案件"' in body


def test_the_page_lists_the_matches_newest_first_with_the_total(tree: Tree) -> None:
    old, new = _letters(tree, "反映拖欠工资问题", "再次反映工资待遇")
    _letters(tree, "反映道路维修")
    response = get(staff_client(tree.city_staff), "/search/", q="工资")
    assert numbers(response) == [new.number, old.number]
    body = response.content.decode()
    assert "共 <strong>2</strong> 件" in body
    assert 'value="工资"' in body  # the query stays in the box


def test_an_empty_page_and_no_match(tree: Tree) -> None:
    _letters(tree, "反映拖欠工资问题")
    client = staff_client(tree.city_staff)
    body = get(client, "/search/").content.decode()
    assert "检索案件" in body and "共 <strong>" not in body
    body = get(client, "/search/", q="没有的词").content.decode()
    assert "没有找到包含该检索词的案件。" in body


def test_a_one_character_query_gets_the_chinese_reason(tree: Tree) -> None:
    _letters(tree, "反映拖欠工资问题")
    body = get(staff_client(tree.city_staff), "/search/", q="资").content.decode()
    assert "检索词至少需要两个字" in body
    assert not numbers(get(staff_client(tree.city_staff), "/search/", q="资"))


def test_a_long_query_is_cut_with_a_note(tree: Tree) -> None:
    _letters(tree, "甲乙丙丁戊己庚")
    body = get(staff_client(tree.city_staff), "/search/", q="甲 乙 丙 丁 戊 己").content.decode()
    assert "检索词过长，已按前5个词、不超过50个字检索：甲 乙 丙 丁 戊" in body


def test_filters_keep_the_query(tree: Tree, search_path: str) -> None:
    letter, call = _letters(tree, "反映工资一", "反映工资二")
    Petition.objects.filter(case=call).update(channel="phone")
    client = staff_client(tree.city_staff)
    assert numbers(get(client, "/search/", q="工资", channel="phone")) == [call.number]
    assert numbers(get(client, "/search/", q="工资", channel="letter")) == [letter.number]
    # The city's own level: both; the county's: none (the city sent nothing down).
    assert numbers(get(client, "/search/", q="工资", level="prefecture")) == [
        call.number,
        letter.number,
    ]
    assert numbers(get(client, "/search/", q="工资", level="county")) == []
    body = get(client, "/search/", q="工资", channel="letter").content.decode()
    assert '<input type="hidden" name="q" value="工资">' in body
    bad = get(client, "/search/", q="工资", category="nonsense").content.decode()
    assert "所选的值不在可选范围内，已显示未筛选的列表。" in bad


def test_the_export_is_the_list_as_shown(tree: Tree) -> None:
    _letters(tree, "反映工资一", "反映道路")
    response = staff_client(tree.city_staff).get("/search/", {"q": "工资", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# Measured: 11 read from the hits, 14 read newest first (session, user, department, roles,
# the department's jurisdiction for the identity rule, the departments of the filter, the
# highest petition id and the index's hits in each part that decide the way, then either
# whether the protected part has a hit and the answer's ids, or the departments seen whole
# and, for each of the two parts, its count and its page's ids; then the page's rows); none
# per row. PostgreSQL's way from the hits also asks, in one statement, which visible parts
# hold any case (an empty part is not sent the hit families: docs/search.md).
SEARCH_PAGE_BUDGET = 14


def test_search_page_queries_do_not_grow_with_rows(
    tree: Tree, django_assert_max_num_queries: DjangoAssertNumQueries, search_path: str
) -> None:
    _letters(tree, "反映工资问题")
    client = staff_client(tree.city_staff)
    get(client, "/search/", q="工资")  # warm the calendar cache
    with CaptureQueriesContext(connection) as one:
        assert len(numbers(get(client, "/search/", q="工资"))) == 1
    _letters(tree, *[f"反映工资问题{i}" for i in range(29)])
    with django_assert_max_num_queries(SEARCH_PAGE_BUDGET):
        response = get(client, "/search/", q="工资")
    assert len(numbers(response)) == 30
    with CaptureQueriesContext(connection) as thirty:
        get(client, "/search/", q="工资")
    assert len(thirty.captured_queries) == len(one.captured_queries)


def test_above_the_cap_the_page_says_more_than_and_lists_the_newest(
    tree: Tree, search_path: str, monkeypatch: Any
) -> None:
    """The total is exact up to TOTAL_CAP; above it the page never shows a number as the
    total, says "more than" and lists the newest TOTAL_CAP cases (docs/search.md)."""
    monkeypatch.setattr(search, "TOTAL_CAP", 2)
    old, middle, new = _letters(tree, "反映工资一", "反映工资二", "反映工资三")
    client = staff_client(tree.city_staff)
    body = get(client, "/search/", q="工资").content.decode()
    assert "超过 <strong>2</strong> 件，列出最新的 2 件" in body
    assert "共 <strong>" not in body
    assert "包含该检索词的案件超过2件，未逐件计数" in body
    assert numbers(get(client, "/search/", q="工资")) == [new.number, middle.number]
    # At or below the cap: exact, as before.
    body = get(client, "/search/", q="工资二").content.decode()
    assert "共 <strong>1</strong> 件" in body and "未逐件计数" not in body
    # Sorted by a column: every match is read and the total is exact.
    response = get(client, "/search/", q="工资", sort="number")
    assert "共 <strong>3</strong> 件" in response.content.decode()
    assert numbers(response) == sorted([old.number, middle.number, new.number])


# --- the API -----------------------------------------------------------------------------


def test_api_search_pages_with_the_total(tree: Tree) -> None:
    cases = _letters(tree, "反映工资一", "反映工资二", "反映工资三", "反映道路")
    api = Api(tree.city_staff)
    status, data = api.get("/api/search", q="工资", limit=2)
    assert status == 200
    assert (data["count"], data["limit"], data["offset"]) == (3, 2, 0)
    assert [i["id"] for i in data["items"]] == [cases[2].pk, cases[1].pk]
    status, data = api.get("/api/search", q="工资", limit=2, offset=2)
    assert [i["id"] for i in data["items"]] == [cases[0].pk]
    status, data = api.get("/api/search", q="工资", department=tree.county_org.pk)
    assert (status, data["count"]) == (200, 0)


def test_api_refuses_a_short_query_in_its_error_shape(tree: Tree) -> None:
    status, data = Api(tree.city_staff).get("/api/search", q="资")
    assert status == 422
    assert data["code"] == "validation_error"
    assert data["fields"]["q"][0].startswith("检索词至少需要两个字")
    status, data = Api(tree.city_staff).get("/api/search")
    assert status == 422 and "q" in data["fields"]
