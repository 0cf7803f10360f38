"""The registration page's live routing proposal (POST /register/routing/, htmx): the form's
current facts through `propose_routing`, the function the page after registration uses;
nothing written; grounds in Chinese, no rule IDs; waiting until the facts allow."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.clients import staff_client
from tests.orgtree import Tree
from tests.web.test_register import form_data
from xinfang.cases.models import Case, CaseEvent, IdentityRead
from xinfang.petitions.models import ConcernedCadre, Petition, Petitioner, Respondent

URL = "/register/routing/"
RULE_ID = re.compile(r"R-[A-Z]+-\d+")


def facts(**overrides: Any) -> dict[str, Any]:
    """Only what register.js sends: the routing facts of the form, no petitioners, no files."""
    data = {k: v for k, v in form_data(**overrides).items() if not k.startswith("p-")}
    for k in ("channel", "received_on", "source", "head_count"):
        data.pop(k, None)
    return data


def preview(client: Client, **overrides: Any) -> str:
    response = client.post(URL, facts(**overrides))
    assert response.status_code == 200
    body: str = response.content.decode()
    assert not RULE_ID.search(body)
    return body


@pytest.fixture
def city(tree: Tree) -> Client:
    return staff_client(tree.city_staff)


def _headline(body: str) -> str:
    found = re.search(r'id="routing-headline">([^<]*)<', body)
    return found.group(1) if found else ""


def test_r_route_3_a_county_secretary_is_not_sent_to_his_own_county(
    tree: Tree, city: Client
) -> None:
    body = preview(city, **{"r-0-cadre": str(tree.county_secretary.pk), "r-0-name": "周建国"})
    assert _headline(body) == "建议自办：临江市委组织部"
    assert (
        "周建国是河口县的主要领导干部，不得将反映其问题的来信转给河口县委组织部查处"
        "（依据：组通字〔1987〕33号《纪要》“会议强调”部分第（二）项：“不要把反映主要领导干部问题的来信转给同级组织部门查处”）。"
    ) in body


def test_a_county_bureau_chief_goes_down_as_soon_as_he_is_picked(tree: Tree, city: Client) -> None:
    assert _headline(preview(city)) == "建议自办：临江市委组织部"
    body = preview(city, **{"r-0-cadre": str(tree.county_bureau_chief.pk), "r-0-name": "钱卫东"})
    assert _headline(body) == "建议交办：河口县委组织部"


def test_the_preview_is_what_the_page_after_registration_shows(tree: Tree, city: Client) -> None:
    respondent = {"r-0-cadre": str(tree.county_bureau_chief.pk), "r-0-name": "钱卫东"}
    before = preview(city, **respondent)
    response = city.post("/register/", form_data(**respondent))
    assert response.status_code == 302, response.content.decode()
    done = city.get(response["Location"]).content.decode()
    shown = re.search(r'id="routing-proposal">(.*?)</div>', done, re.S)
    assert shown is not None
    reasons = re.findall(r"<li>([^<]*)</li>", before)
    assert reasons and reasons == re.findall(r"<li>([^<]*)</li>", shown.group(1))
    assert _headline(before) in shown.group(1)


def test_nothing_is_written_or_logged(tree: Tree, city: Client) -> None:
    models = (Case, CaseEvent, Petition, Petitioner, Respondent, ConcernedCadre, IdentityRead)
    counts = [m.objects.count() for m in models]
    preview(city, **{"r-0-cadre": str(tree.county_secretary.pk), "r-0-name": "周建国"})
    preview(
        city,
        category="personal_request",
        nature="request",
        concerned_name="赵某",
        concerned_post_title="科员",
        concerned_managing_jurisdiction=str(tree.hekou.pk),
    )
    assert [m.objects.count() for m in models] == counts


def test_it_waits_for_the_category_and_the_nature(city: Client) -> None:
    body = preview(city, category="", nature="accusation")
    assert body.strip() == (
        '<p class="small text-muted mb-0" id="routing-waiting">'
        "选择问题类别和信访性质后，这里显示分办建议。</p>"
    )


def test_it_waits_for_the_treatment_of_an_anonymous_letter(city: Client) -> None:
    body = preview(city, is_anonymous="on")
    assert "选择匿名信的处理方式后，这里显示分办建议。" in body
    assert _headline(preview(city, is_anonymous="on", anonymous_treatment="investigate"))


def test_it_waits_for_a_respondent_it_cannot_place(city: Client) -> None:
    body = preview(city, **{"r-0-name": "查无此人"})
    assert "第1位被反映人“查无此人”无法在干部名册或组织机构中确定" in body
    assert 'id="routing-headline"' not in body


def test_a_personal_request_waits_for_the_cadre_it_concerns(tree: Tree, city: Client) -> None:
    body = preview(city, category="personal_request", nature="request")
    assert "从干部名册中选择当事干部" in body
    body = preview(
        city,
        category="personal_request",
        nature="request",
        concerned_name="赵某",
        concerned_post_title="科员",
        concerned_managing_jurisdiction=str(tree.hekou.pk),
    )
    assert _headline(body) == "建议转办：河口县委组织部"


def test_only_registrars_and_only_by_post(tree: Tree) -> None:
    leader = staff_client(tree.staff(tree.city_org, "leader"))
    assert leader.post(URL, facts()).status_code == 403
    assert staff_client(tree.city_staff).get(URL).status_code == 405
    assert Client().post(URL, facts()).status_code == 302  # to the sign-in page
