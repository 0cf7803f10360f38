"""The holes an attacker's probe found in R-PROTECT-1, each closed (issue: accuser protection).

1. admin lists filtered by an undeclared field in the URL answered yes or no for guessed text;
2. the case file showed anonymous letters in full;
3. attachment names reached the timeline of the JSON export;
7. a search of about 1,000 words was a server error.
"""

from __future__ import annotations

import json

from django.urls import reverse

from tests.clients import staff_client
from tests.protection.conftest import World
from xinfang.cases.models import CaseEvent, IdentityRead

REFUSED = "网址中含有本页不支持的筛选或参数"


def test_r_protect_1_admin_refuses_undeclared_lookups_whatever_the_value(world: World) -> None:
    # The accused's own unit sees the case sent down to it, never who wrote the letter.
    client = staff_client(world.tree.energy_staff)
    url = reverse("admin:petitions_petition_changelist")
    assert client.get(url).status_code == 200
    right = client.get(url, {"content__contains": "信件绝密线索乙二"})
    wrong = client.get(url, {"content__contains": "信件公开线索乙二"})
    assert right.status_code == wrong.status_code == 400
    assert right.content == wrong.content
    assert REFUSED in right.content.decode()
    # The same through a relation, and on the case list.
    for path, value in (
        ("petitioners__name__startswith", "柯"),
        ("attachments__original_name__contains", "身份证"),
        ("interviews__statement__gt", "面"),
    ):
        assert client.get(url, {path: value}).status_code == 400
    cases = reverse("admin:cases_case_changelist")
    assert client.get(cases, {"petitions__content__contains": "乙二"}).status_code == 400
    assert client.get(cases, {"title__contains": "副总经理"}).status_code == 400
    assert IdentityRead.objects.filter(user=world.tree.energy_staff).count() == 0


def test_declared_filters_and_the_date_bar_still_work(world: World) -> None:
    client = staff_client(world.tree.prov_staff)
    url = reverse("admin:petitions_petition_changelist")
    letters = client.get(url, {"channel__exact": "letter"})
    assert letters.status_code == 200
    assert [p.summary for p in letters.context["cl"].result_list] == ["反映集团副总经理违规用人"]
    year = world.unit.registered_at.year
    assert client.get(url, {"received_on__year": year}).status_code == 200
    cases = reverse("admin:cases_case_changelist")
    assert (
        client.get(cases, {"deadline": "overdue", "state__exact": "transferred"}).status_code == 200
    )


def test_r_protect_1_anonymous_letter_hidden_in_the_case_file(world: World) -> None:
    url = reverse("cases:case_file", args=[world.anonymous.pk])
    # The supervisor above follows the county's cases but may not read who wrote them.
    supervisor = staff_client(world.tree.city_supervisor)
    page = supervisor.get(url).content.decode()
    assert "匿名绝密线索丙三" not in page
    assert "已隐去" in page
    data = json.loads(supervisor.get(url, {"format": "json"}).content)
    assert data["来信来访"][0]["全文"] == "（已隐去）"
    assert data["来信来访"][0]["匿名"] is True
    # The responsible department reads it.
    own = staff_client(world.tree.county_staff).get(url).content.decode()
    assert "匿名绝密线索丙三" in own


def test_r_protect_1_attachment_names_not_in_the_timeline(world: World) -> None:
    event = CaseEvent.objects.get(case=world.unit, kind="attachment")
    assert set(event.payload) == {"petition", "attachment"}
    url = reverse("cases:case_file", args=[world.unit_child.pk])
    body = staff_client(world.tree.energy_staff).get(url, {"format": "json"}).content.decode()
    assert "柯隐名" not in body
    # The department that may read it finds the attachment in the file.
    parent = reverse("cases:case_file", args=[world.unit.pk])
    own = staff_client(world.tree.prov_staff).get(parent, {"format": "json"}).content.decode()
    assert "柯隐名身份证.pdf" in own


def test_r_protect_1_older_payloads_with_names_are_cut_for_hidden_readers(world: World) -> None:
    # Events written before payloads carried references only: the export leaves the name out.
    CaseEvent.objects.filter(case=world.unit, kind="attachment").update(
        payload={"petition": 1, "attachment": 1, "name": "柯隐名身份证.pdf", "sha256": "ab"}
    )
    url = reverse("cases:case_file", args=[world.unit.pk])
    body = staff_client(world.tree.prov_supervisor).get(url, {"format": "json"})
    assert "柯隐名" not in body.content.decode()
    own = staff_client(world.tree.prov_staff).get(url, {"format": "json"}).content.decode()
    assert "柯隐名身份证.pdf" in own


def test_a_search_of_a_thousand_words_answers_with_a_message(world: World) -> None:
    client = staff_client(world.tree.prov_staff)
    words = " ".join(["工资"] * 1000)
    for name in ("admin:cases_case_changelist", "admin:petitions_petition_changelist"):
        response = client.get(reverse(name), {"q": words})
        assert response.status_code == 200
        assert "检索词过长" in response.content.decode()
    # A search within the limits is run whole and finds the case (and the one sent down).
    found = client.get(reverse("admin:cases_case_changelist"), {"q": "副总经理 违规"})
    assert {c.pk for c in found.context["cl"].result_list} == {world.unit.pk, world.unit_child.pk}
    assert "检索词过长" not in found.content.decode()
