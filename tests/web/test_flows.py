"""Every flow of the case page through the test client.

For each flow: valid input moves the case (state and exactly one new timeline event on the
case the action writes), invalid input shows the Chinese message and changes nothing; a user
of the department without the role gets no button and a POST is refused (403, in Chinese);
a user of another department gets the Chinese 404. Expected states, events and messages are
written here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.builders import complete_closure, register
from tests.cases.test_available import SCENARIOS, Built, _own, closed_2022
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, CaseEvent, Objection
from xinfang.orgs.models import Department, StaffRole, User
from xinfang.orgs.services import staff_create

TODAY = "today"
TOMORROW = "tomorrow"


def city_read(tree: Tree) -> Built:
    case = cs.case_read(actor=tree.city_staff, case=register(tree.city_staff), text="阅")
    return Built(case, {"own": tree.city_org, "other": tree.baisha_org})


def read_report_required(tree: Tree) -> Built:
    case = cs.case_read(
        actor=tree.county_staff,
        case=register(tree.county_staff),
        text="查后报我",
        report_required=True,
    )
    return _own(tree, case)


def reviewed_2022(tree: Tree) -> Built:
    built = closed_2022(tree)
    cs.review_apply(
        actor=tree.city_staff, case=built.case, applied_on=timezone.localdate(), request="不服"
    )
    cs.review_decide(actor=tree.city_staff, case=built.case, outcome="upheld", opinion="维持")
    return Built(built.case, {"own": tree.county_org, "reviewer": tree.prov_org})


def rereviewing_2022(tree: Tree) -> Built:
    built = reviewed_2022(tree)
    cs.rereview_apply(
        actor=tree.prov_staff, case=built.case, applied_on=timezone.localdate(), request="不服"
    )
    return built


EXTRA: dict[str, Callable[[Tree], Built]] = {
    "city_read": city_read,
    "read_report_required": read_report_required,
    "reviewed_2022": reviewed_2022,
    "rereviewing_2022": rereviewing_2022,
}


@dataclass
class Row:
    flow: str
    scenario: str
    relation: str
    role: str
    valid: Callable[[Case], dict[str, Any]] | dict[str, Any]
    to_state: str
    event: str
    invalid: dict[str, Any] | Callable[[Case], dict[str, Any]] | None
    message: str = ""
    # Which case the flow writes its event on: "self", "child" (the case sent down).
    on: str = "self"
    files: Callable[[], dict[str, Any]] = field(default=dict)


def _child(case: Case) -> Case:
    return Case.objects.get(parent=case)


def _objection(case: Case) -> int:
    return Objection.objects.get(assignment__case=case).pk


def _closure(case: Case) -> dict[str, Any]:
    data = complete_closure(case)
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


def _repeat(case: Case) -> int:
    pk = case.petitions.filter(is_repeat=True).values_list("pk", flat=True).first()
    assert pk is not None
    return pk


def _a_handler_of(case: Case, *, another: bool = False) -> User:
    """An active handler of the case's department, named when deciding 自办, or `another`
    than the one the case names (指定承办人); one made if none."""
    found = User.objects.filter(
        department=case.department, staff_roles__role="handler", is_active=True
    )
    if another:
        found = found.exclude(pk=case.handler_id)
    if (user := found.first()) is not None:
        return user
    return staff_create(
        username=f"handler-{'b-' if another else ''}{case.department_id}",
        full_name="承办乙" if another else "承办甲",
        department=case.department,
        roles=("handler",),
    )


def _petition(case: Case) -> int:
    pk = case.petitions.values_list("pk", flat=True).first()
    assert pk is not None
    return pk


ROWS = [
    Row(
        "read",
        "registered",
        "own",
        "leader",
        {"text": "请核实"},
        "read",
        "read",
        {"text": "请核实", "due_on": "2020-01-01"},
        "要求完成日期不能早于今天",
    ),
    Row(
        "instruct",
        "read",
        "own",
        "leader",
        {"text": "抓紧办理"},
        "read",
        "instruct",
        {"text": ""},
        "“批示内容”不能为空。",
    ),
    Row(
        "report_instruction",
        "read_report_required",
        "own",
        "handler",
        lambda c: {"instruction": c.instructions.get().pk, "text": "已落实"},
        "read",
        "report_instruction",
        lambda c: {"instruction": c.instructions.get().pk, "text": ""},
        "“报告内容”不能为空。",
    ),
    Row(
        "handle_here",
        "read",
        "own",
        "leader",
        lambda c: {"handler": _a_handler_of(c).pk},
        "handling",
        "handle_here",
        {"handler": 999999},
        "选择一个有效的选项",
    ),
    Row(
        "handle_here",
        "read",
        "own",
        "leader",
        lambda c: {"handler": _a_handler_of(c).pk},
        "handling",
        "handle_here",
        {},
        "请选择“承办人”。",
    ),
    Row(
        "name_handler",
        "handling",
        "own",
        "leader",
        lambda c: {"handler": _a_handler_of(c, another=True).pk, "reason": "原承办人借调"},
        "handling",
        "name_handler",
        lambda c: {"handler": _a_handler_of(c, another=True).pk, "reason": " "},
        "更换承办人须写明理由。",
    ),
    Row(
        "name_handler",
        "handling",
        "own",
        "leader",
        lambda c: {"handler": _a_handler_of(c, another=True).pk, "reason": "原承办人借调"},
        "handling",
        "name_handler",
        {"reason": "原承办人借调"},
        "请选择“承办人”。",
    ),
    Row(
        "assign_down",
        "city_read",
        "own",
        "leader",
        lambda c: {
            "to_department": Department.objects.get(name="河口县委组织部").pk,
            "routing_note": "县里熟悉情况",
        },
        "handling",
        "assign_down",
        lambda c: {"to_department": Department.objects.get(name="河口县委组织部").pk},
        "须说明理由",
    ),
    Row(
        "transfer_down",
        "city_read",
        "own",
        "leader",
        lambda c: {
            "to_department": Department.objects.get(name="河口县委组织部").pk,
            "routing_note": "县里熟悉情况",
        },
        "transferred",
        "transfer_down",
        lambda c: {"to_department": Department.objects.get(name="河口县委组织部").pk},
        "须说明理由",
    ),
    Row(
        "refer",
        "read",
        "own",
        "leader",
        {
            "to_department_name": "河口县人社局",
            "reason": "属人社部门职责",
            "explanation": "已告知",
            "explained_on": TODAY,
            "explained_how": "电话",
            "routing_note": "不属组织部门职责",
        },
        "referred",
        "refer",
        {
            "to_department_name": "河口县人社局",
            "reason": "属人社部门职责",
            "explanation": "",
            "routing_note": "不属组织部门职责",
        },
        "须记录向信访人解释的内容、日期和方式",
    ),
    Row(
        "file",
        "read",
        "own",
        "leader",
        {"reason": "无可查证内容", "routing_note": "无线索"},
        "filed",
        "file",
        {"reason": "无可查证内容"},
        "须说明理由",
    ),
    Row(
        "merge",
        "registered",
        "own",
        "registrar",
        lambda c: {"into": register(User.objects.get(username="county")).pk, "reason": "重复"},
        "merged",
        "merge",
        lambda c: {"into": c.pk, "reason": "重复"},
        "选择一个有效的选项",
    ),
    Row(
        "receive_assignment",
        "child_received",
        "receiver",
        "registrar",
        {},
        "registered",
        "receive_assignment",
        None,
    ),
    Row(
        "raise_objection",
        "child_received",
        "receiver",
        "leader",
        {"reasons": "不属本级"},
        "registered",
        "raise_objection",
        {"reasons": ""},
        "“异议理由”不能为空。",
    ),
    Row(
        "decide_objection",
        "parent_objected",
        "sender",
        "leader",
        lambda c: {"objection": _objection(c), "decision": "accept", "opinion": "同意"},
        "read",
        "reroute",
        lambda c: {"objection": _objection(c), "decision": "reject", "opinion": ""},
        "不同意异议须说明理由",
    ),
    Row(
        "report_progress",
        "child_received",
        "receiver",
        "handler",
        {"text": "已调查"},
        "registered",
        "report_progress",
        {"text": ""},
        "“进展情况”不能为空。",
    ),
    Row(
        "explain_overdue",
        "child_overdue",
        "receiver",
        "handler",
        {"reason": "证据未齐", "new_expected_on": "2099-01-01"},
        "handling",
        "explain_overdue",
        {"reason": "证据未齐", "new_expected_on": TODAY},
        "须填写晚于今天的预计办结日期",
    ),
    Row(
        "extend_deadline",
        "handling_2022",
        "own",
        "leader",
        {
            "days": 10,
            "reason": "情况复杂",
            "legal_basis": "条例",
            "petitioner_told_on": TODAY,
            "petitioner_told_how": "电话",
        },
        "handling",
        "deadline_extended",
        {
            "days": 999,
            "reason": "情况复杂",
            "legal_basis": "条例",
            "petitioner_told_on": TODAY,
            "petitioner_told_how": "电话",
        },
        "延长期限累计不得超过",
    ),
    Row(
        "pause_clock",
        "handling_2022",
        "own",
        "leader",
        {"reason": "鉴定", "legal_basis": "条例"},
        "handling",
        "clock_paused",
        {"reason": "鉴定", "legal_basis": "条例", "start_on": TOMORROW},
        "中止日期不能晚于今天",
    ),
    Row(
        "resume_clock",
        "paused_2022",
        "own",
        "leader",
        {},
        "handling",
        "clock_resumed",
        {"end_on": TOMORROW},
        "恢复计时日期不能晚于今天",
    ),
    Row(
        "submit_closure",
        "handling",
        "own",
        "handler",
        _closure,
        "closing",
        "submit_closure",
        {"facts": "查明"},
        "结案材料须写明处理意见",
    ),
    Row("approve_closure", "closing", "own", "leader", {}, "closed", "approve_closure", None),
    Row(
        "return_closure",
        "closing",
        "own",
        "leader",
        {"reasons": "事实不清"},
        "handling",
        "return_closure",
        {"reasons": ""},
        "“退回理由”不能为空。",
    ),
    Row(
        "accept_report",
        "parent_reported",
        "sender",
        "leader",
        lambda c: {"child": _child(c).pk},
        "closed",
        "accept_report",
        {},
        "请选择“下级报结的案件”。",
    ),
    Row(
        "return_report",
        "parent_reported",
        "sender",
        "leader",
        lambda c: {"child": _child(c).pk, "reasons": "证据不足"},
        "handling",
        "return_report",
        lambda c: {"child": _child(c).pk, "reasons": ""},
        "“退回理由”不能为空。",
        on="child",
    ),
    Row(
        "report_upward",
        "read",
        "own",
        "leader",
        {"reason": "带倾向性"},
        "read",
        "report_upward",
        {"reason": ""},
        "“反映的倾向性问题”不能为空。",
    ),
    Row(
        "review_decide",
        "reviewing_2022",
        "reviewer",
        "leader",
        {"outcome": "upheld", "opinion": "维持"},
        "closed",
        "review_decide",
        {"outcome": "upheld", "opinion": ""},
        "“答复意见”不能为空。",
    ),
    Row(
        "rereview_decide",
        "rereviewing_2022",
        "reviewer",
        "leader",
        {"outcome": "upheld", "opinion": "维持"},
        "closed",
        "rereview_decide",
        {"outcome": "nonsense", "opinion": "维持"},
        "选择一个有效的选项",
    ),
    Row("archive", "closed", "own", "registrar", {}, "archived", "archive", None),
    Row(
        "add_interview",
        "registered",
        "own",
        "registrar",
        lambda c: {
            "petition": _petition(c),
            "interviewed_at": "2024-05-06T10:00",
            "statement": "反映情况",
            "requests": "要求",
            "answer": "答复",
        },
        "registered",
        "interview",
        lambda c: {
            "petition": _petition(c),
            "interviewed_at": "2024-05-06T10:00",
            "statement": "",
            "requests": "要求",
            "answer": "答复",
        },
        "来访人反映的情况",
    ),
    Row(
        "add_attachment",
        "registered",
        "own",
        "registrar",
        lambda c: {"petition": _petition(c)},
        "registered",
        "attachment",
        lambda c: {"petition": _petition(c)},
        "请选择要上传的“文件”。",
        files=lambda: {"upload": SimpleUploadedFile("材料.pdf", b"%PDF-1.4 x", "application/pdf")},
    ),
    # Issue 11: undoing what matching joined; the old case records the unlink, the new case
    # starts with its own event (tests/web/test_undo_matching.py reads both timelines).
    Row(
        "unlink_repeat",
        "repeated",
        "own",
        "registrar",
        lambda c: {"petition": _repeat(c), "reason": "不是同一事项"},
        "registered",
        "repeat_unlinked",
        lambda c: {"petition": _repeat(c), "reason": ""},
        "“撤销关联的理由”不能为空。",
    ),
    Row(
        "unmerge",
        "merged",
        "own",
        "leader",
        {"reason": "并案有误"},
        "registered",
        "unmerge",
        {"reason": " "},
        "“撤销并案的理由”不能为空。",
    ),
]


# The reviewing department sees a case only once a review of it exists (cases/access.py),
# so it cannot open the case page to register the application: known gap, see the report.
# The review applications are registered on their own page (the department one level up
# cannot open the case before), tested in tests/web/test_review_application.py.
NOT_REACHABLE: set[str] = set()


def _rows(rows: list[Row]) -> list[Any]:
    return [
        pytest.param(
            r,
            id=r.flow,
            marks=[pytest.mark.xfail(reason="reviewer cannot see the case yet", strict=True)]
            if r.flow in NOT_REACHABLE
            else [],
        )
        for r in rows
    ]


def _data(spec: Any, case: Case) -> dict[str, Any]:
    data = spec(case) if callable(spec) else dict(spec)
    today = timezone.localdate()
    swap = {TODAY: today.isoformat(), TOMORROW: (today + dt.timedelta(days=1)).isoformat()}
    return {k: swap.get(v, v) if isinstance(v, str) else v for k, v in data.items()}


def _build(tree: Tree, row: Row) -> tuple[Case, User]:
    built = {**SCENARIOS, **EXTRA}[row.scenario](tree)
    case = Case.objects.get(pk=built.case.pk)
    user = tree.staff(built.departments[row.relation], row.role)
    return case, user


def _written_on(row: Row, case: Case) -> Case:
    return _child(case) if row.on == "child" else case


def _events(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def _url(case: Case, flow: str) -> str:
    return reverse("web:case_flow", kwargs={"case_id": case.pk, "flow": flow})


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.parametrize("row", _rows(ROWS))
def test_valid_input_moves_the_case(tree: Tree, row: Row) -> None:
    case, user = _build(tree, row)
    client = staff_client(user)
    page = client.get(reverse("web:case", kwargs={"case_id": case.pk}))
    assert _url(case, row.flow) in page.content.decode(), "the button opens the form"
    assert client.get(_url(case, row.flow)).status_code == 200
    target = _written_on(row, case)
    before = _events(target)
    response = client.post(_url(case, row.flow), {**_data(row.valid, case), **row.files()})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == reverse("web:case", kwargs={"case_id": case.pk})
    after = _events(target)
    assert after[: len(before)] == before and after[len(before) :] == [row.event]
    assert Case.objects.get(pk=case.pk).state == row.to_state


@pytest.mark.parametrize("row", _rows([r for r in ROWS if r.invalid is not None]))
def test_invalid_input_shows_the_chinese_message_and_changes_nothing(tree: Tree, row: Row) -> None:
    case, user = _build(tree, row)
    client = staff_client(user)
    state = case.state
    before = CaseEvent.objects.count()
    response = client.post(_url(case, row.flow), _data(row.invalid, case))
    # A refused form answers 400, like every page's (docs/decisions.md).
    assert response.status_code == 400
    body = response.content.decode()
    assert row.message in body
    assert "R-" not in body.split("<main", 1)[1], "no rule ID on screen"
    assert CaseEvent.objects.count() == before
    assert Case.objects.get(pk=case.pk).state == state


@pytest.mark.parametrize("row", _rows(ROWS))
def test_without_role_or_department_no_button_and_refused(tree: Tree, row: Row) -> None:
    case, user = _build(tree, row)
    dept = user.department
    assert dept is not None
    others = [r for r in ("registrar", "handler", "leader") if r not in _roles_for(row.flow)]
    outsider = tree.staff(tree.baisha_org, "registrar", "handler", "leader")
    data = _data(row.valid, case)
    before = CaseEvent.objects.count()
    for stranger, refused in [(tree.staff(dept, r), 403) for r in others] + [(outsider, 404)]:
        client: Client = staff_client(stranger)
        page = client.get(reverse("web:case", kwargs={"case_id": case.pk}))
        assert _url(case, row.flow) not in page.content.decode()
        response = client.post(_url(case, row.flow), data)
        assert response.status_code == refused
        assert ("无权" in response.content.decode()) or ("不存在" in response.content.decode())
    assert CaseEvent.objects.count() == before


def _roles_for(flow: str) -> set[str]:
    """Who may do what, written out (lifecycle.ACTION_ROLES must agree)."""
    return {
        "merge": {"registrar", "leader"},
        "unmerge": {"registrar", "leader"},
        "unlink_repeat": {"registrar", "leader"},
        "submit_closure": {"handler"},
        "archive": {"registrar", "handler", "leader"},
        "explain_overdue": {"handler", "leader"},
        "report_instruction": {"handler"},
        "report_progress": {"handler", "leader"},
        "receive_assignment": {"registrar", "handler", "leader"},
        "add_interview": {"registrar", "handler", "leader"},
        "add_attachment": {"registrar", "handler"},
        "review_apply": {"registrar"},
        "rereview_apply": {"registrar"},
    }.get(flow, {"leader"})


def test_unknown_flow_is_the_chinese_404(tree: Tree) -> None:
    case = register(tree.county_staff)
    response = staff_client(tree.county_staff).get(_url(case, "no_such_flow"))
    assert response.status_code == 404 and "不存在" in response.content.decode()


def _errors_beside(body: str, name: str) -> list[str]:
    """The error messages shown in the block of the form field `name`."""
    blocks = [b for b in body.split('<div class="mb-3">') if f'name="{name}"' in b]
    assert len(blocks) == 1, name
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', blocks[0])


def test_referral_refuses_everything_in_one_round(tree: Tree) -> None:
    """A referral missing its reason and its explanation, with a date that is no date and
    departing from the proposal without a reason, shows every refusal at once, each beside
    its field, and writes nothing (R-ROUTE-6, R-ROUTE-1)."""
    case, user = _build(tree, ROWS[[r.flow for r in ROWS].index("refer")])
    before = _events(case)
    data = {"to_department_name": "河口县人社局", "explained_on": "2025-13-45"}
    response = staff_client(user).post(_url(case, "refer"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert _errors_beside(body, "reason") == ["“理由”不能为空。"]
    assert _errors_beside(body, "explained_on") == ["请按“年-月-日”填写日期，例如2025-03-12。"]
    explanation = _errors_beside(body, "explanation")
    assert len(explanation) == 1 and "须记录向信访人解释的内容、日期和方式" in explanation[0]
    note = _errors_beside(body, "routing_note")
    assert len(note) == 1 and "所作决定与系统建议不同" in note[0] and "须说明理由" in note[0]
    assert "R-" not in body.split("<main", 1)[1]
    # Above the form, where the eye is after pressing the button: look at the marked fields.
    [top] = re.findall(r'role="alert" id="form-errors">([^<]*)<', body)
    assert top == "未办理：请按提示改正标出的内容后再提交。"
    assert _events(case) == before and Case.objects.get(pk=case.pk).state == "read"
    # Typed well but still refused by the action's rules: the same, from the action alone.
    data = {"to_department_name": "河口县人社局", "explained_on": "2000-01-01"}
    body = staff_client(user).post(_url(case, "refer"), data).content.decode()
    assert _errors_beside(body, "reason") == ["“理由”不能为空。"]
    assert len(_errors_beside(body, "routing_note")) == 1
    assert _events(case) == before


@pytest.mark.parametrize("flow", ["accept_report", "return_report"])
def test_the_one_report_awaiting_acceptance_is_preselected(tree: Tree, flow: str) -> None:
    case, user = _build(tree, ROWS[[r.flow for r in ROWS].index(flow)])
    child = _child(case)
    body = staff_client(user).get(_url(case, flow)).content.decode()
    assert re.search(rf'<option value="{child.pk}" selected>', body), body


CLOSURE_PARTS = {
    "procedure": 'name="procedure"',
    "respondent_heard": 'value="respondent_heard"',
    "personal_outcome": 'name="personal_outcome"',
    "petitioner_opinion": 'name="petitioner_opinion"',
    "conclusion_shown_on": 'name="conclusion_shown_on"',
    "feedback_on": 'name="feedback_on"',
    "no_feedback_reason": 'name="no_feedback_reason"',
}


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        # R-CLOSE-5: feedback to the accuser only for a signed accusation; R-CLOSE-3: the
        # respondent is heard only where there is one (an accusation).
        (
            "signed_accusation",
            {"procedure", "respondent_heard", "feedback_on", "no_feedback_reason"},
        ),
        ("anonymous_accusation", {"procedure", "respondent_heard"}),
        # R-CLOSE-4: an appeal's conclusion shown to the petitioner and his opinion.
        ("appeal", {"procedure", "petitioner_opinion", "conclusion_shown_on"}),
        # R-CAT-4: a personal request also needs its outcome.
        (
            "personal_request",
            {"procedure", "personal_outcome", "petitioner_opinion", "conclusion_shown_on"},
        ),
    ],
)
def test_closure_form_shows_only_the_parts_the_case_needs(
    tree: Tree, kind: str, shown: set[str]
) -> None:
    kw: dict[str, Any] = {
        "signed_accusation": {},
        "anonymous_accusation": {
            "petitioners": [],
            "is_anonymous": True,
            "anonymous_treatment": "investigate",
            "anonymous_reason": "反映的时间、地点、人物具体，可以查证。",
        },
        "appeal": {"nature": "appeal", "category": "policy_history"},
        "personal_request": {"nature": "request", "category": "personal_request"},
    }[kind]
    leader = tree.city_staff
    case = cs.case_read(actor=leader, case=register(leader, **kw), text="阅")
    case = cs.case_handle_here(actor=leader, case=case, handler=leader, routing_note="自办")
    client = staff_client(leader)
    body = client.get(_url(case, "submit_closure")).content.decode()
    form = body.split('class="flow-form"', 1)[1]
    assert {part for part, html in CLOSURE_PARTS.items() if html in form} == shown
    # The server still checks everything: parts the case needs, left empty, are refused.
    refused = client.post(_url(case, "submit_closure"), {"facts": "查明"})
    assert refused.status_code == 400
    assert "结案材料须写明处理意见" in refused.content.decode()


def test_submit_closure_lists_what_is_missing_live(tree: Tree) -> None:
    """The closure form shows, before submission, what is still missing (R-CLOSE-3)."""
    case, user = _build(tree, ROWS[[r.flow for r in ROWS].index("submit_closure")])
    client = staff_client(user)
    page = client.get(_url(case, "submit_closure")).content.decode()
    assert "提交前尚缺" in page and "结案材料须写明查明的事实" in page
    check = reverse("web:case_closure_check", kwargs={"case_id": case.pk})
    partial = client.post(check, {"facts": "查明", "decision": "处理"}).content.decode()
    assert "查明的事实" not in partial and "政策依据" in partial
    assert "R-CLOSE" not in partial
    done = client.post(check, _closure(case)).content.decode()
    assert "已齐备" in done


def test_deciding_to_handle_here_names_a_handler_or_says_none_is_set_up(tree: Tree) -> None:
    """R-STAFF-1: 决定自办 names the 承办人 whose workload it counts in (docs/decisions.md); a
    department without one is told why the list is empty, and nothing is decided."""
    built = SCENARIOS["read"](tree)
    case = Case.objects.get(pk=built.case.pk)
    StaffRole.objects.filter(user__department=case.department, role="handler").delete()
    leader = tree.staff(case.department, "leader")
    client = staff_client(leader)
    page = client.get(_url(case, "handle_here")).content.decode()
    assert "本部门尚无承办人：请系统管理员先为工作人员设置承办人角色。" in page
    refused = client.post(_url(case, "handle_here"), {})
    assert refused.status_code == 400
    assert "请选择“承办人”。" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).state == "read"
    handler = _a_handler_of(case)
    page = client.get(_url(case, "handle_here")).content.decode()
    assert "本部门尚无承办人" not in page
    assert client.post(_url(case, "handle_here"), {"handler": handler.pk}).status_code == 302
    assert Case.objects.get(pk=case.pk).handler == handler


def test_naming_a_handler_shows_who_handles_now_and_offers_the_others(tree: Tree) -> None:
    """R-STAFF-1: 指定承办人 says who handles the case now, offers the department's other
    active handlers, and puts a missing reason beside its field."""
    built = SCENARIOS["handling"](tree)
    case = Case.objects.get(pk=built.case.pk)
    assert case.handler == tree.county_staff
    leader = tree.staff(case.department, "leader", name="county-leader-2")
    gone = tree.staff(case.department, "handler", name="gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    client = staff_client(leader)
    page = client.get(_url(case, "name_handler")).content.decode()
    assert "现承办人：county。更换承办人须写明理由。" in page
    options = re.findall(r'<option value="(\d*)"', page)
    assert options == [""]  # county is the one handler; gone has left
    assert "本部门尚无其他承办人：请系统管理员先为工作人员设置承办人角色。" in page
    other = _a_handler_of(case, another=True)
    page = client.get(_url(case, "name_handler")).content.decode()
    assert re.findall(r'<option value="(\d*)"', page) == ["", str(other.pk)]
    body = client.post(_url(case, "name_handler"), {"handler": other.pk}).content.decode()
    assert _errors_beside(body, "reason") == ["更换承办人须写明理由。"]
    assert Case.objects.get(pk=case.pk).handler == tree.county_staff
    done = client.post(_url(case, "name_handler"), {"handler": other.pk, "reason": "借调"})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).handler == other
    timeline = client.get(reverse("web:case", kwargs={"case_id": case.pk})).content.decode()
    assert "指定承办人" in timeline and "原承办人" in timeline and "承办乙" in timeline
