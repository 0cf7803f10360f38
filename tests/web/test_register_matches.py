"""The registration page's same-matter and same-person fragment (issue 11): what a
registrar is shown, with scores and reasons, and what no one else is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.builders import PetitionerInput, RespondentInput, register
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.orgs.services import cadre_create

TEXT = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
NEAR = TEXT[:-1] + "戌"
ADDRESS = "河口县城关镇解放路12号"


def _ask(user, **data: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = staff_client(user).post(reverse("web:register_matches"), data)
    return response.status_code, response.content.decode()


def test_the_registrar_sees_the_same_matter_and_person_with_reasons(
    tree: Tree, django_assert_max_num_queries: pytest.FixtureDef[None]
) -> None:
    case = register(
        tree.county_staff,
        content=TEXT,
        petitioners=[PetitionerInput(name="王建华", phone="13800000000", address=ADDRESS)],
    )
    data = {
        "content": NEAR,
        "category": "misconduct",
        "p-0-name": "王建华",
        "p-0-address": ADDRESS,
        "p-0-phone": "138-0000-0000",
    }
    client = staff_client(tree.county_staff)
    with django_assert_max_num_queries(40):  # type: ignore[operator]
        response = client.post(reverse("web:register_matches"), data)
    body = response.content.decode()
    assert response.status_code == 200
    # As a matter and as the person's case, each a link and a one-click 关联 button.
    assert body.count(case.number) == 4
    assert "内容文字相似度89%；问题类别相同" in body
    assert "相似度评分 0.94" in body  # 0.8947 + 0.05
    assert f'data-link-case="{case.number}"' in body
    assert "王建华" in body
    assert "电话号码相同；姓名相同，住址相近（相似度100%）" in body
    assert "评分 0.94" in body  # 1 - 0.2 * 0.3
    assert "13800000000" not in body


def test_nothing_for_other_departments_roles_or_protected_accusers(tree: Tree) -> None:
    cadre = cadre_create(
        name="邵斌",
        title="干部科科长",
        jurisdiction=tree.hekou,
        managing_jurisdiction=tree.hekou,
        rank="section",
        department=tree.county_org,
    )
    hidden = register(
        tree.county_staff,
        content=TEXT,
        petitioners=[PetitionerInput(name="王建华", address=ADDRESS)],
        respondents=[RespondentInput(cadre=cadre)],
    )
    data = {"content": TEXT, "p-0-name": "王建华", "p-0-address": ADDRESS}
    status, body = _ask(tree.county_staff, **data)
    assert status == 200
    assert hidden.number not in body and "王建华" not in body
    assert "未发现可能相同的事项或信访人" in body
    status, body = _ask(tree.baisha_staff, **data)
    assert hidden.number not in body and "王建华" not in body
    status, body = _ask(tree.city_supervisor, **data)
    assert (status, body) == (403, "")


def test_the_registration_page_asks_for_the_fragment(tree: Tree) -> None:
    body = staff_client(tree.county_staff).get(reverse("web:register")).content.decode()
    assert f'hx-post="{reverse("web:register_matches")}"' in body
