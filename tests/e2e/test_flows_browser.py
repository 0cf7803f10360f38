"""End to end: the daily flows of the case core, through the pages only, in headless Chromium.

Each test is one story, walked by the people who do it, each in a browser context of their
own (tests/e2e/conftest.py: loopback only, console errors collected, no rule ID and no raw
code on any page). The services are called only to build the organization tree and the
accounts. What each page must show is written here (state names, queue counts, timeline
lengths), never read from the code under test.

Screenshots: into pytest's tmp dir (path printed at the end of the run); with
XINFANG_SCREENSHOTS=docs/screenshots the guides' images are refreshed (conftest.py).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Desk, Office
from tests.orgtree import Tree

# Every story starts from the migrations' data (an autouse fixture puts it back after an
# earlier transactional test's flush: tests/conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = " · 信访案件管理系统"


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


def open_case_from_queue(desk: Desk, queue: str, number: str) -> None:
    """From the workbench: the queue's card, then the case's row."""
    desk.home()
    desk.page.locator(f".queue-card[data-queue='{queue}'] a").click()
    desk.check_clean()
    desk.page.get_by_role("link", name=number).click()
    expect(desk.page).to_have_title(number + TITLE)
    desk.check_clean()


def do(desk: Desk, label: str) -> None:
    """Press an action's button on the case page and land on its form."""
    desk.page.locator(".case-actions").get_by_role("link", name=label, exact=True).click()
    expect(desk.page.locator("h1")).to_have_text(label)
    desk.check_clean()


def submit(desk: Desk, button: str, done: str) -> None:
    """Submit the flow form; back on the case page with the success message."""
    desk.page.locator("form.flow-form").get_by_role("button", name=button, exact=True).click()
    expect(desk.page.locator(".alert-success")).to_contain_text(done)
    desk.check_clean()


def state(desk: Desk, name: str) -> None:
    expect(desk.page.locator("h1 + .badge")).to_have_text(name)


def timeline(desk: Desk, entries: int, last: str) -> None:
    items = desk.page.locator("ol.timeline > li")
    expect(items).to_have_count(entries)
    expect(items.last).to_contain_text(last)


def buttons(desk: Desk) -> list[str]:
    return [t.strip() for t in desk.page.locator(".case-actions a").all_inner_texts()]


def pick_department(desk: Desk, field: str, typed: str, name: str) -> None:
    """A department found by typing into the form's search and picked with the keyboard
    (↓ to the match, Enter), as on the registration page: the form lists no departments."""
    page = desk.page
    expect(page.locator(f"#id_{field} option")).to_have_count(0)
    page.locator(f"#id_{field}-search").click()
    page.keyboard.type(typed)
    found = page.locator(f"#id_{field}-results [data-pick-department]")
    expect(found).to_have_count(1)
    expect(found).to_have_text(re.compile(name))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(f"#id_{field}-search")).to_have_value(name)
    expect(page.locator(f"#id_{field}")).not_to_have_value("")


def case_number(desk: Desk) -> str:
    text = desk.page.locator("p.text-muted").first.inner_text()
    found = re.search(r"案件编号 (\S+)", text)
    assert found, text
    return found.group(1)


def register_letter(
    desk: Desk,
    *,
    summary: str,
    content: str,
    category: str,
    nature: str,
    name: str = "王建华",
    respondent: str = "",
    shot: str = "",
) -> str:
    """Register a letter through /register/; returns the case number on the done page."""
    page = desk.page
    page.locator("nav").get_by_role("link", name="登记", exact=True).click()
    expect(page).to_have_title("登记来信来访" + TITLE)
    desk.check_clean()
    page.fill("#id_p-0-name", name)
    page.fill("#id_summary", summary)
    page.fill("#id_content", content)
    page.select_option("#id_category", label=category)
    page.select_option("#id_nature", label=nature)
    if respondent:
        page.fill("#id_r-0-name", respondent[0])
        page.get_by_role("button", name=respondent).click()
        expect(page.locator("#respondents .picked")).to_contain_text(respondent)
    if shot:
        desk.shot(shot)
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page).to_have_title("登记完成" + TITLE)
    desk.check_clean()
    return str(page.locator("#case-number").inner_text())


# --- a: a letter from registration to the archive ------------------------------------------


def test_a_letter_goes_down_to_a_county_and_comes_back_closed(tree: Tree, office: Office) -> None:
    city, county = tree.city_org, tree.county_org
    registrar = office.person("sj_dengji", "孙敬", city, "registrar")
    leader = office.person("sj_lingdao", "林道远", city, "leader")
    county_leader = office.person("xj_lingdao", "郑国平", county, "leader")
    county_handler = office.person("xj_chengban", "陈一帆", county, "handler")
    supervisor = office.person("sj_dudao", "杜明", city, "supervisor")

    # The registrar's workbench: nothing waits for reading yet.
    reg = office.desk(registrar)
    expect(reg.page.locator(".queue-card")).to_have_count(4)
    assert reg.queue_count("to_read") == 0
    assert reg.queue_count("sent_down") == 0
    reg.shot("workbench-registrar")

    number = register_letter(
        reg,
        summary="反映县交通运输局局长在干部提拔中优亲厚友",
        content="钱卫东局长在提拔中层干部时优先安排亲属，群众意见很大，请组织上调查。",
        category="领导干部和组织干部工作中的不正之风",
        nature="检举揭发",
        respondent="钱卫东",
        shot="register-letter",
    )
    proposal = reg.page.locator("#routing-proposal")
    expect(proposal).to_contain_text("交办")
    expect(proposal).to_contain_text("河口县委组织部")
    reg.shot("register-done")
    reg.home()
    assert reg.queue_count("to_read") == 1

    # The city leader reads and instructs (阅批).
    lead = office.desk(leader)
    assert lead.queue_count("to_read") == 1
    lead.shot("workbench-leader")
    lead.page.locator(".queue-card[data-queue='to_read'] a").click()
    expect(lead.page).to_have_title("待阅批" + TITLE)
    lead.check_clean()
    row = lead.page.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("已登记")
    expect(row).to_contain_text("来信")
    lead.shot("queue-to-read")
    row.get_by_role("link", name=number).click()
    lead.check_clean()
    state(lead, "已登记")
    expect(lead.page.locator(".case-step.current")).to_have_text("1. 登记")
    assert buttons(lead)[0] == "阅批"
    timeline(lead, 1, "登记")
    lead.shot("case-registered")
    do(lead, "阅批")
    lead.page.fill("#id_text", "请交河口县委组织部调查核实，按时报结果。")
    lead.shot("flow-read")
    submit(lead, "阅批", "已阅批。")
    state(lead, "已阅批")
    expect(lead.page.locator(".case-step.current")).to_have_text("3. 阅看")
    timeline(lead, 2, "阅批")
    expect(lead.page.locator("body")).to_contain_text("请交河口县委组织部调查核实")
    parent_url = lead.page.url
    lead.home()
    assert lead.queue_count("to_read") == 0

    # Assignment down (交办), the routing proposal shown with the form.
    # A read case waits in no queue of the leader's: back by its address.
    lead.page.goto(parent_url)
    do(lead, "交办")
    expect(lead.page.locator(".proposal")).to_contain_text("交办")
    expect(lead.page.locator(".proposal")).to_contain_text("河口县委组织部")
    lead.page.select_option("#id_to_department", label="河口县委组织部")
    lead.page.fill("#id_note", "请于三个月内查清并报结果。")
    lead.shot("flow-assign-down")
    submit(lead, "交办", "已交办至河口县委组织部。")
    state(lead, "办理中")
    timeline(lead, 3, "交办")
    sent = lead.page.locator("table:has(th:text('承办部门')) tbody tr")
    expect(sent).to_contain_text("河口县委组织部")
    expect(sent).to_contain_text("未签收")
    expect(sent.locator("td").nth(4)).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2}$"))  # 报结期限
    expect(sent).to_contain_text("已登记")
    lead.home()
    assert lead.queue_count("sent_down") == 1

    # The county leader signs for it, reads it and decides to handle it here, naming a handler.
    cl = office.desk(county_leader)
    assert cl.queue_count("to_read") == 1
    cl.page.locator(".queue-card[data-queue='to_read'] a").click()
    cl.check_clean()
    cl.page.locator("tbody tr a").first.click()
    cl.check_clean()
    child_number = case_number(cl)
    state(cl, "已登记")
    expect(cl.page.locator("body")).to_contain_text("临江市委组织部交办")
    expect(cl.page.locator("body")).to_contain_text("尚未签收")
    assert buttons(cl)[:2] == ["阅批", "签收"]
    timeline(cl, 1, "收到上级交转办")
    do(cl, "签收")
    submit(cl, "签收", "已签收。")
    timeline(cl, 2, "签收")
    do(cl, "阅批")
    cl.page.fill("#id_text", "由干部监督科陈一帆承办。")
    submit(cl, "阅批", "已阅批。")
    do(cl, "决定自办")
    expect(cl.page.locator(".proposal")).to_contain_text("自办")
    cl.page.select_option("#id_handler", label="陈一帆")
    cl.shot("flow-handle-here")
    submit(cl, "决定自办", "已决定自办。")
    state(cl, "办理中")
    expect(cl.page.locator("p.text-muted").first).to_contain_text("承办人 陈一帆")
    timeline(cl, 4, "决定自办")
    cl.shot("case-handling-below")
    child_url = cl.page.url

    # The city's supervisor sees the county department with one open case and drills down.
    sup = office.desk(supervisor)
    sup.shot("workbench-supervisor")
    sup.page.get_by_role("link", name="下级部门督导").click()
    expect(sup.page).to_have_title("下级部门督导" + TITLE)
    sup.check_clean()
    county_row = sup.page.locator("tr.department-row").filter(has_text="河口县委组织部")
    expect(county_row.locator(".count-open")).to_have_text("1")
    expect(county_row.locator(".count-overdue")).to_have_text("0")
    expect(sup.page.locator("#rates-chart canvas")).to_have_count(1)
    sup.page.wait_for_timeout(1200)  # the chart's bars grow in (ECharts animation)
    sup.shot("supervision")
    county_row.locator(".count-open a").click()
    sup.check_clean()
    expect(sup.page.locator("tbody tr")).to_have_count(1)
    expect(sup.page.locator("tbody tr")).to_contain_text(child_number)
    expect(sup.page.locator("tbody tr")).to_contain_text("办理中")
    sup.shot("supervision-cases")

    # The county handler finds it in 我承办的案件 and submits the closure.
    ch = office.desk(county_handler)
    assert ch.queue_count("my_cases") == 1
    ch.shot("workbench-handler")
    open_case_from_queue(ch, "my_cases", child_number)
    state(ch, "办理中")
    do(ch, "提交结案")
    missing = ch.page.locator("#closure-missing")
    expect(missing).to_contain_text("查明的事实")
    _fill_complete_closure(ch)
    expect(missing).not_to_contain_text("查明的事实")
    submit(ch, "提交结案", "结案材料已提交领导审批。")
    state(ch, "待审核")
    timeline(ch, 5, "提交结案")
    ch.home()
    assert ch.queue_count("my_cases") == 1  # still his until it is closed

    # The county leader approves with the review opinion: this reports it up (R-CLOSE-6).
    cl.home()
    assert cl.queue_count("closures_awaiting_approval") == 1
    open_case_from_queue(cl, "closures_awaiting_approval", child_number)
    do(cl, "批准结案")
    cl.page.locator("form.flow-form button[type=submit]").click()  # no review opinion
    expect(cl.page.locator(".invalid-feedback")).to_contain_text("须有明确的审查意见")
    office.forgive("status of 400")  # a refused form answers 400 (docs/decisions.md)
    cl.check_clean()
    cl.page.fill("#id_review_opinion", "经审查，事实清楚，处理恰当，同意结案并报临江市委组织部。")
    cl.shot("flow-approve-closure")
    submit(cl, "批准结案", "已批准结案。")
    state(cl, "已结案")
    timeline(cl, 6, "批准结案")
    # Not archived before the city accepts (R-CLOSE-6): no button for it yet.
    assert "归档" not in buttons(cl)
    state(cl, "已结案")
    timeline(cl, 6, "批准结案")
    cl.home()
    assert cl.queue_count("closures_awaiting_approval") == 0

    # The city leader accepts the report from below: the city's case closes.
    lead.home()
    assert lead.queue_count("reports_awaiting_acceptance") == 1
    open_case_from_queue(lead, "reports_awaiting_acceptance", number)
    expect(sent).to_contain_text("待审核")
    do(lead, "审核通过下级报结")
    lead.page.select_option("#id_child", index=1)  # no preselection, even for one
    lead.page.fill("#id_opinion", "同意。")
    lead.shot("flow-accept-report")
    submit(lead, "审核通过下级报结", "下级报结已审核通过，本案结案。")
    state(lead, "已结案")
    timeline(lead, 4, "审核通过下级报结")
    expect(sent).to_contain_text("审核通过")
    lead.home()
    assert lead.queue_count("reports_awaiting_acceptance") == 0

    # The city archives its case; the dossier prints.
    reg.page.goto(parent_url)
    reg.check_clean()
    do(reg, "归档")
    submit(reg, "归档", "已归档，档案号")
    state(reg, "已归档")
    timeline(reg, 5, "归档")
    expect(reg.page.locator("p.text-muted").first).to_contain_text("档案号")
    reg.shot("case-archived")
    # No page links to the documents list (reported): opened by its address.
    reg.goto(urlsplit(parent_url).path.replace("/cases/", "/documents/"))
    docs = reg.page.locator("tbody tr td:first-child")
    expect(docs).to_have_text(["信访事项登记表", "转办函、交办函", "案卷"])
    reg.page.locator("tbody tr").nth(1).get_by_role("link", name="打印预览").click()
    reg.check_clean()
    expect(reg.page.locator("body")).to_contain_text("交办函")
    expect(reg.page.locator("body")).to_contain_text("河口县委组织部")
    reg.shot("document-letter")
    reg.page.go_back()
    reg.page.locator("tbody tr").last.get_by_role("link", name="打印预览").click()
    reg.check_clean()
    expect(reg.page.locator("body")).to_contain_text("信访案卷")
    expect(reg.page.locator("body")).to_contain_text("钱卫东")
    reg.shot("document-dossier")

    # The county can now archive its case too.
    cl.page.goto(child_url)
    do(cl, "归档")
    submit(cl, "归档", "已归档")
    state(cl, "已归档")

    # The administrator has no queue: his work is in 系统管理 (the Django admin).
    admin = office.person("xt_admin", "系统管理员", tree.prov_org)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    adm = office.desk(admin)
    adm.check_clean()
    expect(adm.page.locator("main")).to_contain_text("您的账号没有需要办理的工作队列。")
    expect(adm.page.locator("nav").get_by_role("link", name="系统管理")).to_be_visible()
    adm.shot("workbench-admin")
    adm.page.locator("nav").get_by_role("link", name="系统管理").click()
    expect(adm.page.locator("#content")).to_contain_text("组织机构")
    expect(adm.page.locator("#content")).to_contain_text("转其他部门规则")
    adm.shot("admin-index")
    assert office.problems == []


def _fill_complete_closure(desk: Desk) -> None:
    page = desk.page
    page.fill("#id_facts", "经调查，反映钱卫东在提拔中层干部时优先安排亲属的问题基本属实。")
    page.fill("#id_decision", "对钱卫东进行诫勉谈话，相关提拔程序重新履行。")
    page.fill("#id_policy_basis", "《党政领导干部选拔任用工作条例》")
    for box in page.locator("input[name='procedure']").all():
        box.check()
    if page.locator("#id_feedback_on").count():
        page.fill("#id_feedback_on", _today())
        page.fill("#id_feedback_how", "电话告知")


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


# --- b: a visit, an anonymous letter, a referral, a refused closure, an objection ----------


def city_people(office: Office, tree: Tree, *roles: str) -> dict[str, Any]:
    """The city department's registrar and leader (and handler), each signed in."""
    people = {
        "registrar": ("sj_dengji", "孙敬", "registrar"),
        "leader": ("sj_lingdao", "林道远", "leader"),
        "handler": ("sj_chengban", "何晓梅", "handler"),
    }
    desks = {}
    for role in roles:
        username, name, code = people[role]
        desks[role] = office.desk(office.person(username, name, tree.city_org, code))
    return desks


def read_it(lead: Desk, case_url: str, text: str) -> None:
    lead.page.goto(case_url)
    lead.check_clean()
    do(lead, "阅批")
    lead.page.fill("#id_text", text)
    submit(lead, "阅批", "已阅批。")
    state(lead, "已阅批")


def open_done_case(desk: Desk) -> str:
    """From the registration's done page to the case page; returns its address."""
    desk.page.get_by_role("link", name="打开案件").click()
    desk.check_clean()
    return str(desk.page.url)


def handled_here_by_he(reg: Desk, lead: Desk, *, summary: str, content: str, name: str) -> str:
    """A letter of the cadre-system category registered in the city, read, and decided 自办
    by its leader with 何晓梅 as handler; returns the case's address."""
    register_letter(
        reg,
        summary=summary,
        content=content,
        category="党的建设、领导班子和组织干部制度",
        nature="意见建议",
        name=name,
    )
    url = open_done_case(reg)
    read_it(lead, url, "请干部科核实。")
    do(lead, "决定自办")
    lead.page.select_option("#id_handler", label="何晓梅")
    submit(lead, "决定自办", "已决定自办。")
    state(lead, "办理中")
    expect(lead.page.locator("p.text-muted").first).to_contain_text("承办人 何晓梅")
    return url


def test_a_visit_is_registered_with_its_interview_and_a_second_interview(
    tree: Tree, office: Office
) -> None:
    reg = city_people(office, tree, "registrar")["registrar"]
    page = reg.page
    page.locator("nav").get_by_role("link", name="登记", exact=True).click()
    page.get_by_label("来访", exact=True).check()
    expect(page.locator("#interview")).to_be_visible()
    page.fill("#id_p-0-name", "李秀英")
    page.fill("#id_summary", "要求落实退休干部职级待遇")
    page.fill("#id_content", "本人退休前职级待遇未落实，要求按政策解决。")
    page.select_option("#id_category", label="领导干部和组织干部工作中的不正之风")
    page.select_option("#id_nature", label="申诉")
    page.fill("#id_statement", "退休前职级待遇未落实，多次反映无果")
    page.fill("#id_requests", "按政策落实待遇")
    page.fill("#id_answer", "登记在案，依规办理后答复")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page).to_have_title("登记完成" + TITLE)
    reg.check_clean()
    open_done_case(reg)
    state(reg, "已登记")
    interview = page.locator(".interview")
    expect(interview).to_have_count(1)
    expect(interview).to_contain_text("退休前职级待遇未落实，多次反映无果")
    expect(interview).to_contain_text("登记在案，依规办理后答复")
    expect(page.locator(".petition")).to_contain_text("来访")
    timeline(reg, 1, "登记")

    # A second interview when she comes back (接谈), on the same petition.
    do(reg, "接谈")
    page.fill("#id_interviewed_at", f"{_today()} 10:30")
    page.fill("#id_place", "市委组织部接待室")
    page.fill("#id_statement", "再次来访，询问办理进度")
    page.fill("#id_requests", "尽快答复")
    page.fill("#id_answer", "已转领导阅批，办结后答复")
    submit(reg, "接谈", "接谈记录已保存。")
    expect(interview).to_have_count(2)
    expect(interview.last).to_contain_text("市委组织部接待室")
    timeline(reg, 2, "接谈")
    assert office.problems == []


def test_an_anonymous_letter_is_kept_for_reference(tree: Tree, office: Office) -> None:
    desks = city_people(office, tree, "registrar", "leader")
    reg, lead = desks["registrar"], desks["leader"]
    page = reg.page
    page.locator("nav").get_by_role("link", name="登记", exact=True).click()
    page.get_by_label("匿名信访").check()
    expect(page.locator("#id_anonymous_treatment")).to_be_visible()
    expect(page.locator("#id_p-0-name")).to_be_hidden()
    page.fill("#id_summary", "匿名反映某单位风气不正")
    page.fill("#id_content", "某单位风气不好，领导作风有问题。")
    page.select_option("#id_category", label="领导干部和组织干部工作中的不正之风")
    page.select_option("#id_nature", label="检举揭发")
    # Without its treatment and reason the letter is refused beside the fields (R-INTAKE-4).
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page).to_have_title("登记来信来访" + TITLE)
    reg.check_clean()
    refusals = page.locator(".invalid-feedback")
    expect(refusals.filter(has_text="匿名信访须选择处理方式").first).to_be_visible()
    expect(refusals.filter(has_text="匿名信访须说明").first).to_be_visible()
    office.forgive("status of 400")  # a refused registration answers 400 Bad Request
    page.select_option("#id_anonymous_treatment", label="内容笼统、无从查证，存查备考")
    page.fill("#id_anonymous_reason", "未指明单位和人员，无从查证")
    reg.shot("register-anonymous")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page).to_have_title("登记完成" + TITLE)
    reg.check_clean()
    expect(page.locator("#routing-proposal")).to_contain_text("存查")
    url = open_done_case(reg)
    expect(page.locator(".petition")).to_contain_text("匿名")

    read_it(lead, url, "同意存查。")
    do(lead, "存查")
    expect(lead.page.locator(".proposal")).to_contain_text("存查")
    lead.page.fill("#id_reason", "匿名信内容笼统，无从查证，存查备考。")
    submit(lead, "存查", "已存查。")
    state(lead, "存查")
    expect(lead.page.locator("body")).to_contain_text("采纳建议")
    timeline(lead, 3, "存查")
    assert office.problems == []


def test_a_matter_outside_the_remit_is_referred_with_the_explanation(
    tree: Tree, office: Office
) -> None:
    desks = city_people(office, tree, "registrar", "leader")
    reg, lead = desks["registrar"], desks["leader"]
    register_letter(
        reg,
        summary="反映法院判决不公",
        content="本人与某公司合同纠纷一案，法院判决不公，要求重新审理。",
        category="不属于组织部门业务范围",
        nature="申诉",
        name="赵德明",
    )
    expect(reg.page.locator("#routing-proposal")).to_contain_text("转其他部门：临江市中级人民法院")
    url = open_done_case(reg)

    read_it(lead, url, "不属组织部门业务，转有关部门并向信访人解释。")
    do(lead, "转其他部门")
    expect(lead.page.locator(".proposal")).to_contain_text("临江市中级人民法院")
    pick_department(lead, "to_department", "临江 法院", "临江市中级人民法院")
    lead.page.fill("#id_reason", "属诉讼类问题，由人民法院依法处理")
    # Without the explanation to the petitioner it is refused beside the field (R-ROUTE-6).
    lead.page.locator("form.flow-form button[type=submit]").click()
    lead.check_clean()
    refused = lead.page.locator(".invalid-feedback")
    expect(refused.filter(has_text="解释").first).to_be_visible()
    office.forgive("status of 400")  # a refused form answers 400 (docs/decisions.md)
    lead.shot("flow-refer-refused")
    lead.page.goto(url)
    state(lead, "已阅批")
    timeline(lead, 2, "阅批")

    do(lead, "转其他部门")
    pick_department(lead, "to_department", "中级人民法院", "临江市中级人民法院")
    lead.page.fill("#id_reason", "属诉讼类问题，由人民法院依法处理")
    lead.page.fill("#id_explanation", "您反映的是诉讼问题，请向临江市中级人民法院申请再审。")
    lead.page.fill("#id_explained_on", _today())
    lead.page.fill("#id_explained_how", "电话")
    submit(lead, "转其他部门", "已转其他部门，并记录向信访人的解释。")
    state(lead, "已转其他部门")
    expect(lead.page.locator("body")).to_contain_text("以电话向信访人解释")
    timeline(lead, 3, "转其他部门")
    assert office.problems == []


def test_dates_are_yyyy_mm_dd_in_an_english_browser(tree: Tree, office: Office) -> None:
    """An office machine set up in English: the date fields still show and read 年-月-日
    (yyyy-mm-dd), never the browser's mm/dd/yyyy; a date typed the American way is refused
    beside its field."""
    import datetime as dt

    from django.utils import timezone

    reg = city_people(office, tree, "registrar")["registrar"]
    register_letter(
        reg,
        summary="反映干部选拔程序不规范",
        content="某局提拔干部未经民主推荐，请核查。",
        category="领导干部和组织干部工作中的不正之风",
        nature="检举揭发",
    )
    url = open_done_case(reg)
    user = office.person("sj_lingdao_en", "林道远", tree.city_org, "leader")
    lead = office.desk(user, locale="en-US")
    assert lead.page.evaluate("navigator.language") == "en-US"
    lead.page.goto(url)
    do(lead, "阅批")
    due = lead.page.locator("#id_due_on")
    expect(due).to_have_attribute("type", "text")
    expect(due).to_have_attribute("placeholder", "年-月-日")
    day = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    lead.page.fill("#id_text", "请核实后报我。")
    due.press_sequentially(day)
    expect(due).to_have_value(day)
    submit(lead, "阅批", "已阅批。")
    state(lead, "已阅批")

    do(lead, "批示")
    lead.page.fill("#id_text", "抓紧办理。")
    lead.page.locator("#id_due_on").press_sequentially("03/12/2030")
    lead.page.locator("form.flow-form button[type=submit]").click()
    lead.check_clean()
    refused = lead.page.locator("#id_due_on + .invalid-feedback")
    expect(refused).to_have_text("请按“年-月-日”填写日期，例如2025-03-12。")
    office.forgive("status of 400")
    # The list filters too: a registration date typed 年-月-日 filters the list.
    lead.goto(f"/queues/to_route/?registered_from={timezone.localdate().isoformat()}")
    expect(lead.page.locator("#id_registered_from")).to_have_attribute("type", "text")
    expect(lead.page.locator(".case-row")).to_have_count(1)
    assert office.problems == []


def test_an_incomplete_closure_is_refused_then_returned_by_the_leader(
    tree: Tree, office: Office
) -> None:
    desks = city_people(office, tree, "registrar", "leader", "handler")
    reg, lead, hand = desks["registrar"], desks["leader"], desks["handler"]
    url = handled_here_by_he(
        reg,
        lead,
        summary="反映干部档案材料不全",
        content="本人干部档案中参加工作时间材料缺失，要求补齐。",
        name="周晓兰",
    )

    hand.home()
    assert hand.queue_count("my_cases") == 1
    hand.page.goto(url)
    do(hand, "提交结案")
    missing = hand.page.locator("#closure-missing")
    expect(missing).to_contain_text("查明的事实")
    hand.page.fill("#id_facts", "经核实，档案中参加工作时间材料确有缺失。")
    # Submitted incomplete: the form lists what is missing, nothing is written.
    hand.page.locator("form.flow-form button[type=submit]").click()
    hand.check_clean()
    expect(hand.page.locator("h1")).to_have_text("提交结案")
    expect(missing).to_contain_text("处理意见")
    expect(missing).not_to_contain_text("查明的事实")
    expect(hand.page.locator("#id_facts")).to_have_value("经核实，档案中参加工作时间材料确有缺失。")
    hand.shot("flow-submit-closure-refused")
    office.forgive("status of 400")
    hand.page.goto(url)
    state(hand, "办理中")
    timeline(hand, 3, "决定自办")

    do(hand, "提交结案")
    page = hand.page
    page.fill("#id_facts", "经核实，档案中参加工作时间材料确有缺失。")
    page.fill("#id_decision", "补齐档案材料。")
    page.fill("#id_policy_basis", "《干部档案工作条例》")
    for box in page.locator("input[name='procedure']").all():
        box.check()
    expect(missing).not_to_contain_text("办理手续")
    submit(hand, "提交结案", "结案材料已提交领导审批。")
    state(hand, "待审核")

    lead.home()
    assert lead.queue_count("closures_awaiting_approval") == 1
    lead.page.goto(url)
    do(lead, "退回结案")
    lead.page.locator("form.flow-form button[type=submit]").click()  # no reasons: refused
    expect(lead.page.locator(".invalid-feedback").first).to_be_visible()
    lead.check_clean()
    office.forgive("status of 400")
    lead.page.fill("#id_reasons", "未附档案补齐的证明材料，请补充后再报。")
    submit(lead, "退回结案", "结案材料已退回承办人。")
    state(lead, "办理中")
    expect(lead.page.locator("body")).to_contain_text("退回理由：未附档案补齐的证明材料")
    timeline(lead, 5, "退回结案")
    hand.page.goto(url)
    hand.check_clean()
    expect(hand.page.locator("body")).to_contain_text("退回理由：未附档案补齐的证明材料")
    assert "提交结案" in buttons(hand)
    hand.shot("case-closure-returned")
    assert office.problems == []


def test_a_leader_names_another_handler_of_a_case_handled_here(tree: Tree, office: Office) -> None:
    """R-STAFF-1: 决定自办 names 何晓梅; the leader then names 吴志强 in her place, with the
    reason (refused without one, beside the field), and the case moves to his queue."""
    desks = city_people(office, tree, "registrar", "leader", "handler")
    reg, lead, first = desks["registrar"], desks["leader"], desks["handler"]
    second = office.desk(office.person("sj_chengban2", "吴志强", tree.city_org, "handler"))
    handled_here_by_he(
        reg,
        lead,
        summary="反映干部考核结果未公示",
        content="单位年度考核结果未按规定公示，要求说明。",
        name="钱文静",
    )

    do(lead, "指定承办人")
    expect(lead.page.locator("form.flow-form")).to_contain_text("现承办人：何晓梅")
    # The department's other handlers: the test tree's all-roles account 'city', and 吴志强.
    expect(lead.page.locator("#id_handler option")).to_have_text(["—— 请选择 ——", "city", "吴志强"])
    lead.page.select_option("#id_handler", label="吴志强")
    lead.page.locator("form.flow-form button[type=submit]").click()  # no reason: refused
    expect(lead.page.locator(".invalid-feedback")).to_have_text(["更换承办人须写明理由。"])
    lead.check_clean()
    office.forgive("status of 400")
    lead.page.fill("#id_reason", "何晓梅借调巡视组。")
    submit(lead, "指定承办人", "已指定吴志强承办本案。")
    state(lead, "办理中")
    expect(lead.page.locator("p.text-muted").first).to_contain_text("承办人 吴志强")
    timeline(lead, 4, "指定承办人")
    last = lead.page.locator("ol.timeline > li").last
    expect(last).to_contain_text("原承办人")
    expect(last).to_contain_text("何晓梅借调巡视组。")

    second.home()
    assert second.queue_count("my_cases") == 1
    first.home()
    assert first.queue_count("my_cases") == 0
    assert office.problems == []


def test_a_county_objects_to_an_assignment_and_the_city_decides(tree: Tree, office: Office) -> None:
    desks = city_people(office, tree, "registrar", "leader")
    reg, lead = desks["registrar"], desks["leader"]
    county_leader = office.person("xj_lingdao", "郑国平", tree.county_org, "leader")
    register_letter(
        reg,
        summary="反映县交通运输局局长违规用人",
        content="钱卫东局长违规提拔亲属。",
        category="领导干部和组织干部工作中的不正之风",
        nature="检举揭发",
        respondent="钱卫东",
    )
    url = open_done_case(reg)
    read_it(lead, url, "交河口县办理。")
    do(lead, "交办")
    lead.page.select_option("#id_to_department", label="河口县委组织部")
    submit(lead, "交办", "已交办至河口县委组织部。")

    cl = office.desk(county_leader)
    cl.page.locator(".queue-card[data-queue='to_read'] a").click()
    cl.page.locator("tbody tr a").first.click()
    cl.check_clean()
    child_url = cl.page.url
    do(cl, "提出异议")
    cl.page.fill("#id_reasons", "钱卫东已调任白沙县，应由白沙县委组织部办理。")
    pick_department(cl, "suggested_department", "白沙", "白沙县委组织部")
    cl.shot("flow-raise-objection")
    submit(cl, "提出异议", "异议已提交上级。")
    expect(cl.page.locator("body")).to_contain_text("待上级处理")
    assert "提出异议" not in buttons(cl)

    lead.page.goto(url)
    lead.check_clean()
    expect(lead.page.locator("body")).to_contain_text("河口县委组织部于")
    expect(lead.page.locator("body")).to_contain_text("（待处理）")
    do(lead, "处理异议")
    lead.page.select_option("#id_objection", index=1)
    lead.page.get_by_label("同意异议：撤回案件，重新分办").check()
    lead.page.fill("#id_opinion", "同意，重新分办。")
    lead.shot("flow-decide-objection")
    submit(lead, "处理异议", "已同意异议：下级案件撤回，本案重新分办。")
    state(lead, "已阅批")
    assert "交办" in buttons(lead)
    timeline(lead, 4, "重新分办")

    cl.page.goto(child_url)
    cl.check_clean()
    state(cl, "已撤回重新分办")
    expect(cl.page.locator(".case-actions")).to_have_count(0)
    assert office.problems == []
