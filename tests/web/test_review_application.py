"""登记复查、复核申请 (2022 rules): the department one level up registers the application by
case number; the page finds only cases it may receive, and answers every other number the
same way, so a number typed at random tells nothing."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tests.cases.test_available import closed_2022, reviewing_2022
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, CaseEvent, Review

URL = "/reviews/apply/"
NOT_FOUND = "本部门没有可以受理复查、复核申请的该编号案件"


def _post(
    client: object, number: str, applied_on: str = "", request: str = "不服处理意见"
) -> object:
    data = {
        "number": number,
        "applied_on": applied_on or timezone.localdate().isoformat(),
        "request": request,
    }
    return client.post(URL, data)  # type: ignore[attr-defined]


def test_the_city_registers_a_review_of_a_county_case(tree: Tree) -> None:
    case = closed_2022(tree).case  # closed by 河口县委组织部
    registrar = tree.staff(tree.city_org, "registrar")
    client = staff_client(registrar)
    assert client.get(URL).status_code == 200
    response = _post(client, case.number)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case", kwargs={"case_id": case.pk})
    case.refresh_from_db()
    assert case.state == "reviewing"
    assert Review.objects.get(case=case).department == tree.city_org
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))[-1] == (
        "review_apply"
    )
    # Now the city sees the case (its review) and answers from the case page.
    assert client.get(response["Location"]).status_code == 200


def test_the_province_registers_the_re_review(tree: Tree) -> None:
    case = reviewing_2022(tree).case
    cs.review_decide(actor=tree.city_staff, case=case, outcome="upheld", opinion="维持")
    response = _post(staff_client(tree.staff(tree.prov_org, "registrar")), case.number)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == "rereviewing"


def test_every_other_number_answers_the_same(tree: Tree) -> None:
    case = closed_2022(tree).case
    for who, number in [
        (tree.staff(tree.prov_org, "registrar"), case.number),  # two levels up
        (tree.staff(tree.baisha_org, "registrar"), case.number),  # a neighbour
        (tree.staff(tree.county_org, "registrar"), case.number),  # its own department
        (tree.staff(tree.city_org, "registrar"), "不存在-0001"),  # no such case
    ]:
        response = _post(staff_client(who), number)
        assert response.status_code == 400
        assert NOT_FOUND in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "closed"


def test_a_late_application_is_refused_beside_the_date(tree: Tree) -> None:
    case = closed_2022(tree).case
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = _post(staff_client(tree.staff(tree.city_org, "registrar")), case.number, tomorrow)
    assert response.status_code == 400
    body = response.content.decode()
    assert "申请日期不能晚于今天" in body and "R-" not in body.split("<main", 1)[1]
    assert not Review.objects.filter(case=case).exists()


def test_only_registrars_register_applications(tree: Tree) -> None:
    response = staff_client(tree.staff(tree.city_org, "leader")).get(URL)
    assert response.status_code == 403


def test_an_empty_number_and_request_are_named(tree: Tree) -> None:
    response = _post(staff_client(tree.staff(tree.city_org, "registrar")), "", request=" ")
    assert response.status_code == 400
    body = response.content.decode()
    assert "“案件编号”不能为空。" in body
    assert "“申请事项和理由”不能为空。" in body
    assert "这个字段是必填项" not in body
    assert not Review.objects.exists()


def test_registrars_reach_the_page_from_the_header(tree: Tree) -> None:
    """The page is linked from the header for registrars (a newcomer found it reachable only
    by typing its address), and for no one else, who would be refused it."""
    link = f'href="{URL}"'
    registrar = tree.staff(tree.city_org, "registrar")
    home = staff_client(registrar).get("/").content.decode()
    assert link in home
    assert "复查复核申请</a>" in home
    page = staff_client(registrar).get(URL).content.decode()
    assert f'class="nav-link active" {link}' in page  # marked as the page one is on
    handler = tree.staff(tree.city_org, "handler")
    assert link not in staff_client(handler).get("/").content.decode()
