"""The case page's forms that pick a department from the whole deployment (转其他部门's
接收部门, an objection's 建议承办部门) find it by a typed search, like the registration's 转来
部门 (web/widgets.py: DepartmentSearchInput, the search web:register_departments): the form
holds no list of every department, the id picked is posted in a hidden input, and the server
still refuses an id it may not take, beside the field, in Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.clients import staff_client
from tests.orgtree import Tree
from tests.web.test_flows import ROWS, _build, _data, _errors_beside, _events, _url
from xinfang.cases.models import Case, Objection, Referral

REFUSED = "所选部门不存在或不能选择，请重新查找选择。"
SEARCH = "/register/departments/"


def _row(flow: str) -> Any:
    return ROWS[[r.flow for r in ROWS].index(flow)]


def _picked(response: Any) -> dict[str, int]:
    """The matches of the search: name -> the id a click puts in the hidden input."""
    assert response.status_code == 200
    found = re.findall(
        r'data-pick-department="(\d+)" data-name="([^"]*)"', response.content.decode()
    )
    return {name: int(pk) for pk, name in found}


# (flow, field): the county's read case referred by its leader; the county's case received
# from the city, objected to by its leader.
FORMS = [("refer", "to_department"), ("raise_objection", "suggested_department")]


@pytest.mark.parametrize(("flow", "field"), FORMS)
def test_the_form_lists_no_departments_and_has_the_search(
    tree: Tree, flow: str, field: str
) -> None:
    case, user = _build(tree, _row(flow))
    body = staff_client(user).get(_url(case, flow)).content.decode()
    assert f'<select name="{field}"' not in body
    assert "<option" not in body.split(f'name="{field}"', 1)[1].split("</div>", 1)[0]
    assert re.search(rf'<input type="hidden" name="{field}" value="" id="id_{field}"', body)
    # The label names the search box, where the user types.
    assert f'for="id_{field}-search"' in body and f'id="id_{field}-search"' in body
    assert 'data-url="/register/departments/"' in body
    # Departments far from the case are not in the page (a select would list them all).
    for far in ("东川能源集团人力资源部", "青山市委组织部", "白沙县委组织部"):
        assert far not in body


def test_a_department_found_by_the_search_is_referred_to(tree: Tree) -> None:
    row = _row("refer")
    case, user = _build(tree, row)
    client = staff_client(user)
    found = _picked(client.get(SEARCH, {"q": "临江 法院"}))
    assert list(found) == ["临江市中级人民法院"]
    data = {
        **_data(row.valid, case),
        "to_department_name": "",
        "to_department": found["临江市中级人民法院"],
    }
    response = client.post(_url(case, "refer"), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    referral = Referral.objects.get(case=case)
    assert referral.to_department == tree.city_court
    assert referral.to_department_name == "临江市中级人民法院"
    assert Case.objects.get(pk=case.pk).state == "referred"


def test_a_department_found_by_the_search_is_suggested_in_an_objection(tree: Tree) -> None:
    case, user = _build(tree, _row("raise_objection"))
    client = staff_client(user)
    found = _picked(client.get(SEARCH, {"q": "白沙"}))
    assert list(found) == ["白沙县委组织部"]
    data = {"reasons": "当事人已调任白沙县", "suggested_department": found["白沙县委组织部"]}
    response = client.post(_url(case, "raise_objection"), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    objection = Objection.objects.get(assignment__child=case)
    assert objection.suggested_department == tree.baisha_org


@pytest.mark.parametrize(("flow", "field"), FORMS)
def test_an_id_the_form_may_not_take_is_refused_beside_the_field(
    tree: Tree, flow: str, field: str
) -> None:
    row = _row(flow)
    case, user = _build(tree, row)
    client = staff_client(user)
    before = _events(case)
    # No such department; the case's own department (not another one).
    for bad in ("987654", str(case.department_id), "河口"):
        response = client.post(_url(case, flow), {**_data(row.valid, case), field: bad})
        assert response.status_code == 400
        body = response.content.decode()
        assert _errors_beside(body, field) == [REFUSED]
        assert "R-" not in body.split("<main", 1)[1]
    assert _events(case) == before
    assert Case.objects.get(pk=case.pk).state == case.state


def test_a_form_sent_back_shows_the_department_picked_in_the_box(tree: Tree) -> None:
    row = _row("refer")
    case, user = _build(tree, row)
    data = {"to_department": tree.city_court.pk, "reason": ""}  # refused: no reason
    body = staff_client(user).post(_url(case, "refer"), data).content.decode()
    assert _errors_beside(body, "reason") == ["“理由”不能为空。"]
    assert f'name="to_department" value="{tree.city_court.pk}"' in body
    assert 'value="临江市中级人民法院" data-department-search' in body


def test_the_search_offers_any_department_but_the_users_own_without_a_source(
    tree: Tree,
) -> None:
    """The case page's forms send no `source`: every department but one's own may be found,
    not only those above (the registration's 上级转交办)."""
    client = staff_client(tree.county_staff)  # 河口县委组织部
    # In the order of the places (临江市 and the counties under it before 青山市).
    assert list(_picked(client.get(SEARCH, {"q": "组织部"}))) == [
        "东川省委组织部",
        "临江市委组织部",
        "白沙县委组织部",
        "青山市委组织部",
    ]
    body = client.get(SEARCH, {"q": "没有这个部门"}).content.decode()
    assert "没有找到可选的部门，请换一个词查找。" in body
    assert "上级转交办" not in body
