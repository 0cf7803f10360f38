"""GET /api/cases/{id} lists the actions open to the caller now, from the same function as
the case page's buttons (cases/available.py: actions_open_to), each with its endpoint."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.builders import register
from tests.orgtree import Tree
from xinfang.api.api import api
from xinfang.cases.available import ORDER
from xinfang.cases.lifecycle import ACTION_LABELS


def _open(api: Api, case_id: int) -> list[tuple[str, str, str]]:
    status, data = api.get(f"/api/cases/{case_id}")
    assert status == 200, data
    return [(a["action"], a["method"], a["path"]) for a in data["actions"]]


def test_a_registered_case_offers_what_its_department_may_do_now(tree: Tree) -> None:
    case = register(tree.city_staff)
    n = case.pk
    # The city's registrar, handler and leader in one account.
    assert _open(Api(tree.city_staff), n) == [
        ("read", "POST", f"/api/cases/{n}/actions/read"),
        ("merge", "POST", f"/api/cases/{n}/actions/merge"),
        ("instruct", "POST", f"/api/cases/{n}/actions/instruct"),
        ("report_upward", "POST", f"/api/cases/{n}/actions/report_upward"),
        ("add_interview", "POST", f"/api/cases/{n}/actions/add_interview"),
        ("add_attachment", "POST", f"/api/cases/{n}/attachments"),
    ]
    # A registrar alone: no leader's actions.
    registrar = tree.staff(tree.city_org, "registrar")
    assert [a for a, _m, _p in _open(Api(registrar), n)] == [
        "merge",
        "add_interview",
        "add_attachment",
    ]
    # A supervisor above sees the case and may do nothing on it.
    assert _open(Api(tree.prov_supervisor), n) == []


def test_labels_are_chinese_and_the_list_follows_the_case(tree: Tree) -> None:
    api = Api(tree.city_staff)
    case = register(tree.city_staff).pk
    data = api.get(f"/api/cases/{case}")[1]
    assert [a["label"] for a in data["actions"]] == [
        "阅批",
        "并案",
        "批示",
        "向上反映",
        "接谈",
        "上传附件",
    ]
    # Each endpoint listed is the one to call: read through the path given.
    read_path = data["actions"][0]["path"]
    assert api.post(read_path, {"text": "请研究"})[0] == 200
    after = [a["action"] for a in api.get(f"/api/cases/{case}")[1]["actions"]]
    assert "read" not in after
    assert after[:3] == ["handle_here", "assign_down", "transfer_down"]


def test_an_objection_is_decided_by_two_endpoints(tree: Tree) -> None:
    city, county = Api(tree.city_staff), Api(tree.county_staff)
    parent = register(tree.city_staff).pk
    assert city.post(f"/api/cases/{parent}/actions/read", {"text": "阅"})[0] == 200
    body = {"to_department_id": tree.county_org.pk, "routing_note": "县里更了解情况"}
    assert city.post(f"/api/cases/{parent}/actions/transfer_down", body)[0] == 200
    child = city.get(f"/api/cases/{parent}/assignments")[1]["items"][0]["child_id"]
    assert ("raise_objection", "POST", f"/api/cases/{child}/actions/raise_objection") in _open(
        county, child
    )
    assert (
        county.post(f"/api/cases/{child}/actions/raise_objection", {"reasons": "不归我县"})[0]
        == 200
    )
    on_parent = _open(city, parent)
    assert (
        "accept_objection",
        "POST",
        f"/api/cases/{parent}/actions/accept_objection",
    ) in on_parent
    assert (
        "reject_objection",
        "POST",
        f"/api/cases/{parent}/actions/reject_objection",
    ) in on_parent
    assert not any(a == "decide_objection" for a, _m, _p in on_parent)


def test_every_action_the_page_may_offer_has_an_endpoint_in_the_schema() -> None:
    schema: dict[str, Any] = api.get_openapi_schema(path_prefix="/api/")
    paths = set(schema["paths"])
    by_page_code = {
        "decide_objection": [
            "/api/cases/{case_id}/actions/accept_objection",
            "/api/cases/{case_id}/actions/reject_objection",
        ],
        "add_attachment": ["/api/cases/{case_id}/attachments"],
    }
    for code in ORDER:
        assert code in ACTION_LABELS
        for path in by_page_code.get(code, [f"/api/cases/{{case_id}}/actions/{code}"]):
            assert path in paths, code
