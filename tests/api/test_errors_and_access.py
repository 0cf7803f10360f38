"""Error shapes (code, rules, Chinese message without rule IDs, fields) and the same access
as the pages: 404 alike for missing and forbidden, supervisors see the departments below."""

from __future__ import annotations

import re

from django.test import Client

from tests.api.conftest import Api
from tests.builders import RespondentInput, register
from tests.orgtree import Tree
from xinfang.cases.models import Case

NOT_FOUND = {"code": "not_found", "rules": [], "message": "案件不存在或无权查看", "fields": {}}
RULE_ID = re.compile(r"R-[A-Z]+-\d+")


def test_missing_and_forbidden_cases_answer_the_same_404(tree: Tree) -> None:
    case = register(tree.city_staff)
    other = Api(tree.baisha_staff)  # another county's department
    for suffix in ("", "/petitions", "/petitioners", "/timeline", "/assignments", "/closures"):
        forbidden = other.get(f"/api/cases/{case.pk}{suffix}")
        missing = other.get(f"/api/cases/{case.pk + 1000}{suffix}")
        assert forbidden == missing == (404, NOT_FOUND)
    assert other.post(f"/api/cases/{case.pk}/actions/read", {"text": "阅"}) == (404, NOT_FOUND)
    assert Case.objects.get(pk=case.pk).state == "registered"
    assert other.get("/api/cases")[1]["count"] == 0


def test_supervisors_see_the_departments_below(tree: Tree) -> None:
    county_case = register(tree.county_staff)  # 河口县委组织部, below 临江市
    baisha_case = register(tree.baisha_staff)
    prov_case = register(tree.prov_staff)  # above the city's supervisor
    status, data = Api(tree.city_supervisor).get("/api/cases")
    assert status == 200
    assert sorted(c["id"] for c in data["items"]) == sorted([county_case.pk, baisha_case.pk])
    assert Api(tree.city_supervisor).get(f"/api/cases/{prov_case.pk}") == (404, NOT_FOUND)
    # The province's supervisor sees all three (its own department's and those below).
    assert Api(tree.prov_supervisor).get("/api/cases")[1]["count"] == 3
    # The county's human-resources bureau (another kind of department) sees none of them.
    assert Api(tree.county_hr_staff).get("/api/cases")[1]["count"] == 0


def test_a_refusal_is_json_with_its_rules_and_a_chinese_message_without_rule_ids(
    tree: Tree,
) -> None:
    """R-ROUTE-3: a case about a county's main leader may not go to that county's
    organization department; the refusal names the rule for machines only."""
    case = register(
        tree.city_staff,
        respondents=[RespondentInput(cadre=tree.county_secretary)],
    )
    api = Api(tree.city_staff)
    assert api.post(f"/api/cases/{case.pk}/actions/read", {"text": "请研究"})[0] == 200
    status, data = api.post(
        f"/api/cases/{case.pk}/actions/assign_down", {"to_department_id": tree.county_org.pk}
    )
    assert status == 422
    assert data["code"] == "rule_violation"
    assert "R-ROUTE-3" in data["rules"]
    assert not RULE_ID.search(data["message"])
    assert "组通字〔1987〕33号《纪要》" in data["message"]
    assert data["fields"] == {}


def test_validation_errors_name_each_field_in_chinese(tree: Tree) -> None:
    case = register(tree.city_staff)
    api = Api(tree.city_staff)
    status, data = api.post(
        f"/api/cases/{case.pk}/actions/read", {"due_on": "明天", "report_required": "也许"}
    )
    assert status == 422
    assert data == {
        "code": "validation_error",
        "rules": [],
        "message": "提交的内容有误，请按各项提示修改。",
        "fields": {
            "text": ["此项必填。"],
            "due_on": ["须为日期（年-月-日）。"],
            "report_required": ["须为是或否（true 或 false）。"],
        },
    }
    status, data = api.get("/api/cases", limit="500", state="nonsense")
    assert status == 422
    assert data["fields"] == {"limit": ["数值过大。"], "state": ["不是可选的值。"]}
    status, data = api.post(
        f"/api/cases/{case.pk}/actions/transfer_down", {"to_department_id": 987654}
    )
    assert (status, data["fields"]) == (422, {"to_department_id": ["所选对象不存在。"]})


def test_a_session_write_needs_the_csrf_token(tree: Tree) -> None:
    case = register(tree.city_staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.city_staff)
    assert client.get(f"/api/cases/{case.pk}").status_code == 200  # reads need none
    response = client.post(
        f"/api/cases/{case.pk}/actions/read", {"text": "阅"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Case.objects.get(pk=case.pk).state == "registered"
    token = "k" * 32  # the CSRF cookie a page sets, sent back in the header
    client.cookies["csrftoken"] = token
    response = client.post(
        f"/api/cases/{case.pk}/actions/read",
        {"text": "阅"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.json()
    assert Case.objects.get(pk=case.pk).state == "read"


def test_an_account_without_a_department_is_refused_in_chinese(tree: Tree) -> None:
    loner = type(tree.city_staff).objects.create_user(username="loner", password="x")
    client = Client()
    client.force_login(loner)
    response = client.get("/api/cases")
    assert response.status_code == 403
    assert response.json()["message"] == "您的账号不属于任何部门，不能办理信访业务。"


def test_an_unknown_queue_answers_404_json(tree: Tree) -> None:
    api = Api(tree.city_supervisor)
    assert api.get("/api/queues/nonsense")[0] == 404
    # A leader's queue is not a supervisor's (cases/queues.py: QUEUES' roles).
    assert api.get("/api/queues/to_read") == (
        404,
        {"code": "not_found", "rules": [], "message": "工作队列不存在或无权查看。", "fields": {}},
    )
