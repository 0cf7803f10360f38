"""转来部门 on the registration page: a typed search returning at most 20 departments the
registrar may pick (from above: the departments of the jurisdictions above; from another
department: any other), not a select of every department; still checked on the server."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.clients import staff_client
from tests.orgtree import Tree
from tests.web.test_register import errors_beside, form_data
from xinfang.orgs.services import department_create
from xinfang.petitions.models import Petition

URL = "/register/departments/"


def names(response: Any) -> list[str]:
    assert response.status_code == 200
    return re.findall(r"<strong>([^<]*)</strong>", response.content.decode())


def test_the_page_no_longer_lists_every_department(tree: Tree) -> None:
    body = staff_client(tree.county_staff).get("/register/").content.decode()
    assert '<select name="source_department"' not in body
    assert '<input type="hidden" name="source_department"' in body
    for other in ("临江市中级人民法院", "青山市委组织部", "东川能源集团人力资源部"):
        assert other not in body


def test_from_above_the_departments_of_the_jurisdictions_above(tree: Tree) -> None:
    county = staff_client(tree.county_staff)  # 河口县委组织部, under 临江市 under 东川省
    assert names(county.get(URL, {"source": "upper_level"})) == [
        "东川省纪委监委",
        "东川省委组织部",
        "东川省信访局",
        "临江市中级人民法院",
        "临江市纪委监委",
        "临江市人社局",
        "临江市委组织部",
    ]
    assert names(county.get(URL, {"source": "upper_level", "q": "临江 组织"})) == ["临江市委组织部"]
    # The county's own and those beside or below it are not above it.
    assert names(county.get(URL, {"source": "upper_level", "q": "白沙"})) == []
    assert names(county.get(URL, {"source": "upper_level", "q": "河口"})) == []


def test_from_another_department_any_other_by_a_word_of_its_name_or_place(tree: Tree) -> None:
    county = staff_client(tree.county_staff)
    assert names(county.get(URL, {"source": "other_department", "q": "纪委"})) == [
        "东川省纪委监委",
        "临江市纪委监委",
        "河口县纪委监委",
    ]
    assert names(county.get(URL, {"source": "other_department", "q": "河口"})) == [
        "河口县纪委监委",
        "河口县人社局",
    ]  # its own department is never offered
    # Nothing typed: nothing listed, a hint instead.
    response = county.get(URL, {"source": "other_department"})
    assert names(response) == []
    assert "输入部门名称或地区名称查找。" in response.content.decode()


def test_at_most_twenty_matches(tree: Tree, django_assert_max_num_queries: Any) -> None:
    for i in range(25):
        department_create(jurisdiction=tree.qingshan, kind="other", name=f"青山市第{i:02d}局")
    county = staff_client(tree.county_staff)
    county.get(URL)  # the session's first read
    # Session, user, the user's department and roles, the matches: 5 measured, whatever the count.
    with django_assert_max_num_queries(5):
        response = county.get(URL, {"source": "other_department", "q": "青山"})
    found = names(response)
    assert len(found) == 20
    assert found[0] == "青山市委组织部"
    assert "只显示前20个，请输入更多字缩小范围。" in response.content.decode()


def test_the_server_checks_the_department_picked(tree: Tree) -> None:
    county = staff_client(tree.county_staff)
    beside = form_data(source="upper_level", source_department=str(tree.baisha_org.pk))
    response = county.post("/register/", beside)
    assert response.status_code == 400
    assert errors_beside(response, "source_department") == [
        "上级转交办的，转来部门须是上级党委的部门，请重新选择。"
    ]
    missing = form_data(source="other_department", source_department="987654")
    response = county.post("/register/", missing)
    assert errors_beside(response, "source_department") == ["所选转来部门不存在，请重新查找选择。"]
    assert Petition.objects.count() == 0
    above = form_data(source="upper_level", source_department=str(tree.city_org.pk))
    response = county.post("/register/", above)
    assert response.status_code == 302, response.content.decode()
    assert Petition.objects.get().source_department == tree.city_org


def test_a_form_sent_back_shows_the_department_picked(tree: Tree) -> None:
    county = staff_client(tree.county_staff)
    data = form_data(source="upper_level", source_department=str(tree.city_org.pk), summary="")
    body = county.post("/register/", data).content.decode()
    assert 'value="临江市委组织部" data-department-search' in body


def test_signed_in_staff_only(tree: Tree) -> None:
    assert Client().get(URL, {"q": "纪委"}).status_code == 302
