"""R-CLOSE-7: the sealed file can be read, printed and exported, never edited; identity in it
follows R-PROTECT-1."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from tests.builders import RespondentInput, register, to_closed
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, IdentityRead


def _archived(tree: Tree) -> Case:
    case = to_closed(
        register(tree.county_staff), tree.staff(tree.county_org, "leader"), tree.county_staff
    )
    return cs.case_archive(actor=tree.county_staff, case=case)


def test_archived_file_reads_prints_and_exports(tree: Tree) -> None:
    case = _archived(tree)
    client = staff_client(tree.county_staff)
    url = reverse("cases:case_file", args=[case.pk])
    page = client.get(url).content.decode()
    assert "已归档封存" in page and case.archive_number in page
    assert "王建华" in page and "110101199003074477" in page
    assert "查明的事实" in page and "办理记录" in page
    response = client.get(url + "?format=json")
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert "casefile-" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["档案号"] == case.archive_number
    assert len(data["办理记录"]) == case.event_count
    assert data["来信来访"][0]["信访人"][0]["姓名"] == "王建华"
    assert IdentityRead.objects.filter(user__username="county", case=case).count() == 2


def test_file_is_for_those_who_may_see_the_case(tree: Tree) -> None:
    case = _archived(tree)
    response = staff_client(tree.baisha_staff).get(reverse("cases:case_file", args=[case.pk]))
    assert response.status_code == 404
    anonymous = Client().get(reverse("cases:case_file", args=[case.pk]))
    assert anonymous.status_code == 302


def test_identity_hidden_in_the_file_where_r_protect_1_says(tree: Tree) -> None:
    case = register(tree.county_staff, respondents=[RespondentInput(cadre=tree.county_secretary)])
    page = staff_client(tree.county_staff).get(reverse("cases:case_file", args=[case.pk])).content
    text = page.decode()
    assert "王建华" not in text and "（已隐去）" in text
    assert "我单位局长" not in text, "the letter's text names the writer: hidden too"
    assert IdentityRead.objects.count() == 0
