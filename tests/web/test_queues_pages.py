"""The work-queue pages (web/views/queues.py): who reaches which queue, the rows as shown,
sorting, pages, filters, the Excel export as shown, and the query budget.

Small worlds on the org tree of tests/orgtree.py: 临江市委组织部 (city) registers letters
and calls; `city_staff` holds the registrar, handler and leader roles, so every queue is
his; a registrar alone has 待阅批, 7日内到期, 逾期未说明 and 交转办跟踪.
"""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from tests.builders import at, register, to_read
from tests.clients import staff_client
from tests.deadlines.conftest import use_rule_set
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case
from xinfang.web.views import lists

D = dt.date
ALL_QUEUES = [
    "to_read",
    "to_route",
    "objections_awaiting_decision",
    "my_cases",
    "closures_awaiting_approval",
    "reports_awaiting_acceptance",
    "due_within_7_days",
    "half_time_used",
    "overdue_without_explanation",
    "overdue_with_explanation",
    "sent_down",
]
REGISTRAR_QUEUES = ["to_read", "due_within_7_days", "overdue_without_explanation", "sent_down"]
SUPERVISOR_QUEUES = [
    "due_within_7_days",
    "half_time_used",
    "overdue_without_explanation",
    "overdue_with_explanation",
]
MISCONDUCT = "领导干部和组织干部工作中的不正之风"
POLICY = "落实政策和历史遗留问题"


def numbers(response: Any) -> list[str]:
    """The case numbers of the table's rows, in the order shown."""
    return re.findall(r'data-number="([^"]+)"', response.content.decode())


def get(client: Client, url: str, **params: str) -> Any:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response


def _letters(tree: Tree, titles: list[str], **kw: Any) -> list[Case]:
    return [register(tree.city_staff, summary=t, **kw) for t in titles]


# --- who reaches which queue ------------------------------------------------------------


def test_home_cards_link_to_each_queue_of_the_user(tree: Tree) -> None:
    body = staff_client(tree.city_staff).get("/").content.decode()
    assert re.findall(r'href="/queues/([a-z_0-9]+)/"', body) == ALL_QUEUES
    registrar = tree.staff(tree.city_org, "registrar", name="clerk")
    body = staff_client(registrar).get("/").content.decode()
    assert re.findall(r'href="/queues/([a-z_0-9]+)/"', body) == REGISTRAR_QUEUES
    assert "/supervision/" not in body
    body = staff_client(tree.prov_supervisor).get("/").content.decode()
    assert re.findall(r'href="/queues/([a-z_0-9]+)/"', body) == SUPERVISOR_QUEUES
    assert 'href="/supervision/"' in body


@pytest.mark.parametrize("key", ALL_QUEUES)
def test_each_queue_page_for_the_roles_that_have_it_and_403_for_the_rest(
    tree: Tree, key: str
) -> None:
    registrar = tree.staff(tree.city_org, "registrar", name="clerk")
    handler = tree.staff(tree.city_org, "handler", name="handler")
    expected = {
        tree.city_staff: True,
        registrar: key in REGISTRAR_QUEUES,
        handler: key
        in [
            "my_cases",
            "due_within_7_days",
            "half_time_used",
            "overdue_without_explanation",
            "overdue_with_explanation",
        ],
        tree.prov_supervisor: key in SUPERVISOR_QUEUES,
    }
    for user, allowed in expected.items():
        response = staff_client(user).get(f"/queues/{key}/")
        if allowed:
            assert response.status_code == 200, (user, key)
            assert "案件编号" in response.content.decode() or "队列中没有案件" in (
                response.content.decode()
            )
        else:
            assert response.status_code == 403, (user, key)
            assert "无权操作" in response.content.decode()


def test_unknown_queue_is_the_chinese_404_and_a_stranger_signs_in(tree: Tree) -> None:
    response = staff_client(tree.city_staff).get("/queues/no_such_queue/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() or "不存在" in response.content.decode()
    response = Client().get("/queues/to_read/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_administrator_without_queues_gets_403(tree: Tree) -> None:
    admin = tree.staff(tree.prov_org, "administrator", name="sysadmin")
    assert staff_client(admin).get("/queues/to_read/").status_code == 403


# --- rows as shown ----------------------------------------------------------------------


def test_row_shows_labels_never_codes_and_links_to_the_case(tree: Tree) -> None:
    case = register(
        tree.city_staff, summary="反映落实待遇问题", channel="phone", category="policy_history"
    )
    response = get(staff_client(tree.city_staff), "/queues/to_read/")
    body = response.content.decode()
    assert numbers(response) == [case.number]
    row = body[body.index(f'data-number="{case.number}"') :]
    row = row[: row.index("</tr>")]
    assert f'href="/cases/{case.pk}/"' in row
    for shown in ("反映落实待遇问题", POLICY, "来电", "已登记", "临江市委组织部"):
        assert shown in row
    for code in ("policy_history", "phone", "registered", ">organization<"):
        assert code not in row
    # No protected material on a list: not the petitioner, not the letter's text.
    assert "王建华" not in body and "群众意见很大" not in body


def test_handler_name_due_date_and_days_overdue_or_left(tree: Tree) -> None:
    """Days left or overdue in calendar days to the due date (R-CLOSE-2: overdue from the
    day after). 2022 rules: 60 days from 2 March 2026 → Friday 1 May 2026, a holiday, rolled
    to the next working day; we read the stored date from the page."""
    handler = tree.staff(tree.city_org, "handler", name="张承办")
    use_rule_set("2022")
    with at(2026, 3, 2):
        case = register(tree.city_staff, received_on=D(2026, 3, 2))
        case = cs.case_handle_here(
            actor=tree.city_staff, case=to_read(case, tree.city_staff), handler=handler
        )
    case.refresh_from_db()
    assert case.due_on is not None
    client = staff_client(handler)
    day_before = case.due_on - dt.timedelta(days=3)
    with at(day_before.year, day_before.month, day_before.day):
        body = get(client, "/queues/my_cases/").content.decode()
    assert "张承办" in body and f"{case.due_on:%Y-%m-%d}" in body and "剩3天" in body
    with at(case.due_on.year, case.due_on.month, case.due_on.day):
        assert "今日到期" in get(client, "/queues/my_cases/").content.decode()
    after = case.due_on + dt.timedelta(days=2)
    with at(after.year, after.month, after.day):
        assert "逾期2天" in get(client, "/queues/my_cases/").content.decode()


def test_provisional_due_date_is_marked(tree: Tree) -> None:
    """A due date in a year whose holidays are not known is 暂定: 60 calendar days from
    2 November 2026 is Friday 1 January 2027 (tests/deadlines/test_provisional.py)."""
    use_rule_set("2022")
    with at(2026, 11, 2):
        case = register(tree.city_staff, received_on=D(2026, 11, 2))
        case = cs.case_handle_here(
            actor=tree.city_staff, case=to_read(case, tree.city_staff), handler=tree.city_staff
        )
    case.refresh_from_db()
    assert case.due_on == D(2027, 1, 1)
    with at(2026, 11, 3):
        body = get(staff_client(tree.city_staff), "/queues/my_cases/").content.decode()
    row = body[body.index(f'data-number="{case.number}"') :]
    assert "2027-01-01" in row[: row.index("</tr>")] and "暂定" in row[: row.index("</tr>")]


# --- sorting ----------------------------------------------------------------------------


def test_sort_by_headers_whitelist_only(tree: Tree) -> None:
    a, b, c = _letters(tree, ["乙事项", "甲事项", "丙事项"])
    client = staff_client(tree.city_staff)
    default = numbers(get(client, "/queues/to_read/"))
    # 待阅批 lists the oldest registration first.
    assert default == [a.number, b.number, c.number]
    assert numbers(get(client, "/queues/to_read/", sort="number")) == sorted(default)
    assert numbers(get(client, "/queues/to_read/", sort="-number")) == sorted(default)[::-1]
    by_title = numbers(get(client, "/queues/to_read/", sort="title"))
    assert by_title == [x.number for x in sorted([a, b, c], key=lambda x: x.title)]
    # Unknown keys, a protected field, a lookup: the same page in the default order.
    for bad in ("petitions__content", "-petitions__petitioners__name", "pk", "", "--number"):
        response = get(client, "/queues/to_read/", sort=bad)
        assert numbers(response) == default, bad
        assert "共 <strong>3</strong> 件" in response.content.decode()


def test_header_links_toggle_and_keep_the_filters(tree: Tree) -> None:
    _letters(tree, ["甲事项"])
    body = get(
        staff_client(tree.city_staff), "/queues/to_read/", sort="title", category="misconduct"
    ).content.decode()
    # The title column, sorted ascending, links to descending; filters kept, page dropped.
    assert 'href="?sort=-title&amp;category=misconduct"' in body or (
        'href="?category=misconduct&amp;sort=-title"' in body
    )
    assert "事项摘要 ▲" in body


# --- pages ------------------------------------------------------------------------------


def test_pages_first_last_and_one_past_the_last(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    cases = _letters(tree, ["一", "二", "三", "四", "五"])
    all_numbers = [c.number for c in cases]
    client = staff_client(tree.city_staff)
    first = get(client, "/queues/to_read/")
    assert numbers(first) == all_numbers[:2]
    assert "共 <strong>5</strong> 件，第 1/3 页" in first.content.decode()
    last = get(client, "/queues/to_read/", page="3")
    assert numbers(last) == all_numbers[4:]
    # One past the last, and nonsense, answer a page, never an error.
    assert numbers(get(client, "/queues/to_read/", page="4")) == all_numbers[4:]
    assert numbers(get(client, "/queues/to_read/", page="abc")) == all_numbers[:2]
    assert numbers(get(client, "/queues/to_read/", page="-1")) == all_numbers[4:]


def test_fifty_rows_a_page(tree: Tree) -> None:
    assert lists.PAGE_SIZE == 50


# --- filters ----------------------------------------------------------------------------


def test_filters_by_category_channel_level_and_dates(tree: Tree) -> None:
    with at(2026, 3, 2):
        letter = register(tree.city_staff, received_on=D(2026, 3, 1))
    with at(2026, 3, 10):
        call = register(
            tree.city_staff, channel="phone", category="policy_history", received_on=D(2026, 3, 9)
        )
    client = staff_client(tree.city_staff)
    url = "/queues/to_read/"
    assert numbers(get(client, url, category="policy_history")) == [call.number]
    assert numbers(get(client, url, channel="letter")) == [letter.number]
    assert numbers(get(client, url, channel="visit")) == []
    assert numbers(get(client, url, level="prefecture")) == [letter.number, call.number]
    assert numbers(get(client, url, level="county")) == []
    # Registration dates: both ends included.
    assert numbers(get(client, url, registered_from="2026-03-10")) == [call.number]
    assert numbers(get(client, url, registered_to="2026-03-02")) == [letter.number]
    assert numbers(get(client, url, registered_from="2026-03-02", registered_to="2026-03-10")) == [
        letter.number,
        call.number,
    ]
    assert "没有符合筛选条件的案件" in get(client, url, channel="visit").content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"category": "no_such"}, "所选的值不在可选范围内"),
        ({"channel": "letter' OR 1=1"}, "所选的值不在可选范围内"),
        ({"level": "province__path"}, "所选的值不在可选范围内"),
        ({"department": "999999"}, "所选的值不在可选范围内"),
        ({"registered_from": "2026-13-01"}, "请输入正确的日期"),
        ({"registered_from": "2026-03-10", "registered_to": "2026-03-02"}, "结束日期不能早于"),
        ({"category": "policy_history", "channel": "bogus"}, "所选的值不在可选范围内"),
    ],
)
def test_invalid_filter_is_named_and_the_list_is_unfiltered(
    tree: Tree, params: dict[str, str], message: str
) -> None:
    with at(2026, 3, 2):
        letter = register(tree.city_staff, received_on=D(2026, 3, 1))
    with at(2026, 3, 10):
        call = register(tree.city_staff, category="policy_history", received_on=D(2026, 3, 9))
    response = get(staff_client(tree.city_staff), "/queues/to_read/", **params)
    body = response.content.decode()
    assert message in body and "filter-error" in body
    assert numbers(response) == [letter.number, call.number]


def test_protected_lookups_in_the_url_change_nothing(tree: Tree) -> None:
    """R-PROTECT-1: parameters that are no filter of the list are ignored, whatever they
    name: the answer is the same for a true and a false petitioner name."""
    _letters(tree, ["甲事项", "乙事项"])
    client = staff_client(tree.city_staff)
    plain = numbers(get(client, "/queues/to_read/"))
    for name in ("王建华", "李四五"):
        for key in ("petitions__petitioners__name", "petitioner", "q", "name"):
            assert numbers(get(client, "/queues/to_read/", **{key: name})) == plain


def test_department_below_filter_for_the_sender(tree: Tree) -> None:
    """交转办跟踪 (R-SUPER-2): the sender filters the cases sent down by department below;
    a department it did not send to is not a choice."""
    leader = tree.city_staff
    sent = {}
    for dept in (tree.county_org, tree.baisha_org):
        case = to_read(register(leader), leader)
        assignment = cs.case_assign_down(
            actor=leader, case=case, to_department=dept, routing_note="按实际情况分办"
        )
        sent[dept.pk] = assignment.child
    client = staff_client(leader)
    response = get(client, "/queues/sent_down/")
    body = response.content.decode()
    assert "下级部门" in body and "河口县委组织部" in body and "白沙县委组织部" in body
    assert sorted(numbers(response)) == sorted(c.number for c in sent.values())
    only = get(client, "/queues/sent_down/", department=str(tree.county_org.pk))
    assert numbers(only) == [sent[tree.county_org.pk].number]
    stranger = get(client, "/queues/sent_down/", department=str(tree.qingshan_org.pk))
    assert "所选的值不在可选范围内" in stranger.content.decode()
    assert len(numbers(stranger)) == 2
    # A list without cases of other departments has no department filter.
    assert 'name="department"' not in get(client, "/queues/to_read/").content.decode()


# --- export -----------------------------------------------------------------------------

HEADERS = [
    "案件编号",
    "事项摘要",
    "问题类别",
    "信访形式",
    "状态",
    "责任部门",
    "承办人",
    "办理期限",
    "逾期或剩余",
    "期限说明",
]


def _xlsx(response: Any) -> list[list[Any]]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(BytesIO(response.content))
    return [list(r) for r in book["案件列表"].iter_rows(values_only=True)]


def test_export_is_the_list_as_shown(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    _letters(tree, ["丙事项", "甲事项", "乙事项"])
    register(tree.city_staff, summary="丁事项", category="policy_history")
    client = staff_client(tree.city_staff)
    params = {"sort": "-title", "category": "misconduct"}
    shown = numbers(get(client, "/queues/to_read/", **params)) + numbers(
        get(client, "/queues/to_read/", page="2", **params)
    )
    assert len(shown) == 3
    rows = _xlsx(client.get("/queues/to_read/", {**params, "export": "xlsx", "page": "2"}))
    assert rows[0] == HEADERS
    assert [r[0] for r in rows[1:]] == shown  # every page, same filters, same order
    first = Case.objects.get(number=shown[0])
    assert rows[1][1:7] == [first.title, MISCONDUCT, "来信", "已登记", "临江市委组织部", None]
    flat = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "王建华" not in flat and "群众意见很大" not in flat  # nothing protected
    book = load_workbook(BytesIO(client.get("/queues/to_read/", {"export": "xlsx"}).content))
    about = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert about["列表"] == "待阅批" and about["共计"] == "4条"


def test_export_says_when_it_is_cut_and_keeps_text_as_text(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lists, "EXPORT_CAP", 2)
    _letters(tree, ['=HYPERLINK("http://x")', "乙事项", "丙事项"])
    response = staff_client(tree.city_staff).get("/queues/to_read/", {"export": "xlsx"})
    book = load_workbook(BytesIO(response.content))
    sheet = book["案件列表"]
    assert sheet.cell(row=2, column=2).value == '=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=2).data_type == "s"
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(rows) == 1 + 2 + 1
    assert rows[-1][0] == "仅导出前2条，共3条；请缩小筛选范围后分次导出。"


def test_new_leader_queues_count_filter_sort_and_export(tree: Tree) -> None:
    """待分办 and 异议待决定 work like the others: a count on the workbench, rows filtered and
    sorted, exported as shown."""
    client = staff_client(tree.city_staff)
    first, second = (to_read(c, tree.city_staff) for c in _letters(tree, ["乙待分办", "甲待分办"]))
    register(tree.city_staff, summary="未阅批事项")
    home = client.get("/").content.decode()
    card = home[home.index('data-queue="to_route"') :]
    assert '<div class="queue-count">2</div>' in card[: card.index("</div>\n    </div>")]
    assert numbers(get(client, "/queues/to_route/", sort="-number")) == [
        second.number,
        first.number,
    ]
    assert numbers(get(client, "/queues/to_route/", category="policy_history")) == []
    rows = _xlsx(client.get("/queues/to_route/", {"sort": "-number", "export": "xlsx"}))
    assert [r[0] for r in rows[1:]] == [second.number, first.number]
    sent = cs.case_assign_down(
        actor=tree.city_staff, case=first, to_department=tree.county_org, routing_note="按属地"
    )
    cs.objection_raise(actor=tree.county_staff, assignment=sent, reasons="不属本县")
    assert numbers(get(client, "/queues/objections_awaiting_decision/")) == [first.number]
    rows = _xlsx(client.get("/queues/objections_awaiting_decision/", {"export": "xlsx"}))
    assert [r[0] for r in rows[1:]] == [first.number]
    assert rows[1][4] == "办理中"


def test_export_of_a_queue_not_his_is_refused(tree: Tree) -> None:
    registrar = tree.staff(tree.city_org, "registrar", name="clerk")
    response = staff_client(registrar).get("/queues/my_cases/", {"export": "xlsx"})
    assert response.status_code == 403


# --- query budget -----------------------------------------------------------------------

# Measured: 7 (session, user, roles, department, departments below, count, rows); a little
# room for the case page's helpers, none for a query per row.
QUEUE_PAGE_BUDGET = 9


def test_queue_page_queries_do_not_grow_with_rows(
    tree: Tree, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    leader = tree.city_staff

    def handled(**kw: Any) -> Case:
        case = to_read(register(leader, **kw), leader)
        return cs.case_handle_here(actor=leader, case=case, handler=leader)

    first = handled()
    assignment_case = to_read(register(leader), leader)
    cs.case_assign_down(
        actor=leader, case=assignment_case, to_department=tree.county_org, routing_note="分办"
    )
    client = staff_client(leader)
    url = "/queues/my_cases/"
    get(client, url)  # warm the calendar cache
    with CaptureQueriesContext(connection) as one:
        assert len(numbers(get(client, url))) == 1
    for i in range(29):
        handled(summary=f"第{i}号问题")
    with django_assert_max_num_queries(QUEUE_PAGE_BUDGET):
        response = get(client, url)
    assert len(numbers(response)) == 30
    with CaptureQueriesContext(connection) as thirty:
        get(client, url, sort="-handler", channel="letter")
    assert len(thirty.captured_queries) == len(one.captured_queries)
    assert first.number in numbers(response)
