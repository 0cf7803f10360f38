"""The registration page (登记, issue 9): what a registrar types becomes a case through
`petition_register`; every refusal is shown in Chinese beside its field and nothing is kept;
the look-ups show only what the protection policy allows (R-PROTECT-1)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.builders import VALID_ID, PetitionerInput, RespondentInput, register, to_read
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, IdentityRead
from xinfang.orgs.services import cadre_create
from xinfang.petitions.models import Attachment, ConcernedCadre, Interview, Petition, Petitioner

URL = "/register/"
RULE_ID = re.compile(r"R-[A-Z]+-\d+")


def form_data(**overrides: Any) -> dict[str, Any]:
    """What a registrar submits for an ordinary signed letter: one petitioner, no
    respondent (the empty extra rows as the browser sends them)."""
    data: dict[str, Any] = {
        "channel": "letter",
        "received_on": timezone.localdate().isoformat(),
        "source": "direct",
        "summary": "反映村干部优亲厚友",
        "content": "我村干部在评定低保时优先照顾亲属，请组织上调查。",
        "category": "misconduct",
        "nature": "accusation",
        "head_count": "1",
        "p-TOTAL_FORMS": "1",
        "p-INITIAL_FORMS": "0",
        "p-0-name": "王建华",
        "p-0-id_number": VALID_ID,
        "p-0-phone": "13800000000",
        "r-TOTAL_FORMS": "1",
        "r-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def post(client: Client, data: dict[str, Any]) -> Any:
    return client.post(URL, data)


def errors_beside(response: Any, field: str) -> list[str]:
    """The messages shown beside the input named `field`."""
    body = response.content.decode()
    pattern = rf'data-error-for="{re.escape(field)}">([^<]*)<'
    return re.findall(pattern, body)


def top_errors(response: Any) -> str:
    body = response.content.decode()
    found = re.search(r'id="register-errors">(.*?)</div>', body, re.S)
    return found.group(1) if found else ""


@pytest.fixture
def county(tree: Tree) -> Client:
    return staff_client(tree.county_staff)


def test_the_form_opens_with_a_letter_received_today_from_the_petitioner(
    county: Client,
) -> None:
    response = county.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'value="letter"[^>]*checked', body)
    assert f'value="{timezone.localdate().isoformat()}"' in body
    assert '<option value="direct" selected>' in body
    assert re.search(r'name="p-0-name"[^>]*autofocus', body)
    assert "<script>" not in body  # the CSP: every script is a static file
    assert "web/register.js" in body


def test_a_letter_is_registered_and_the_result_shows_number_notes_and_proposal(
    tree: Tree, county: Client
) -> None:
    response = post(county, form_data())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/register/{case.pk}/done/"
    petition = Petition.objects.get(case=case)
    assert petition.channel == "letter"
    assert petition.registrar == tree.county_staff
    assert [p.name for p in petition.petitioners.all()] == ["王建华"]

    done = county.get(response["Location"])
    body = done.content.decode()
    assert case.number in body
    assert "初信初访" in body  # R-INTAKE-5, the registration's note
    assert "建议自办：河口县委组织部" in body  # no respondent: handled here (R-ROUTE-7)
    assert "组通字〔1987〕33号《纪要》" in body  # grounds in the notice's words
    assert f'href="/cases/{case.pk}/"' in body
    assert not RULE_ID.search(body)


def test_a_visit_is_registered_with_its_interview(tree: Tree, county: Client) -> None:
    response = post(
        county,
        form_data(
            channel="visit",
            receivers=[tree.county_staff.pk],
            interviewed_at="2024-05-06T09:30",
            place="接待室",
            statement="反映村干部优亲厚友",
            requests="要求调查处理",
            answer="登记在案，依规办理后答复",
        ),
    )
    assert response.status_code == 302
    interview = Interview.objects.get()
    assert interview.petition.channel == "visit"
    assert list(interview.receivers.all()) == [tree.county_staff]
    assert interview.statement == "反映村干部优亲厚友"
    assert timezone.localtime(interview.interviewed_at).strftime("%Y-%m-%d %H:%M") == (
        "2024-05-06 09:30"
    )


def test_r_intake_2_a_visit_without_its_interview_is_refused_beside_the_fields(
    county: Client,
) -> None:
    response = post(county, form_data(channel="visit"))
    assert response.status_code == 400
    assert Case.objects.count() == 0
    assert errors_beside(response, "statement")
    assert any("当场答复" in e for e in errors_beside(response, "answer"))


def test_r_intake_4_an_anonymous_letter_needs_its_treatment_and_reason(
    county: Client,
) -> None:
    anonymous = form_data(is_anonymous="on", **{"p-0-name": "", "p-0-id_number": ""})
    anonymous["p-0-phone"] = ""
    refused = post(county, anonymous)
    assert refused.status_code == 400
    assert Case.objects.count() == 0
    [treatment] = errors_beside(refused, "anonymous_treatment")
    assert "调查核实或存查备考" in treatment
    assert "组通字〔1987〕33号《纪要》" in treatment  # R-INTAKE-4 in the notice's words
    assert not RULE_ID.search(treatment)
    assert errors_beside(refused, "anonymous_reason")

    anonymous.update(anonymous_treatment="investigate", anonymous_reason="反映的问题具体可查")
    assert post(county, anonymous).status_code == 302
    petition = Petition.objects.get()
    assert petition.is_anonymous and petition.anonymous_treatment == "investigate"
    assert petition.petitioners.count() == 0


def test_r_intake_3_a_collective_visit_without_a_representative_is_refused_beside_the_field(
    county: Client,
) -> None:
    data = form_data(is_collective="on", head_count="12", collective_origin="石桥镇")
    refused = post(county, data)
    assert refused.status_code == 400
    assert Case.objects.count() == 0
    [message] = errors_beside(refused, "is_collective")
    assert message.startswith("集体信访须登记代表（依据：组通字〔1987〕33号《纪要》")
    # What was typed is kept.
    body = refused.content.decode()
    assert 'value="石桥镇"' in body and 'value="王建华"' in body and 'value="12"' in body

    data["p-0-is_representative"] = "on"
    assert post(county, data).status_code == 302
    petition = Petition.objects.get()
    assert petition.is_collective and petition.head_count == 12


def test_r_cat_4_a_personal_request_names_the_cadre_it_concerns(tree: Tree, county: Client) -> None:
    data = form_data(
        category="personal_request",
        nature="request",
        summary="要求更正参加工作时间",
        concerned_name="郝当事",
        concerned_unit="河口县水利局",
        concerned_post_title="科员",
        concerned_rank="other",
        concerned_managing_jurisdiction=tree.hekou.pk,
    )
    assert post(county, data).status_code == 302
    cadre = ConcernedCadre.objects.get()
    assert (cadre.name, cadre.post_title, cadre.managing_jurisdiction) == (
        "郝当事",
        "科员",
        tree.hekou,
    )

    # Picked from the directory: the post comes from there.
    picked = form_data(
        category="personal_request",
        nature="request",
        concerned_cadre=tree.county_bureau_chief.pk,
        concerned_name="钱卫东",
    )
    assert post(county, picked).status_code == 302
    latest = ConcernedCadre.objects.latest("pk")
    assert (latest.cadre, latest.post_title) == (tree.county_bureau_chief, "局长")


def test_r_cat_4_an_incomplete_cadre_concerned_is_refused_beside_its_fields(
    county: Client,
) -> None:
    refused = post(
        county,
        form_data(category="personal_request", nature="request", concerned_name="郝当事"),
    )
    assert refused.status_code == 400
    assert errors_beside(refused, "concerned_post_title")
    assert errors_beside(refused, "concerned_rank")
    assert errors_beside(refused, "concerned_managing_jurisdiction")
    assert ConcernedCadre.objects.count() == 0


def test_r_repeat_4_a_repeat_is_linked_to_an_existing_case_of_the_department(
    tree: Tree, county: Client
) -> None:
    first = register(tree.county_staff)
    response = post(county, form_data(repeat_of=first.number))
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert Petition.objects.filter(case=first).count() == 2
    done = county.get(response["Location"]).content.decode()
    assert f"已作为重信重访关联到案件{first.number}" in done


def test_r_repeat_4_a_case_of_another_department_cannot_be_linked(
    tree: Tree, county: Client
) -> None:
    elsewhere = register(tree.baisha_staff)
    refused = post(county, form_data(repeat_of=elsewhere.number))
    assert refused.status_code == 400
    [message] = errors_beside(refused, "repeat_of")
    assert "只能关联本部门的案件" in message
    assert Petition.objects.count() == 1


def test_an_invalid_id_number_is_refused_beside_the_petitioner_s_id_number(
    county: Client,
) -> None:
    refused = post(county, form_data(**{"p-0-id_number": "110101199003074478"}))
    assert refused.status_code == 400
    [message] = errors_beside(refused, "p-0-id_number")
    assert message == "第1位信访人（王建华）：身份证号码校验位不正确，请核对后重新输入。"
    assert Case.objects.count() == 0 and Petitioner.objects.count() == 0


def test_a_respondent_is_picked_from_the_directory_or_refused_beside_the_row(
    tree: Tree, county: Client
) -> None:
    # A bare name the directory knows must be confirmed by picking (R-PROTECT-1).
    refused = post(county, form_data(**{"r-0-name": "钱卫东"}))
    assert refused.status_code == 400
    [message] = errors_beside(refused, "r-0-name")
    assert "第1位被反映人" in message and "干部名册" in message

    picked = form_data(**{"r-0-cadre": tree.county_bureau_chief.pk, "r-0-name": "钱卫东"})
    assert post(county, picked).status_code == 302
    respondent = Petition.objects.get().respondents.get()
    assert (respondent.cadre, respondent.post_title) == (tree.county_bureau_chief, "局长")


def test_attachments_are_stored_with_the_registration(
    county: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    files = [
        SimpleUploadedFile("来信.pdf", b"%PDF-1.4 letter", "application/pdf"),
        SimpleUploadedFile("说明.txt", "情况说明".encode(), "text/plain"),
    ]
    assert post(county, form_data(attachments=files)).status_code == 302
    assert sorted(a.original_name for a in Attachment.objects.all()) == ["来信.pdf", "说明.txt"]


def test_r_intake_1_a_refused_attachment_leaves_nothing_registered(
    county: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    files = [
        SimpleUploadedFile("来信.pdf", b"%PDF-1.4 letter", "application/pdf"),
        SimpleUploadedFile("page.txt", b"<script>alert(1)</script>", "text/plain"),
    ]
    refused = post(county, form_data(attachments=files))
    assert refused.status_code == 400
    [message] = errors_beside(refused, "attachments")
    assert message.startswith("附件“page.txt”含有网页、脚本等可执行内容")
    assert "请重新选择附件" in top_errors(refused)
    assert (Case.objects.count(), Petition.objects.count(), Attachment.objects.count()) == (
        0,
        0,
        0,
    )
    assert not any(tmp_path.rglob("*.pdf"))


def test_every_problem_is_reported_at_once_and_nothing_is_kept(county: Client) -> None:
    refused = post(
        county,
        form_data(
            summary="",
            content="",
            category="",
            received_on=(timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        ),
    )
    assert refused.status_code == 400
    assert errors_beside(refused, "summary") == ["内容摘要不能为空。"]
    assert errors_beside(refused, "content") == ["信件全文或接谈内容不能为空。"]
    assert errors_beside(refused, "category") == ["请选择问题类别。"]
    assert errors_beside(refused, "received_on") == ["收到日期不能晚于今天。"]
    assert Case.objects.count() == 0


def test_a_refusal_whose_problems_all_sit_beside_their_fields_says_so_at_the_top(
    county: Client,
) -> None:
    """The form itself accepts an empty category; the registration's checks refuse it and
    the message goes beside the field, below the fold. The top of the page, where the
    registrar is looking, must still say that nothing was registered and why to look down."""
    refused = post(county, form_data(category="", nature=""))
    assert refused.status_code == 400
    assert errors_beside(refused, "category") == ["请选择问题类别。"]
    assert errors_beside(refused, "nature") == ["请选择信访性质。"]
    top = top_errors(refused)
    assert "未登记" in top
    assert "请按提示改正标出的内容后再提交。" in top
    assert "请选择问题类别" not in top  # said once, beside its field
    assert Case.objects.count() == 0


def test_an_empty_required_field_is_named_in_the_actions_words(county: Client) -> None:
    """Django's own 这个字段是必填项。 named no field and read unlike the registration's own
    checks (请选择问题类别。); the form's required fields now say which, as those do."""
    refused = post(county, form_data(received_on="", channel=""))
    assert refused.status_code == 400
    assert errors_beside(refused, "received_on") == ["“收到日期”不能为空。"]
    assert errors_beside(refused, "channel") == ["请选择“信访形式”。"]
    assert "这个字段是必填项" not in refused.content.decode()
    assert Case.objects.count() == 0


def test_only_registrars_register(tree: Tree) -> None:
    supervisor = staff_client(tree.city_supervisor)
    page = supervisor.get(URL)
    assert page.status_code == 403
    assert "登记员" in page.content.decode()
    assert post(supervisor, form_data()).status_code == 403
    assert Case.objects.count() == 0


def test_the_form_page_keeps_its_query_budget(
    county: Client, django_assert_max_num_queries: Any
) -> None:
    county.get(URL)  # the session warmed
    with django_assert_max_num_queries(10):
        assert county.get(URL).status_code == 200


# --- look-ups ------------------------------------------------------------------------------


def _lookup(client: Client, **query: str) -> str:
    response = client.get("/register/lookup/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_lookup_finds_an_earlier_petitioner_by_id_number_phone_and_name_prefix(
    tree: Tree, county: Client
) -> None:
    earlier = register(tree.county_staff)
    for query in ({"id_number": VALID_ID}, {"phone": "13800000000"}, {"name": "王建"}):
        body = _lookup(county, **query)
        assert "王建华" in body, query
        assert earlier.number in body
        assert f'data-link-case="{earlier.number}"' in body
        assert VALID_ID not in body  # shown masked: 110101********4477
        assert "110101********4477" in body
    # Each display of identity is logged (R-PROTECT-1).
    assert IdentityRead.objects.filter(user=tree.county_staff, case=earlier).exists()
    assert "未登记过" in _lookup(county, name="赵")


def test_r_protect_1_lookup_never_shows_petitioners_of_other_departments(
    tree: Tree,
) -> None:
    register(tree.city_staff)  # the same person, registered by the city
    for user in (tree.county_staff, tree.baisha_staff, tree.prov_staff):
        body = _lookup(staff_client(user), id_number=VALID_ID, name="王", phone="13800000000")
        assert "王建华" not in body
    assert not IdentityRead.objects.exists()


def test_r_protect_1_lookup_hides_the_accuser_from_the_respondent_s_side(tree: Tree) -> None:
    # A letter to the province accusing a manager of the energy group, assigned down to the
    # group's personnel department: the group handles the case, but is the accused's own
    # unit (R-COUNTY-5), so its staff never see who wrote (R-PROTECT-1).
    manager = cadre_create(
        name="赵德明",
        title="副总经理",
        jurisdiction=tree.energy,
        managing_jurisdiction=tree.energy,
        rank="section",
    )
    case = register(
        tree.prov_staff,
        petitioners=[PetitionerInput(name="甄检举", id_number=VALID_ID)],
        respondents=[RespondentInput(cadre=manager)],
    )
    child = cs.case_assign_down(
        actor=tree.prov_staff,
        case=to_read(case, tree.prov_staff),
        to_department=tree.energy_personnel,
    ).child
    assert "甄检举" in _lookup(staff_client(tree.prov_staff), name="甄")
    energy = staff_client(tree.energy_staff)
    assert energy.get(f"/register/{child.pk}/done/").status_code == 200  # it sees the case
    for query in ({"name": "甄"}, {"id_number": VALID_ID}):
        body = _lookup(energy, **query)
        assert "甄检举" not in body and child.number not in body
    assert not IdentityRead.objects.filter(user=tree.energy_staff).exists()


def test_r_protect_1_lookup_is_for_registrars_only(tree: Tree) -> None:
    register(tree.city_staff)
    supervisor = staff_client(tree.city_supervisor)
    response = supervisor.get("/register/lookup/", {"name": "王"})
    assert response.status_code == 403
    assert "王建华" not in response.content.decode()


def test_the_id_number_is_read_as_typed(county: Client) -> None:
    body = county.get("/register/idnumber/", {"id_number": "440304199202154564"}).content
    text = body.decode()
    assert "1992年2月15日" in text and "女" in text
    assert 'data-region="广东省深圳市福田区"' in text
    bad = county.get("/register/idnumber/", {"id_number": "440304199202154565"})
    assert "校验位不正确" in bad.content.decode()


def test_cadres_are_found_by_name_with_post_and_jurisdiction(county: Client) -> None:
    body = county.get("/register/cadres/", {"q": "周"}).content.decode()
    assert "周建国" in body and "河口县县委书记" in body
    assert "干部管理权限：临江市" in body and "主要领导" in body
    by_post = county.get("/register/cadres/", {"q": "局长"}).content.decode()
    assert "钱卫东" in by_post and "周建国" not in by_post
    assert "没有找到" in county.get("/register/cadres/", {"q": "无此人"}).content.decode()


def test_the_done_page_answers_404_for_a_case_the_user_may_not_see(tree: Tree) -> None:
    case = register(tree.city_staff)
    assert (
        staff_client(tree.baisha_staff)
        .get(reverse("web:register_done", args=[case.pk]))
        .status_code
        == 404
    )
