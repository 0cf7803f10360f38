"""Every action endpoint calls the case action a page calls: representative flows end to
end over HTTP, and every action at least once for the shape of its refusal."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.utils import timezone

from tests.api.conftest import Api
from tests.builders import complete_closure, register
from tests.orgtree import Tree
from xinfang.api.api import api
from xinfang.cases.models import Case

RULE_ID = re.compile(r"R-[A-Z]+-\d+")

# Every action path, written out (docs/api.md lists the same).
ACTION_CODES = [
    "add_interview",
    "read",
    "instruct",
    "report_instruction",
    "report_upward",
    "handle_here",
    "name_handler",
    "transfer_down",
    "assign_down",
    "receive_assignment",
    "raise_objection",
    "accept_objection",
    "reject_objection",
    "refer",
    "file",
    "merge",
    "unmerge",
    "unlink_repeat",
    "report_progress",
    "explain_overdue",
    "extend_deadline",
    "pause_clock",
    "resume_clock",
    "submit_closure",
    "return_closure",
    "approve_closure",
    "accept_report",
    "return_report",
    "review_apply",
    "review_decide",
    "rereview_apply",
    "rereview_decide",
    "archive",
]


def _schema() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/")


def action_paths() -> dict[str, dict[str, Any]]:
    """Action code -> the OpenAPI operation of its path."""
    found = {}
    for path, ops in _schema()["paths"].items():
        m = re.fullmatch(r"/api/cases/\{case_id\}/actions/(\w+)", path)
        if m:
            found[m.group(1)] = ops["post"]
    return found


def test_there_is_one_path_per_action() -> None:
    assert sorted(action_paths()) == sorted(ACTION_CODES)


def _state(case_id: int) -> str:
    return Case.objects.get(pk=case_id).state


def _act(api_: Api, case_id: int, action: str, body: dict[str, Any] | None = None) -> Any:
    status, data = api_.post(f"/api/cases/{case_id}/actions/{action}", body or {})
    assert status == 200, (action, data)
    assert data["action"] == action
    return data


def test_a_letter_from_registration_to_archive_over_http(tree: Tree) -> None:
    city, county = Api(tree.city_staff), Api(tree.county_staff)
    county_leader = Api(tree.staff(tree.county_org, "leader"))
    yesterday = str(timezone.localdate() - dt.timedelta(days=1))
    status, reg = city.post(
        "/api/petitions",
        {
            "channel": "letter",
            "received_on": yesterday,
            "summary": "反映镇干部选拔程序不规范",
            "content": "石桥镇在选拔干部时未经民主推荐。",
            "category": "misconduct",
            "nature": "accusation",
            "petitioners": [{"name": "李明", "phone": "13800000001"}],
        },
    )
    assert status == 201, reg
    parent = reg["case"]["id"]
    assert reg["case"]["state"] == "registered" and reg["is_first"] is True

    data = _act(city, parent, "read", {"text": "请交河口县委组织部调查", "report_required": False})
    assert data["case"]["state"] == "read" and data["record"] == {}
    data = _act(
        city,
        parent,
        "assign_down",
        {
            "to_department_id": tree.county_org.pk,
            "note": "请调查后报结果",
            "routing_note": "属县管干部",
        },
    )
    assert data["case"]["state"] == "handling"
    assert data["record"]["kind"] == "assignment"
    status, sent = city.get(f"/api/cases/{parent}/assignments")
    [assignment] = sent["items"]
    assert (
        assignment["direction"] == "sent"
        and assignment["to_department"]["name"] == "河口县委组织部"
    )
    child = assignment["child_id"]

    data = _act(county, child, "receive_assignment")
    assert data["record"] == {"kind": "assignment", "id": assignment["id"]}
    _act(county, child, "read", {"text": "组织科调查"})
    data = _act(county, child, "handle_here", {"handler_id": tree.county_staff.pk})
    assert data["case"]["state"] == "handling"
    assert data["case"]["handler"] == {"id": tree.county_staff.pk, "name": "county"}

    closure = complete_closure(Case.objects.get(pk=child))
    closure = {k: (str(v) if isinstance(v, dt.date) else v) for k, v in closure.items()}
    data = _act(county, child, "submit_closure", closure)
    assert data["case"]["state"] == "closing" and data["record"]["kind"] == "closure"
    data = _act(
        county_leader, child, "approve_closure", {"review_opinion": "同意结案，报市委组织部。"}
    )
    assert data["case"]["state"] == "closed"
    status, closures = county.get(f"/api/cases/{child}/closures")
    assert [c["status"] for c in closures["items"]] == ["approved"]

    data = _act(city, parent, "accept_report", {"child_case_id": child, "opinion": "同意。"})
    assert data["case"]["state"] == "closed"
    _act(county, child, "archive")
    data = _act(city, parent, "archive")
    assert data["case"]["state"] == "archived" and data["case"]["archive_number"]

    status, archive = city.get("/api/archive")
    assert status == 200
    assert {c["id"] for c in archive["items"]} == {parent, child}  # the child it sent down too
    status, timeline = city.get(f"/api/cases/{parent}/timeline", limit="100")
    kinds = [(e["kind"], e["label"]) for e in timeline["items"]]
    assert kinds == [
        ("register", "登记"),
        ("read", "阅批"),
        ("assign_down", "交办"),
        ("accept_report", "审核通过下级报结"),
        ("archive", "归档"),
    ]
    assert timeline["count"] == 5


def test_an_objection_accepted_sends_the_case_back_to_be_routed(tree: Tree) -> None:
    city, county = Api(tree.city_staff), Api(tree.county_staff)
    parent = register(tree.city_staff).pk
    _act(city, parent, "read", {"text": "阅"})
    _act(
        city,
        parent,
        "transfer_down",
        {"to_department_id": tree.county_org.pk, "routing_note": "县里更了解情况"},
    )
    child = city.get(f"/api/cases/{parent}/assignments")[1]["items"][0]["child_id"]
    data = _act(
        county,
        child,
        "raise_objection",
        {"reasons": "反映的是白沙县的干部", "suggested_department_id": tree.baisha_org.pk},
    )
    objection = data["record"]
    assert objection["kind"] == "objection"
    data = _act(
        city, parent, "accept_objection", {"objection_id": objection["id"], "opinion": "同意"}
    )
    assert data["case"]["state"] == "read"
    assert _state(child) == "withdrawn"


def test_handle_here_names_the_handler_and_name_handler_names_another(tree: Tree) -> None:
    """R-STAFF-1 over HTTP: `handler_id` is required, a leader names another handler with
    the reason, and each refusal comes in the error shape."""
    city = Api(tree.city_staff)
    case = register(tree.city_staff).pk
    _act(city, case, "read", {"text": "阅"})
    status, data = city.post(f"/api/cases/{case}/actions/handle_here", {})
    assert (status, data["code"], data["fields"]) == (
        422,
        "validation_error",
        {"handler_id": ["此项必填。"]},
    )
    assert _state(case) == "read"
    _act(city, case, "handle_here", {"handler_id": tree.city_staff.pk})
    other = tree.staff(tree.city_org, "handler", name="zhou")
    status, data = city.post(f"/api/cases/{case}/actions/name_handler", {"handler_id": other.pk})
    assert (status, data["code"], data["rules"], data["message"]) == (
        422,
        "rule_violation",
        ["R-STAFF-1"],
        "更换承办人须写明理由。",
    )
    # Another department's handler by id: refused without his name, so that ids cannot be
    # tried one by one to learn every department's staff.
    stranger = tree.staff(tree.county_org, "handler", name="县里的甄某")
    status, data = city.post(
        f"/api/cases/{case}/actions/name_handler", {"handler_id": stranger.pk, "reason": "试"}
    )
    assert (status, data["rules"], data["message"]) == (
        422,
        ["R-STAFF-1"],
        "所指定的人员不是本部门的承办人，不能指定其承办。",
    )
    assert "甄某" not in json.dumps(data, ensure_ascii=False)
    data = _act(city, case, "name_handler", {"handler_id": other.pk, "reason": "原承办人借调"})
    assert data["label"] == "指定承办人"
    assert data["case"]["state"] == "handling"
    assert data["case"]["handler"] == {"id": other.pk, "name": "zhou"}


def test_a_referral_with_the_explanation_to_the_petitioner(tree: Tree) -> None:
    city = Api(tree.city_staff)
    case = register(tree.city_staff, category="outside_remit", nature="request").pk
    _act(city, case, "read", {"text": "转有关部门"})
    data = _act(
        city,
        case,
        "refer",
        {
            "reason": "反映的是劳动争议，不属组织部门业务范围",
            "explanation": "已告知信访人向劳动仲裁委员会申请仲裁",
            "explained_on": str(timezone.localdate()),
            "explained_how": "电话",
            "to_department_name": "临江市劳动人事争议仲裁委员会",
            "routing_note": "争议发生在本市",
        },
    )
    assert data["case"]["state"] == "referred"
    assert data["record"]["kind"] == "referral"


def test_a_refused_closure_is_returned_and_the_case_handled_again(tree: Tree) -> None:
    city = Api(tree.city_staff)
    leader2 = Api(tree.staff(tree.city_org, "leader"))
    case = register(tree.city_staff).pk
    _act(city, case, "read", {"text": "阅"})
    _act(city, case, "handle_here", {"handler_id": tree.city_staff.pk})
    # An incomplete closure is refused, listing what is missing, and nothing is written.
    status, data = city.post(f"/api/cases/{case}/actions/submit_closure", {"facts": "查明"})
    assert status == 422 and data["code"] == "rule_violation"
    assert {"R-CLOSE-3"} <= set(data["rules"])
    assert not RULE_ID.search(data["message"])
    assert _state(case) == "handling"
    closure = complete_closure(Case.objects.get(pk=case))
    closure = {k: (str(v) if isinstance(v, dt.date) else v) for k, v in closure.items()}
    _act(city, case, "submit_closure", closure)
    data = _act(leader2, case, "return_closure", {"reasons": "事实不清，请补充调查"})
    assert data["case"]["state"] == "handling"
    assert [c["status"] for c in city.get(f"/api/cases/{case}/closures")[1]["items"]] == [
        "returned"
    ]


def _default(prop: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value of the right type for a required field: blank text, 0, null, false, []."""
    if "$ref" in prop:
        return {}
    kinds = {p.get("type") for p in prop.get("anyOf", [prop])}
    if "null" in kinds:
        return None
    for kind, value in (("string", ""), ("integer", 0), ("boolean", False), ("array", [])):
        if kind in kinds:
            return value
    raise AssertionError(f"no default for {prop}")


def _blank_body(operation: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return {}
    name = content["schema"]["$ref"].rsplit("/", 1)[-1]
    body_schema = schema["components"]["schemas"][name]
    props = body_schema.get("properties", {})
    return {f: _default(props[f], schema) for f in body_schema.get("required", [])}


def test_every_action_refuses_a_blank_request_in_the_error_shape(tree: Tree) -> None:
    """Each action endpoint, with its required fields present but blank (or ids that name
    nothing), on a registered case of the caller's own department: a 422 in the error
    shape, a Chinese message without rule IDs, and the case unchanged."""
    city = Api(tree.city_staff)
    case = Case.objects.get(pk=register(tree.city_staff).pk)
    schema = _schema()
    for code, operation in action_paths().items():
        status, data = city.post(
            f"/api/cases/{case.pk}/actions/{code}", _blank_body(operation, schema)
        )
        assert status == 422, (code, data)
        assert set(data) == {"code", "rules", "message", "fields"}, code
        assert data["code"] in ("rule_violation", "validation_error"), (code, data)
        assert data["message"] and not RULE_ID.search(data["message"]), (code, data)
        after = Case.objects.get(pk=case.pk)
        assert (after.state, after.event_count) == (case.state, case.event_count), code
