"""What django-ninja leaves to Django answers JSON in the API's error shape too: an unknown
path under /api/ (not Django's HTML 404 page) and a known path with the wrong method."""

from __future__ import annotations

from django.test import Client

from tests.api.conftest import Api
from tests.orgtree import Tree

UNKNOWN = {
    "code": "not_found",
    "rules": [],
    "message": "请求的接口不存在，请核对地址（接口说明见 /api/docs）。",
    "fields": {},
}


def test_an_unknown_path_answers_json_404_in_chinese(tree: Tree) -> None:
    api = Api(tree.city_staff)
    for url in ("/api/nonsense", "/api/cases/1/nothing", "/api/cases/", "/api/queues/a/b"):
        response = api.client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert response.json() == UNKNOWN, url
    # A known path with a malformed id is the API's own validation error, not a 404.
    status, data = api.get("/api/cases/abc")
    assert (status, data["fields"]) == (422, {"case_id": ["须为整数。"]})
    # Without credentials too: the answer says nothing about any case.
    response = Client().post("/api/v2/petitions", {})
    assert (response.status_code, response.json()) == (404, UNKNOWN)


def test_a_wrong_method_answers_json_405_naming_the_allowed_ones(tree: Tree) -> None:
    api = Api(tree.city_staff)
    response = api.client.delete("/api/cases")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {
        "code": "method_not_allowed",
        "rules": [],
        "message": "该地址不支持 DELETE 请求（可用：GET）。",
        "fields": {},
    }
    response = api.client.get("/api/petitions")
    assert (response.status_code, response.json()["message"]) == (
        405,
        "该地址不支持 GET 请求（可用：POST）。",
    )


def test_the_endpoints_themselves_still_answer(tree: Tree) -> None:
    api = Api(tree.city_staff)
    assert api.get("/api/me")[0] == 200
    assert api.get("/api/cases")[1]["count"] == 0
