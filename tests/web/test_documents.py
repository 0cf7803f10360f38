"""Printed documents (issue 9): 登记表, 受理/不予受理告知书 (2022 rules only), 转办函/交办函
(.docx and PDF, redacted for the receiving department, R-PROTECT-1), 结案报告 and the
archived 案卷 (R-CLOSE-7). Expected words are written out here."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document as open_docx
from docx.oxml.ns import qn
from pypdf import PdfReader

from tests.builders import (
    PetitionerInput,
    RespondentInput,
    at,
    register,
    to_closed,
    to_handling,
    to_read,
)
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate
from xinfang.orgs.services import cadre_create

ACCUSER = "龚举报"
ACCUSER_ID = "110101198501011239"
ACCUSER_PHONE = "13911112222"
ACCUSER_ADDRESS = "青石巷七号"
LETTER_TEXT = "信件全文：集团副总经理安排亲属进入集团。"
IDENTITY = (ACCUSER, ACCUSER_ID, ACCUSER_PHONE, ACCUSER_ADDRESS, LETTER_TEXT)
# cases/documents.py: LETTER_REDACTION_NOTE, written out.
REDACTION_NOTE = (
    "根据信访人身份保护规定，信访人姓名、公民身份号码、联系电话、住址等身份信息不随函转送"
)


def _accuser() -> PetitionerInput:
    return PetitionerInput(
        name=ACCUSER, id_number=ACCUSER_ID, phone=ACCUSER_PHONE, address=ACCUSER_ADDRESS
    )


def _url(case: Case, kind: str, fmt: str = "") -> str:
    if fmt:
        return reverse("web:document_file", kwargs={"case_id": case.pk, "kind": kind, "fmt": fmt})
    return reverse("web:document", kwargs={"case_id": case.pk, "kind": kind})


def _activate_2022(tree: Tree) -> None:
    rule_set_activate(
        actor=tree.staff(tree.prov_org, "administrator"), rule_set=RuleSet.objects.get(code="2022")
    )


def docx_text(body: bytes) -> str:
    """Every text of a .docx, read from its XML parts (body, headers, footers)."""
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return "".join(
            z.read(name).decode()
            for name in z.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        )


def pdf_text(body: bytes) -> str:
    """The PDF's text without white space (letter-spaced titles come out as "交 办 函")."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return "".join(text.split())


def pdf_fonts(body: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded) of every font the PDF's pages use."""
    fonts = []
    for page in PdfReader(io.BytesIO(body)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append((str(font["/BaseFont"]), embedded))
    return fonts


# --- A small world: a letter sent down to the accused's own unit, another to a county ----


@pytest.fixture
def unit_assigned(tree: Tree) -> Case:
    """东川省委组织部 assigns down to 东川能源集团's personnel department a letter accusing
    the group's deputy manager: the receiving department is the accused's own unit."""
    cadre = cadre_create(
        name="赵德明",
        title="副总经理",
        jurisdiction=tree.energy,
        managing_jurisdiction=tree.energy,
        rank="section",
    )
    with at(2025, 3, 3):
        case = register(
            tree.prov_staff,
            summary="反映集团副总经理违规用人",
            content=LETTER_TEXT,
            petitioners=[_accuser()],
            respondents=[RespondentInput(cadre=cadre)],
        )
        case = to_read(case, tree.prov_staff)
        cs.case_assign_down(
            actor=tree.prov_staff,
            case=case,
            to_department=tree.energy_personnel,
            note="请于三个月内查清报结。",
        )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def county_transferred(tree: Tree) -> Case:
    """临江市委组织部 transfers to 河口县委组织部 a letter about a county bureau chief: the
    county's organization department is not the accused's side, so it reads the identity."""
    with at(2025, 3, 3):
        case = register(
            tree.city_staff,
            summary="反映县交通运输局局长违规提拔",
            content=LETTER_TEXT,
            petitioners=[_accuser()],
            respondents=[RespondentInput(cadre=tree.county_bureau_chief)],
        )
        case = to_read(case, tree.city_staff)
        cs.case_transfer_down(
            actor=tree.city_staff,
            case=case,
            to_department=tree.county_org,
            routing_note="县管干部，转县委组织部按职责办理",
        )
    return Case.objects.get(pk=case.pk)


# --- 转办函 / 交办函 -------------------------------------------------------------------------


def test_r_protect_1_letter_to_the_accused_units_department_hides_the_accuser(
    tree: Tree, unit_assigned: Case
) -> None:
    """The sender reads the accuser's identity itself, but the letter goes to the accused's
    own unit: it shows the redaction note instead of name, ID number, phone and address."""
    client = staff_client(tree.prov_staff)
    page = client.get(_url(unit_assigned, "letter")).content.decode()
    assert "交办函" in page and "东川能源集团" in page
    assert unit_assigned.number in page
    assert "2025年3月3日" in page  # sent on
    assert "2025年6月3日" in page  # R-CLOSE-1: result due three months later (1987 set)
    assert REDACTION_NOTE in page
    for marker in IDENTITY:
        assert marker not in page
    docx = client.get(_url(unit_assigned, "letter", "docx"))
    assert docx.status_code == 200
    text = docx_text(docx.content)
    assert "交办函" in text and REDACTION_NOTE in text
    assert not [m for m in IDENTITY if m in text]
    pdf = client.get(_url(unit_assigned, "letter", "pdf"))
    text = pdf_text(pdf.content)
    assert "交办函" in text and "身份信息不随函转送" in text
    assert not [m for m in IDENTITY if m in text]
    # The reader sees the identity on the case file itself: only the letter is redacted.
    file_page = client.get(reverse("cases:case_file", args=[unit_assigned.pk])).content.decode()
    assert ACCUSER in file_page


def test_r_protect_1_letter_to_a_department_not_on_the_accused_side_names_the_accuser(
    tree: Tree, county_transferred: Case
) -> None:
    client = staff_client(tree.city_staff)
    page = client.get(_url(county_transferred, "letter")).content.decode()
    assert "转办函" in page and "河口县委组织部：" in page
    for marker in IDENTITY:
        assert marker in page
    assert REDACTION_NOTE not in page
    text = docx_text(client.get(_url(county_transferred, "letter", "docx")).content)
    assert ACCUSER in text and ACCUSER_ID in text


def test_letter_of_a_case_never_sent_down_is_the_chinese_404(tree: Tree) -> None:
    case = register(tree.city_staff)
    client = staff_client(tree.city_staff)
    for url in (_url(case, "letter"), _url(case, "letter", "docx"), _url(case, "letter", "pdf")):
        response = client.get(url)
        assert response.status_code == 404
        assert "页面不存在或无权查看（404）" in response.content.decode()


# --- Formats -------------------------------------------------------------------------------


def test_docx_opens_with_python_docx_and_sets_the_east_asian_font(
    tree: Tree, county_transferred: Case
) -> None:
    response = staff_client(tree.city_staff).get(_url(county_transferred, "letter", "docx"))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert ".docx" in response["Content-Disposition"]
    word = open_docx(io.BytesIO(response.content))
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "转办函"
    assert f"案件编号：{county_transferred.number}" in texts
    # Every run names its East Asian font, and so does the Normal style.
    runs = [r for p in word.paragraphs for r in p.runs if r.text]
    assert runs
    assert {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in runs} <= {"宋体", "黑体"}
    normal = word.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"
    section = word.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_pdf_is_a4_embeds_a_cjk_font_and_prints_no_boxes(
    tree: Tree, county_transferred: Case
) -> None:
    response = staff_client(tree.city_staff).get(_url(county_transferred, "letter", "pdf"))
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF")
    fonts = pdf_fonts(body)
    assert fonts and all(embedded for _name, embedded in fonts)
    assert any("WenQuanYi" in name for name, _embedded in fonts), fonts
    # No boxes: a glyph missing from the font has no Unicode mapping, so the Chinese words
    # would not come back out of the PDF's text.
    text = pdf_text(body)
    for words in ("转办函", "河口县委组织部", "信访事项情况", "临江市委组织部", ACCUSER):
        assert words in text
    page = PdfReader(io.BytesIO(body)).pages[0]
    width_mm, height_mm = (float(x) * 25.4 / 72 for x in page.mediabox[2:])
    assert (round(width_mm), round(height_mm)) == (210, 297)


def test_print_styles_a4_and_no_navigation_on_paper(tree: Tree, county_transferred: Case) -> None:
    css = Path(__file__).parents[2] / "src/xinfang/web/static/web/documents.css"
    text = css.read_text()
    assert "@page" in text and "size: A4" in text
    assert "WenQuanYi Micro Hei" in text
    page = staff_client(tree.city_staff).get(_url(county_transferred, "letter")).content.decode()
    assert "web/documents.css" in page
    assert 'class="navbar navbar-expand-lg navbar-dark site-bar d-print-none"' in page
    assert '<article class="paper">' in page


# --- 登记表 ---------------------------------------------------------------------------------


def test_registration_card_names_the_petition_and_hides_identity_from_a_supervisor(
    tree: Tree, county_transferred: Case
) -> None:
    page = staff_client(tree.city_staff).get(_url(county_transferred, "registration"))
    body = page.content.decode()
    for words in (
        "信访事项登记表",
        county_transferred.number,
        "来信来访（2025年3月2日）",  # builders.registration: received the day before
        "来信",
        "临江市委组织部",
        "内容摘要",
        "反映县交通运输局局长违规提拔",
        "领导阅批",
        "请组织科调查核实后报我。",
        ACCUSER,
        ACCUSER_ID,
    ):
        assert words in body
    # The province's supervisor sees the case below but not the accuser (R-PROTECT-1).
    supervisor = staff_client(tree.prov_supervisor).get(_url(county_transferred, "registration"))
    assert supervisor.status_code == 200
    text = supervisor.content.decode()
    assert "（已隐去）" in text
    assert not [m for m in IDENTITY if m in text]


@pytest.mark.parametrize("kind", ["registration", "letter", "acceptance", "closure", "dossier"])
def test_a_user_who_may_not_see_the_case_gets_404_in_every_format(
    tree: Tree, county_transferred: Case, kind: str
) -> None:
    client = staff_client(tree.baisha_staff)
    assert client.get(reverse("web:documents", args=[county_transferred.pk])).status_code == 404
    for fmt in ("", "docx", "pdf"):
        assert client.get(_url(county_transferred, kind, fmt)).status_code == 404
    missing = reverse("web:document", kwargs={"case_id": 999999, "kind": kind})
    assert client.get(missing).status_code == 404


# --- 受理 / 不予受理告知书: 2022 rules only ---------------------------------------------------


def test_acceptance_notice_is_absent_under_the_1987_rules(tree: Tree) -> None:
    case = to_handling(register(tree.city_staff), tree.city_staff)
    client = staff_client(tree.city_staff)
    listing = client.get(reverse("web:documents", args=[case.pk])).content.decode()
    assert "信访事项登记表" in listing
    assert _url(case, "acceptance") not in listing
    assert "不出具该告知书" in listing
    for fmt in ("", "docx", "pdf"):
        response = client.get(_url(case, "acceptance", fmt))
        assert response.status_code == 404
        assert "页面不存在或无权查看（404）" in response.content.decode()


def test_acceptance_notice_under_the_2022_rules_cites_the_regulation(tree: Tree) -> None:
    _activate_2022(tree)
    with at(2025, 3, 3):
        case = to_handling(register(tree.city_staff, petitioners=[_accuser()]), tree.city_staff)
    client = staff_client(tree.city_staff)
    listing = client.get(reverse("web:documents", args=[case.pk])).content.decode()
    assert _url(case, "acceptance") in listing
    body = client.get(_url(case, "acceptance")).content.decode()
    for words in (
        "信访事项受理告知书",
        f"{ACCUSER}：",
        "2025年3月2日来信",
        "本机关决定予以受理",
        "《信访工作条例》（中共中央、国务院印发，2022年5月1日起施行）",
        "临江市委组织部",
        "2025年3月3日",
        case.number,
    ):
        assert words in body
    assert "不予受理" not in body
    # Not before the decision: an undecided case has no notice yet.
    undecided = register(tree.city_staff)
    assert client.get(_url(undecided, "acceptance")).status_code == 404


def test_non_acceptance_notice_for_a_matter_referred_out(tree: Tree) -> None:
    _activate_2022(tree)
    with at(2025, 3, 3):
        case = to_read(
            register(tree.city_staff, category="outside_remit", petitioners=[_accuser()]),
            tree.city_staff,
        )
        cs.case_refer(
            actor=tree.city_staff,
            case=case,
            reason="反映的是劳动争议，不属于组织部门业务范围",
            explanation="已告知信访人向人社部门反映",
            explained_on=dt.date(2025, 3, 3),
            explained_how="电话",
            to_department=tree.city_hr,
            routing_note="劳动争议由人社部门处理",
        )
    body = staff_client(tree.city_staff).get(_url(case, "acceptance")).content.decode()
    assert "信访事项不予受理告知书" in body
    assert "不属于组织部门职责范围" in body
    assert "请向临江市人社局提出" in body
    assert "《信访工作条例》" in body


def test_no_notice_for_an_anonymous_letter(tree: Tree) -> None:
    _activate_2022(tree)
    case = register(
        tree.city_staff,
        petitioners=[],
        is_anonymous=True,
        anonymous_treatment="investigate",
        anonymous_reason="反映的问题具体，可以查证",
    )
    case = to_handling(case, tree.city_staff)
    assert staff_client(tree.city_staff).get(_url(case, "acceptance")).status_code == 404


# --- 结案报告 and the archived 案卷 --------------------------------------------------------


@pytest.fixture
def archived(tree: Tree) -> Case:
    leader = tree.staff(tree.city_org, "leader", name="approver")
    with at(2025, 3, 3):
        case = register(
            tree.city_staff,
            summary="反映县交通运输局局长违规提拔",
            content=LETTER_TEXT,
            petitioners=[_accuser()],
        )
        case = to_closed(case, leader, tree.city_staff)
    with at(2025, 3, 5):
        cs.case_archive(actor=tree.city_staff, case=case)
    return Case.objects.get(pk=case.pk)


def test_closure_report_from_the_approved_closure(tree: Tree, archived: Case) -> None:
    body = staff_client(tree.city_staff).get(_url(archived, "closure")).content.decode()
    for words in (
        "信访事项结案报告",
        archived.number,
        "查明的事实：",
        "经调查，反映的问题基本属实。",  # builders.complete_closure
        "处理意见：",
        "对相关人员进行诫勉谈话。",
        "政策依据：",
        "办理手续",
        "登记并经领导阅批",
        "案卷材料齐全",
        "已完成",
        "向检举人反馈：",  # R-CLOSE-5: a signed accusation
        "2025年3月3日，电话告知",
        "审查意见：",
        "结案时间",
        "approver",  # the approver's name
        ACCUSER,
    ):
        assert words in body
    assert "未完成" not in body


def test_closure_report_is_absent_before_approval(tree: Tree) -> None:
    case = to_handling(register(tree.city_staff), tree.city_staff)
    assert staff_client(tree.city_staff).get(_url(case, "closure")).status_code == 404


def test_r_close_7_the_archived_dossier_is_one_document_in_every_format(
    tree: Tree, archived: Case
) -> None:
    client = staff_client(tree.city_staff)
    body = client.get(_url(archived, "dossier")).content.decode()
    for words in (
        "信访案卷",
        archived.archive_number,
        "已归档",
        "来信来访（2025年3月2日）",
        ACCUSER,
        LETTER_TEXT,
        "领导批示",
        "分办决定",
        "结案材料（已批准）",
        "办理记录",
        "归档",
    ):
        assert words in body
    pdf = client.get(_url(archived, "dossier", "pdf")).content
    assert pdf.startswith(b"%PDF")
    assert "办理记录" in pdf_text(pdf)
    assert "办理记录" in docx_text(client.get(_url(archived, "dossier", "docx")).content)
    # Only archived files: an open case prints through the case file page instead.
    open_case = register(tree.city_staff)
    assert client.get(_url(open_case, "dossier")).status_code == 404


# --- Query budgets -------------------------------------------------------------------------


def test_query_budget_of_the_print_views(
    tree: Tree, archived: Case, django_assert_max_num_queries: object
) -> None:
    client = staff_client(tree.city_staff)
    for kind, budget in (("registration", 40), ("closure", 30), ("dossier", 50)):
        with django_assert_max_num_queries(budget):  # type: ignore[operator]
            assert client.get(_url(archived, kind)).status_code == 200
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(reverse("web:documents", args=[archived.pk])).status_code == 200
