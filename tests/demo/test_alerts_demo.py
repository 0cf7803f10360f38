"""The demo raises early warnings at the demo leader's department (R-REPEAT-5), so lingdao's
home page lists open warnings, one acknowledged and assigned to chengban."""

from __future__ import annotations

import pytest

from tests.clients import staff_client
from xinfang.alerts.models import EarlyWarning, Kind, WarningState
from xinfang.demo.build import build_demo
from xinfang.orgs.models import User


@pytest.mark.django_db
def test_lingdao_sees_open_warnings_on_the_home_page() -> None:
    result = build_demo(petitions=200)
    assert result.failures == []
    lingdao = User.objects.get(username="lingdao")
    mine = EarlyWarning.objects.filter(department=lingdao.department)
    matter = mine.get(kind=Kind.MATTER)
    assert (matter.petitioners, matter.petitions, matter.growth) == (6, 6, None)
    assigned = mine.get(state=WarningState.ASSIGNED)
    assert assigned.assignee == User.objects.get(username="chengban")
    assert assigned.steps.count() == 2
    html = staff_client(lingdao).get("/").content.decode()
    assert "warnings-card" in html
    assert html.count('class="list-group-item warning-item"') == min(mine.count(), 5)
    assert "反映村委会换届选举中有人拉票" in html
