"""The supervisor's view (web/views/supervision.py, cases/supervision.py): each department
of the supervisor's kind below his jurisdiction, its counts from the cases he sees, its
three rates against target, and the lists the counts drill down to (R-SUPER-1, R-SUPER-2,
R-CLOSE-2, R-ROUTE-5, R-COUNTY-2).

The world, under the 2022 rules, built on 2 March 2026 and looked at on 1 July 2026 (every
case handled here on 2 March is due 60 days later, early May, so overdue by July):

    临江市委组织部 (city)    E handled here as a key case (R-ROUTE-5), overdue, unexplained
    河口县委组织部 (county)  A handled here, overdue, unexplained
                             B handled here, overdue, explained on 1 July (R-CLOSE-2)
                             C registered, not yet read (no due date)
    白沙县委组织部 (baisha)  D handled here and closed
    青山市委组织部           nothing
    东川省委组织部 (own)     F registered: the supervisor's own department, not a row
    河口县人社局             G registered: another kind of department, never a row
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.builders import at, register, to_closed, to_read
from tests.clients import staff_client
from tests.deadlines.conftest import use_rule_set
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case
from xinfang.cases.targets import yearly_target_create
from xinfang.orgs.models import User

D = dt.date
TODAY = (2026, 7, 1)


class World:
    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        use_rule_set("2022")
        with at(2026, 3, 2):
            self.a = self._handled(tree.county_staff, "甲事项")
            self.b = self._handled(tree.county_staff, "乙事项")
            self.c = register(tree.county_staff, summary="丙事项")
            baisha_handler = tree.staff(tree.baisha_org, "handler", name="baisha_handler")
            self.d = to_closed(
                register(tree.baisha_staff, summary="丁事项"), tree.baisha_staff, baisha_handler
            )
            self.e = self._handled(tree.city_staff, "戊事项", key_case=True)
            self.f = register(tree.prov_staff, summary="己事项")
            self.g = register(tree.county_hr_staff, summary="庚事项")
        with at(*TODAY):
            cs.overdue_explain(
                actor=tree.county_staff,
                case=self.b,
                reason="需外地取证",
                new_expected_on=D(2026, 7, 31),
            )
        root = User.objects.create_superuser(username="root", password="x")
        yearly_target_create(
            actor=root,
            department=tree.county_org,
            year=2026,
            self_handled_rate=Decimal("90"),
            repeat_rate=Decimal("5"),
            closure_rate=Decimal("80"),
        )

    def _handled(self, user: User, title: str, key_case: bool | None = None) -> Case:
        case = to_read(register(user, summary=title), user)
        return cs.case_handle_here(actor=user, case=case, handler=user, key_case=key_case)


@pytest.fixture
def world(tree: Tree) -> World:
    return World(tree)


def _rows(body: str) -> dict[str, list[str]]:
    """Department name -> the cells of its row, tags removed."""
    rows = {}
    for row in re.findall(r'<tr class="department-row".*?</tr>', body, re.S):
        cells = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def _page(user: User, url: str = "/supervision/", **params: str) -> Any:
    with at(*TODAY):
        return staff_client(user).get(url, params)


def test_r_super_1_supervisor_sees_each_department_below_with_hand_counted_figures(
    world: World,
) -> None:
    tree = world.tree
    response = _page(tree.prov_supervisor)
    assert response.status_code == 200
    rows = _rows(response.content.decode())
    # In the order of the tree; never his own department, never another kind.
    assert list(rows) == ["临江市委组织部", "河口县委组织部", "白沙县委组织部", "青山市委组织部"]
    # open, overdue, unexplained overdue, key cases (R-CLOSE-2, R-ROUTE-5)
    assert rows["临江市委组织部"][:4] == ["1", "1", "1", "1"]
    assert rows["河口县委组织部"][:4] == ["3", "2", "1", "0"]
    assert rows["白沙县委组织部"][:4] == ["0", "0", "0", "0"]
    assert rows["青山市委组织部"][:4] == ["0", "0", "0", "0"]
    # R-COUNTY-2, 1 January to 1 July 2026: self-handled A, B of 2 decided; no repeat among
    # 3 petitions; none of A, B closed. Target 90 / at most 5 / 80.
    assert rows["河口县委组织部"][4:] == [
        "100.00% （2/2） 达标 （目标 90.00%）",
        "0.00% （0/3） 达标 （目标 5.00%）",
        "0.00% （0/2） 未达标 （目标 80.00%）",
    ]
    # D handled here and closed; no target set.
    assert rows["白沙县委组织部"][4:] == [
        "100.00% （1/1） 未设目标",
        "0.00% （0/1） 未设目标",
        "100.00% （1/1） 未设目标",
    ]
    # Nothing counted: no percentage made up from 0/0.
    assert rows["青山市委组织部"][4:] == ["— （0/0） 未设目标"] * 3


def test_r_super_1_city_supervisor_sees_only_his_counties(world: World) -> None:
    rows = _rows(_page(world.tree.city_supervisor).content.decode())
    assert list(rows) == ["河口县委组织部", "白沙县委组织部"]
    assert rows["河口县委组织部"][:4] == ["3", "2", "1", "0"]


@pytest.mark.parametrize("who", ["city_staff", "county_staff", "energy_staff"])
def test_the_view_is_the_supervisors_only(world: World, who: str) -> None:
    user = getattr(world.tree, who)
    for url in ("/supervision/", "/supervision/cases/"):
        response = _page(user, url)
        assert response.status_code == 403
        assert "无权操作" in response.content.decode()


def _numbers(response: Any) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-number="([^"]+)"', response.content.decode())


def test_counts_drill_down_to_their_cases(world: World) -> None:
    tree, w = world.tree, world
    county = str(tree.county_org.pk)
    body = _page(tree.prov_supervisor).content.decode()
    assert f"/supervision/cases/?show=unexplained&amp;department={county}" in body
    url = "/supervision/cases/"
    sup = tree.prov_supervisor
    assert _numbers(_page(sup, url, show="unexplained", department=county)) == [w.a.number]
    overdue = _numbers(_page(sup, url, show="overdue", department=county))
    assert sorted(overdue) == sorted([w.a.number, w.b.number])
    opened = _numbers(_page(sup, url, show="open", department=county))
    assert sorted(opened) == sorted([w.a.number, w.b.number, w.c.number])
    assert _numbers(_page(sup, url, show="key")) == [w.e.number]
    # All departments below at once: never the own department's or another kind's cases.
    everything = _numbers(_page(sup, url, show="open"))
    assert sorted(everything) == sorted([w.a.number, w.b.number, w.c.number, w.e.number])


def test_drill_down_refuses_a_department_outside_the_jurisdiction(world: World) -> None:
    tree, w = world.tree, world
    response = _page(
        tree.city_supervisor, "/supervision/cases/", show="open", department=str(tree.city_org.pk)
    )
    assert "所选的值不在可选范围内" in response.content.decode()
    assert sorted(_numbers(response)) == sorted([w.a.number, w.b.number, w.c.number])
    response = _page(tree.city_supervisor, "/supervision/cases/", show="everything")
    assert "所选的列表不存在，已显示在办案件。" in response.content.decode()
    assert len(_numbers(response)) == 3


def test_drill_down_exports_as_shown(world: World) -> None:
    tree = world.tree
    with at(*TODAY):
        client = staff_client(tree.prov_supervisor)
        params = {"show": "open", "sort": "title"}
        shown = _numbers(client.get("/supervision/cases/", params))
        response = client.get("/supervision/cases/", {**params, "export": "xlsx"})
    book = load_workbook(BytesIO(response.content))
    rows = list(book["案件列表"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == shown
    about = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert about["列表"] == "下级部门在办案件" and about["排序"] == "事项摘要升序"


def test_supervision_page_queries(world: World) -> None:
    """Counts: one grouped query per count, whatever the number of departments or cases;
    rates: cases/selectors.py's key_figures, four queries per department (target and three
    rates). Measured: 10 + 4 x 4 departments = 26."""
    client = staff_client(world.tree.prov_supervisor)
    with at(*TODAY), CaptureQueriesContext(connection) as ctx:
        assert client.get("/supervision/").status_code == 200
    assert len(ctx.captured_queries) <= 10 + 4 * 4


def test_rates_chart_data_and_no_inline_script(world: World) -> None:
    """The bar chart reads its data from a JSON block; the page runs no inline script (the
    content-security policy forbids them)."""
    body = _page(world.tree.city_supervisor).content.decode()
    data = re.search(r'<script id="rates-data" type="application/json">(.*?)</script>', body)
    assert data is not None
    assert json.loads(data.group(1)) == {
        "departments": ["河口县委组织部", "白沙县委组织部"],
        "series": [
            {"name": "自办案件率", "data": [100.0, 100.0]},
            {"name": "重信重访率", "data": [0.0, 0.0]},
            {"name": "年终结案率", "data": [0.0, 100.0]},
        ],
    }
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or 'type="application/json"' in tag, tag
