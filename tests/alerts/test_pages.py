"""The warning pages (web/views/alerts.py): the list, the explanation, the steps, the home
page's card (R-REPEAT-5). No petitioner is named; petitions are linked only where the user
may see their case."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.alerts.helpers import NAMES, petitions
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.alerts import services
from xinfang.alerts.models import EarlyWarning, Kind, WarningState
from xinfang.alerts.selectors import describe

MONDAY = dt.date(2026, 3, 2)


def _warnings(tree: Tree) -> EarlyWarning:
    petitions(tree, MONDAY, 5)
    services.poll(MONDAY)
    return EarlyWarning.objects.get(kind="category")


def test_r_repeat_5_leaders_home_card_lists_open_warnings(tree: Tree) -> None:
    _warnings(tree)
    text = staff_client(tree.city_staff).get("/").content.decode()
    assert "warnings-card" in text
    assert "共2条未关闭" in text
    assert "问题类别：落实政策和历史遗留问题" in text
    # A leader of another department has the card, empty.
    other = staff_client(tree.county_staff).get("/").content.decode()
    assert "没有未关闭的预警" in other


def test_r_repeat_5_explanation_page_counts_growth_and_petitions(tree: Tree) -> None:
    w = _warnings(tree)
    response = staff_client(tree.city_staff).get(f"/warnings/{w.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "涉及信访人5人、信访件5件" in text
    assert "此前8个统计期内没有出现" in text
    assert text.count("反映望海小区物业问题") == 5  # each petition by its summary
    for i in range(5):  # and no petitioner named
        assert f"{NAMES[i]}{i}号" not in text
    assert "policy_history" not in text and "category" not in text.split("<main")[-1]


def test_r_repeat_5_supervisor_sees_the_warning_but_not_cases_outside_his_view(
    tree: Tree,
) -> None:
    w = _warnings(tree)
    # The province's supervisor oversees 临江市委组织部: he sees the warning and its cases.
    text = staff_client(tree.prov_supervisor).get(f"/warnings/{w.pk}/").content.decode()
    assert "涉及信访人5人" in text
    # The city's supervisor oversees the counties only: not found.
    assert staff_client(tree.city_supervisor).get(f"/warnings/{w.pk}/").status_code == 404


def test_r_repeat_5_steps_through_the_pages(tree: Tree) -> None:
    w = _warnings(tree)
    handler = tree.staff(tree.city_org, "handler", name="承办甲")
    leader = staff_client(tree.city_staff)
    assert leader.post(f"/warnings/{w.pk}/acknowledge/", {"note": ""}).status_code == 302
    refused = leader.post(f"/warnings/{w.pk}/assign/", {"assignee": "", "note": ""})
    assert refused.status_code == 400
    assert "请选择本部门的承办人" in refused.content.decode()
    done = leader.post(f"/warnings/{w.pk}/assign/", {"assignee": handler.pk, "note": "了解情况"})
    assert done.status_code == 302
    # The assignee sees it and records what was done; he may not close it.
    own = staff_client(handler)
    page = own.get(f"/warnings/{w.pk}/").content.decode()
    assert "处置情况" in page
    assert own.post(f"/warnings/{w.pk}/act/", {"note": "已协调住建部门"}).status_code == 302
    assert own.post(f"/warnings/{w.pk}/close/", {"note": "x"}).status_code == 400
    assert leader.post(f"/warnings/{w.pk}/close/", {"note": "已化解"}).status_code == 302
    w.refresh_from_db()
    assert (w.state, w.assignee) == (WarningState.CLOSED, handler)
    text = leader.get(f"/warnings/{w.pk}/").content.decode()
    for word in ("确认", "交办", "处置", "关闭", "已协调住建部门", "已化解"):
        assert word in text
    listed = leader.get("/warnings/?show=closed").content.decode()
    assert f'data-warning="{w.pk}"' in listed
    assert f'data-warning="{w.pk}"' not in leader.get("/warnings/").content.decode()


def test_r_repeat_5_the_assignee_reaches_his_warning_from_the_header_and_the_workbench(
    tree: Tree,
) -> None:
    """A handler a warning is assigned to may act on it: the header links 预警 for him and
    his workbench has the card, as a leader's has; another handler of the department has
    neither (and is refused the page)."""
    w = _warnings(tree)
    handler = tree.staff(tree.city_org, "handler", name="承办甲")
    bystander = tree.staff(tree.city_org, "handler", name="承办乙")
    leader = staff_client(tree.city_staff)
    assert leader.post(f"/warnings/{w.pk}/assign/", {"assignee": handler.pk, "note": "核实"})
    assert EarlyWarning.objects.get(pk=w.pk).assignee == handler
    with CaptureQueriesContext(connection) as queries:
        home = staff_client(handler).get("/").content.decode()
    # His assignments looked up once, for the card and the header's link alike.
    lookups = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "alerts_earlywarning"' in q["sql"] and "LIMIT 1" in q["sql"]
    ]
    assert len(lookups) == 1, lookups
    assert 'class="nav-link" href="/warnings/"' in home
    assert "warnings-card" in home and "共1条未关闭" in home
    assert "问题类别：落实政策和历史遗留问题" in home
    other = staff_client(bystander).get("/").content.decode()
    assert 'href="/warnings/"' not in other and "warnings-card" not in other


def test_a_handler_without_a_warning_is_refused(tree: Tree) -> None:
    handler = tree.staff(tree.city_org, "handler")
    response = staff_client(handler).get("/warnings/")
    assert response.status_code == 403
    assert "权限" in response.content.decode()


def test_another_departments_leader_cannot_step_or_see(tree: Tree) -> None:
    w = _warnings(tree)
    other = staff_client(tree.county_staff)
    assert other.get(f"/warnings/{w.pk}/").status_code == 404
    assert other.post(f"/warnings/{w.pk}/close/", {"note": "x"}).status_code == 404
    w.refresh_from_db()
    assert (w.state, w.steps.count()) == (WarningState.OPEN, 0)


def test_the_sentence_rounds_the_baseline_as_the_page_does() -> None:
    """A baseline of 0.25 people a week (2 in 8 weeks) reads 0.3 in the sentence as on the
    page (floatformat rounds half up); Python's %.1f would have said 0.2 beside a 0.3."""
    warning = EarlyWarning(
        kind=Kind.CATEGORY,
        key="party",
        label="党的建设",
        window_start=dt.date(2026, 11, 26),
        window_end=dt.date(2026, 12, 2),
        petitioners=7,
        petitions=7,
        baseline=0.25,
        growth=28.0,
        score=1.0,
        explanation={"history": [0, 0, 0, 1, 1, 0, 0, 0]},
    )
    assert describe(warning) == (
        "2026-11-26至2026-12-02，问题类别“党的建设”涉及信访人7人、信访件7件，"
        "此前8个统计期平均每期0.3人，增长到28.0倍。"
    )
