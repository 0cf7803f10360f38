"""The demo puts long-standing petitioners on the register of the demo leader's department
(R-REPEAT-1..3), so lingdao sees them."""

from __future__ import annotations

import pytest

from tests.clients import staff_client
from xinfang.demo.build import build_demo
from xinfang.orgs.models import User
from xinfang.persistent.models import Outcome
from xinfang.persistent.selectors import register_for


@pytest.mark.django_db
def test_lingdao_sees_the_demo_register() -> None:
    result = build_demo(petitions=200)
    assert result.failures == []
    lingdao = User.objects.get(username="lingdao")
    entries = list(register_for(lingdao))
    outcomes = sorted(e.outcome for e in entries)
    assert outcomes == [Outcome.CONCLUDED, Outcome.OPEN]
    concluded = next(e for e in entries if e.outcome == Outcome.CONCLUDED)
    assert concluded.position_statement.startswith("该问题已按政策处理完毕")
    opened = next(e for e in entries if e.outcome == Outcome.OPEN)
    assert opened.leader == lingdao and opened.reviews.count() == 1
    html = staff_client(lingdao).get("/longterm/").content.decode()
    assert html.count('class="entry-row') == 2
