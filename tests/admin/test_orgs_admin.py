"""Organization admin: kept by superusers and 系统管理员 (roles, not model permissions)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.admin.conftest import Login, new_staff_form
from tests.orgtree import Tree
from xinfang.cases.models import YearlyTarget
from xinfang.orgs.models import Department, Jurisdiction, User


@pytest.fixture
def administrator(tree: Tree) -> User:
    return tree.staff(tree.city_org, "administrator", name="sysadmin")


ORG_PAGES = [
    "orgs_jurisdiction",
    "orgs_department",
    "orgs_post",
    "orgs_cadre",
    "orgs_user",
]


def test_administrator_reaches_every_org_page(administrator: User, login: Login) -> None:
    client = login(administrator)
    for name in ORG_PAGES:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
        assert client.get(reverse(f"admin:{name}_add")).status_code == 200, name


def test_case_staff_do_not_reach_org_pages(tree: Tree, login: Login) -> None:
    client = login(tree.county_staff)
    for name in ORG_PAGES:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name
    index = client.get(reverse("admin:index")).content.decode()
    assert "信访事项" in index
    assert "党委/地区" not in index and "工作人员" not in index


def test_jurisdiction_tree_is_indented_and_filterable(
    tree: Tree, administrator: User, login: Login
) -> None:
    client = login(administrator)
    url = reverse("admin:orgs_jurisdiction_changelist")
    page = client.get(url).content.decode()
    assert '<span style="padding-left:0em">东川省</span>' in page
    assert '<span style="padding-left:3em">└ 河口县</span>' in page
    assert '<span style="padding-left:4.5em">└ 石桥镇</span>' in page
    # Tree order: every jurisdiction follows its parent.
    assert page.index("临江市") < page.index("河口县") < page.index("石桥镇") < page.index("白沙县")
    counties = client.get(url + "?level__exact=county").context["cl"].result_list
    assert {j.name for j in counties} == {"河口县", "白沙县"}
    found = client.get(url + "?q=石桥").context["cl"].result_list
    assert [j.name for j in found] == ["石桥镇"]


def test_jurisdiction_cannot_be_moved(tree: Tree, administrator: User, login: Login) -> None:
    client = login(administrator)
    url = reverse("admin:orgs_jurisdiction_change", args=[tree.hekou.pk])
    response = client.post(
        url, {"name": "河口县", "level": "county", "parent": tree.qingshan.pk, "code": ""}
    )
    assert response.status_code == 302
    tree.hekou.refresh_from_db()
    assert tree.hekou.parent_id == tree.linjiang.pk


def test_administrator_creates_jurisdiction_and_department(
    tree: Tree, administrator: User, login: Login
) -> None:
    client = login(administrator)
    response = client.post(
        reverse("admin:orgs_jurisdiction_add"),
        {"name": "柳林镇", "level": "township", "parent": tree.baisha.pk, "code": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    town = Jurisdiction.objects.get(name="柳林镇")
    assert town.path == f"{tree.baisha.path}{town.pk}/"
    response = client.post(
        reverse("admin:orgs_department_add"),
        {
            "jurisdiction": town.pk,
            "kind": "organization",
            "name": "柳林镇党委组织办",
            "handles_petitions": "on",
        },
    )
    assert response.status_code == 302
    assert Department.objects.get(name="柳林镇党委组织办").jurisdiction == town


def test_department_filters(tree: Tree, administrator: User, login: Login) -> None:
    client = login(administrator)
    url = reverse("admin:orgs_department_changelist")
    result = client.get(
        url + "?kind__exact=organization&jurisdiction__level__exact=county"
    ).context["cl"]
    assert {d.name for d in result.result_list} == {"河口县委组织部", "白沙县委组织部"}


def test_cadre_list_shows_post_and_filters_main_leaders(
    tree: Tree, administrator: User, login: Login
) -> None:
    client = login(administrator)
    url = reverse("admin:orgs_cadre_changelist")
    page = client.get(url).content.decode()
    assert "河口县县委书记" in page and "县处级" in page
    leaders = client.get(url + "?post__is_main_leader__exact=1").context["cl"].result_list
    assert {c.name for c in leaders} == {"周建国", "孙立平", "李振华"}


def test_administrator_creates_staff_with_roles(
    tree: Tree, administrator: User, login: Login
) -> None:
    client = login(administrator)
    response = client.post(
        reverse("admin:orgs_user_add"),
        new_staff_form(tree),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="zhangmin")
    assert user.department == tree.baisha_org
    assert user.role_set == {"registrar", "handler"}
    page = client.get(reverse("admin:orgs_user_changelist")).content.decode()
    assert "登记员、承办人" in page


def test_administrator_cannot_make_superusers(
    tree: Tree, administrator: User, login: Login
) -> None:
    root = User.objects.create_superuser(username="root", password="x")
    client = login(administrator)
    listed = client.get(reverse("admin:orgs_user_changelist")).context["cl"].result_list
    assert root not in listed
    assert client.get(reverse("admin:orgs_user_change", args=[root.pk])).status_code == 302
    target = tree.baisha_staff
    url = reverse("admin:orgs_user_change", args=[target.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page
    client.post(
        url,
        {
            "username": target.username,
            "full_name": target.full_name,
            "email": "",
            "department": tree.baisha_org.pk,
            "petition_duty": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "08:00:00",
            "staff_roles-TOTAL_FORMS": "0",
            "staff_roles-INITIAL_FORMS": "0",
        },
    )
    target.refresh_from_db()
    assert target.is_staff and not target.is_superuser


def test_yearly_targets_kept_by_superusers(tree: Tree, administrator: User, login: Login) -> None:
    url = reverse("admin:cases_yearlytarget_add")
    assert login(administrator).get(url).status_code == 403
    client = login(User.objects.create_superuser(username="root", password="x"))
    response = client.post(
        url,
        {
            "department": tree.county_org.pk,
            "year": dt.date.today().year,
            "self_handled_rate": "60",
            "repeat_rate": "5",
            "closure_rate": "90",
        },
    )
    assert response.status_code == 302
    assert YearlyTarget.objects.get(department=tree.county_org).closure_rate == 90
