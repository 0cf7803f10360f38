"""Lists: limit/offset pagination with totals, filters, queues, key figures, and query-count
budgets constant in the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import Api
from tests.builders import register, to_read
from tests.orgtree import Tree


def test_pagination_gives_the_total_and_the_page(tree: Tree) -> None:
    ids = [register(tree.city_staff).pk for _ in range(5)]
    api = Api(tree.city_staff)
    status, first = api.get("/api/cases", limit="2")
    assert status == 200
    assert (first["count"], first["limit"], first["offset"]) == (5, 2, 0)
    # Newest first.
    assert [c["id"] for c in first["items"]] == [ids[4], ids[3]]
    status, last = api.get("/api/cases", limit="2", offset="4")
    assert (last["count"], [c["id"] for c in last["items"]]) == (5, [ids[0]])
    status, beyond = api.get("/api/cases", offset="10")
    assert (beyond["count"], beyond["items"]) == (5, [])
    assert api.get("/api/cases")[1]["limit"] == 20


def test_filters_by_state_category_department_and_dates(tree: Tree) -> None:
    a = register(tree.city_staff)
    b = to_read(
        register(tree.city_staff, category="personal_request", nature="request"), tree.city_staff
    )
    api = Api(tree.city_staff)

    def ids(**params: str) -> list[int]:
        status, data = api.get("/api/cases", **params)
        assert status == 200, data
        return sorted(c["id"] for c in data["items"])

    assert ids(state="read") == [b.pk]
    assert ids(state="registered") == [a.pk]
    assert ids(category="personal_request") == [b.pk]
    assert ids(department=str(tree.city_org.pk)) == [a.pk, b.pk]
    assert ids(department=str(tree.county_org.pk)) == []
    today = a.registered_at.astimezone().date()
    assert ids(registered_from=str(today), registered_to=str(today)) == [a.pk, b.pk]
    assert ids(registered_from=str(today + dt.timedelta(days=1))) == []
    assert ids(registered_to=str(today - dt.timedelta(days=1))) == []


def test_queues_with_counts_and_their_cases(tree: Tree) -> None:
    registered = register(tree.city_staff)
    to_read(register(tree.city_staff), tree.city_staff)
    api = Api(tree.city_staff)  # registrar, handler and leader: every queue but none
    status, queues = api.get("/api/queues")
    assert status == 200
    counts = {q["key"]: (q["title"], q["count"]) for q in queues}
    assert counts["to_read"] == ("待阅批", 1)
    assert counts["my_cases"] == ("我承办的案件", 0)
    status, page = api.get("/api/queues/to_read")
    assert (page["count"], [c["id"] for c in page["items"]]) == (1, [registered.pk])
    # A supervisor has only the clock queues.
    status, queues = Api(tree.city_supervisor).get("/api/queues")
    assert [q["key"] for q in queues] == [
        "due_within_7_days",
        "half_time_used",
        "overdue_without_explanation",
        "overdue_with_explanation",
    ]


def test_key_figures_with_numerator_and_denominator(tree: Tree) -> None:
    register(tree.city_staff)
    year = str(dt.date.today().year)
    status, figures = Api(tree.city_staff).get("/api/figures", year=year)
    assert status == 200
    by_code = {f["code"]: f for f in figures}
    assert set(by_code) == {"self_handled", "repeat", "year_end_closure"}
    # One petition received this year, none a repeat: 0 of 1.
    repeat = by_code["repeat"]
    assert (repeat["label"], repeat["numerator"], repeat["denominator"]) == ("重信重访率", 0, 1)
    assert repeat["percent"] == "0.00"
    # No case has had its handling decided: nothing counted, no percentage (not 0 %).
    assert by_code["self_handled"]["denominator"] == 0
    assert by_code["self_handled"]["percent"] is None


def _queries(api: Api, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/cases?limit=100", "/api/archive", "/api/queues/to_read"])
def test_case_lists_take_the_same_queries_for_2_rows_as_for_12(
    tree: Tree, url: str, django_assert_max_num_queries: object
) -> None:
    api = Api(tree.city_staff)
    api.client.get("/api/me")  # the token's first use is recorded; later ones once a minute
    for _ in range(2):
        register(tree.city_staff)
    few = _queries(api, url)
    for _ in range(10):
        register(tree.city_staff)
    many = _queries(api, url)
    assert few == many
    # The token, the user's department and roles, count, page (last use: once a minute).
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        api.client.get(url)


def test_the_case_page_and_its_petitions_stay_within_budget(
    tree: Tree, django_assert_max_num_queries: object
) -> None:
    case = register(tree.city_staff)
    api = Api(tree.city_staff)
    # 13 measured with the actions open now (cases/available.py: actions_open_to; one of
    # them reads whether the case holds a repeat that could be unlinked).
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert api.client.get(f"/api/cases/{case.pk}").status_code == 200
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        assert api.client.get(f"/api/cases/{case.pk}/petitions").status_code == 200
