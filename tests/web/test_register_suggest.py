"""The registration page's suggestion from the text (POST /register/suggest/, htmx, issue 11
item 4): beside the category field, the category and referral target with the words that led
to them and a button to apply; registrars only; nothing written; no internal codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from tests.clients import staff_client
from tests.orgtree import Tree
from tests.routing.test_suggest import LABELS, TEXTS
from xinfang.cases.models import Case, CaseEvent
from xinfang.petitions.models import Petition
from xinfang.routing.models import SuggestionModel
from xinfang.routing.services import suggestion_model_train

pytestmark = pytest.mark.django_db

URL = "/register/suggest/"
CODES = re.compile(r"R-[A-Z]+-\d+|outside_remit|misconduct|discipline|accusation")


def shown(client: Client, **data: str) -> str:
    response = client.post(URL, data)
    assert response.status_code == 200
    body: str = response.content.decode()
    # No rule ID and no enum value on screen, except as the apply button's value.
    assert not CODES.search(re.sub(r'data-apply-category="[a-z_]+"', "", body))
    return body


@pytest.fixture
def city(tree: Tree) -> Client:
    return staff_client(tree.city_staff)


def test_r_route_6_bribery_in_an_accusation_suggests_the_discipline_commission(
    city: Client,
) -> None:
    """R-ROUTE-6 (seeded keyword rule): whatever category was picked, with the words."""
    body = shown(
        city,
        summary="检举某局长受贿",
        content="某局长收受贿赂，挪用公款。",
        category="misconduct",
        nature="accusation",
    )
    assert "建议问题类别：</span><strong>不属于组织部门业务范围</strong>" in body
    assert "内容含有：“受贿”、“挪用”" in body
    assert "建议转交：</span><strong>纪委监委</strong>" in body
    assert "按转其他部门规则“检举贪污受贿等职务违法犯罪问题”" in body
    assert 'data-apply-category="outside_remit"' in body
    assert "采用此类别" in body
    assert "由登记员确认；不采用则不作任何改变" in body


def test_the_model_suggests_a_category_with_its_words(tree: Tree, city: Client) -> None:
    when = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
    suggestion_model_train(office=tree.city_org, texts=TEXTS, labels=LABELS, now=when)
    body = shown(
        city,
        summary="反映干部选拔任用中任人唯亲",
        content="",
        category="",
        nature="accusation",
    )
    assert "建议问题类别：</span><strong>领导干部和组织干部工作中的不正之风</strong>" in body
    assert "主要依据：“干部选拔任用中任人唯亲”" in body
    assert 'data-apply-category="misconduct"' in body
    # Picked already: no button, the registrar is told it agrees.
    body = shown(
        city, summary="反映干部选拔任用中任人唯亲", content="", category="misconduct", nature=""
    )
    assert "与所选问题类别一致。" in body and "data-apply-category" not in body


def test_outside_the_remit_picked_without_a_model_names_the_target(city: Client) -> None:
    body = shown(
        city, summary="反映公司拖欠工资", content="", category="outside_remit", nature="other"
    )
    assert "建议问题类别" not in body
    assert "建议转交：</span><strong>人力资源和社会保障局</strong>" in body
    assert "内容含有：“拖欠工资”" in body
    assert "data-apply-category" not in body  # the category is already the one it needs


def test_nothing_typed_waits(city: Client) -> None:
    body = shown(city, summary="", content="", category="", nature="")
    assert "根据内容摘要和全文，这里显示问题类别的建议。" in body


def test_registrars_only_and_nothing_written(tree: Tree) -> None:
    handler = staff_client(tree.staff(tree.city_org, "handler", name="只承办"))
    data = {"summary": "检举某局长受贿", "content": "", "category": "", "nature": "accusation"}
    response = handler.post(URL, data)
    assert (response.status_code, response.content) == (403, b"")
    assert Client().post(URL, data).status_code == 302
    registrar = staff_client(tree.city_staff)
    assert registrar.get(URL).status_code == 405
    before = [m.objects.count() for m in (Case, CaseEvent, Petition, SuggestionModel)]
    registrar.post(URL, data)
    assert [m.objects.count() for m in (Case, CaseEvent, Petition, SuggestionModel)] == before


def test_the_page_has_the_suggestion_beside_the_category(city: Client) -> None:
    body = city.get("/register/").content.decode()
    assert 'data-suggest-url="/register/suggest/"' in body
    assert body.index('id="suggest-preview"') > body.index('name="category"')


def test_the_referral_model_names_a_department_kind_with_its_words(
    tree: Tree, city: Client
) -> None:
    when = dt.datetime(2025, 3, 2, 9, 0, tzinfo=dt.UTC)
    suggestion_model_train(
        office=tree.city_org,
        texts=["学校乱收费，学生减负", "教师体罚学生，学校管理混乱", "公交班次少，道路拥堵"],
        labels=["education", "education", "transport"],
        now=when,
        purpose="referral",
    )
    body = shown(
        city, summary="反映某学校乱收费", content="", category="outside_remit", nature="other"
    )
    assert "建议转交：</span><strong>教育局</strong>" in body
    assert "根据以往转交的同类事项，主要依据：“学校”" in body
