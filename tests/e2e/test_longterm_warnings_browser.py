"""End to end: a leader's register of long-standing petitioners (R-REPEAT-1, R-REPEAT-2) and
early warnings (R-REPEAT-5), through the pages only, in headless Chromium (tests/e2e/conftest.py:
loopback only, console errors collected, no rule ID or raw code on any page). The petitions
are registered through the services with today's dates (the browser's clock is the real
one: a session made at a mocked date would have expired for it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.alerts.helpers import petitions
from tests.builders import PetitionerInput, register
from tests.e2e.conftest import Office
from tests.orgtree import Tree
from xinfang.alerts.services import poll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


def test_a_leader_registers_a_long_standing_petitioner_and_reviews_it(
    tree: Tree, office: Office
) -> None:
    today = timezone.localdate()
    person = [PetitionerInput(name="老户甲", id_number="110101199003074477")]
    first = register(
        tree.city_staff,
        summary="反映待遇未落实",
        received_on=today - dt.timedelta(days=20),
        petitioners=person,
    )
    for days in (10, 1):
        register(
            tree.city_staff,
            summary="反映待遇未落实",
            received_on=today - dt.timedelta(days=days),
            petitioners=person,
            repeat_of=first,
        )
    leader = office.signs_in(tree.city_staff)
    desk = office.desk(leader)
    page = desk.page
    page.get_by_role("link", name="信访老户").click()
    desk.check_clean()
    row = page.locator("tr.candidate-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(first.number)
    row.get_by_role("link", name="列入台账").click()
    desk.check_clean()
    page.fill("[name=analysis]", "待遇政策口径不一，长期未落实。")
    page.fill("[name=measures]", "包案领导约谈，会同人社部门核实。")
    page.select_option("[name=leader]", label=str(leader))
    page.select_option("[name=officer]", label=str(leader))
    page.fill("[name=target_on]", (today + dt.timedelta(days=60)).isoformat())
    page.fill("[name=review_every_days]", "7")
    page.get_by_role("button", name="列入台账").click()
    expect(page.locator(".alert-success")).to_contain_text("已列入信访老户台账")
    due = today + dt.timedelta(days=7)
    expect(page.locator(".next-review")).to_have_text(f"{due.year}年{due.month}月{due.day}日")
    expect(page.locator("body")).to_contain_text("每7天")
    desk.check_clean()
    # The first review, then the register shows the next one a week after it.
    form = page.locator("form.longterm-form").first
    form.locator("[name=reviewed_on]").fill(today.isoformat())
    form.locator("[name=progress]").fill("已约谈，正在核实。")
    form.get_by_role("button", name="记录复查").click()
    expect(page.locator(".reviews")).to_contain_text("已约谈，正在核实。")
    desk.goto("/longterm/")
    expect(page.locator("tr.entry-row .next-review")).to_have_text(due.isoformat())
    desk.shot("longterm-register")
    assert office.problems == []


def test_a_leader_sees_a_warning_on_the_home_page_and_acknowledges_it(
    tree: Tree, office: Office
) -> None:
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    petitions(tree, yesterday, 5)  # five people on one category: a spike, new this week
    petitions(
        tree,
        yesterday,
        1,
        start=9,
        summary="反映征地补偿款被截留",
        content="如果再不解决，我们将组织全村一百多名村民集体到省委上访。",
    )
    poll(today)
    desk = office.desk(office.signs_in(tree.city_staff))
    page = desk.page
    card = page.locator(".warnings-card")
    expect(card).to_contain_text("问题类别：落实政策和历史遗留问题")
    expect(card).to_contain_text(
        "集体上访苗头：反映征地补偿款被截留（信中提及组织多人上访） 信访人1人，待确认"
    )
    page.get_by_role("link", name="预警", exact=True).click()
    desk.check_clean()
    page.get_by_role("link", name="反映征地补偿款被截留（信中提及组织多人上访）").click()
    expect(page.locator(".explanation")).to_contain_text("来信中有集体上访的苗头")
    expect(page.locator("body")).not_to_contain_text("一百多名")  # the letter's words stay out
    desk.check_clean()
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text("已确认")
    desk.check_clean()
    desk.shot("warning-announced")
    assert office.problems == []
