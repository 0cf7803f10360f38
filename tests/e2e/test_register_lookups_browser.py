"""End to end: the registration page's look-ups do not wait for one another.

The page asks the server several things while the registrar types (the routing proposal, the
suggestion from the text, people and cadres by name). htmx keeps one request in flight per
source element and, behind it, only the last one asked; with one shared source, a cadre
look-up asked while the routing proposal was on its way waited for it, and a later request
could replace it unsent. Here the routing proposal is held and never answered: the cadre
list must still appear (a CI run once timed out waiting for it)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Office
from tests.orgtree import Tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_cadre_look_up_answers_while_the_routing_proposal_is_held(
    tree: Tree, office: Office
) -> None:
    from playwright.sync_api import Route, expect

    user = office.signs_in(tree.county_staff)
    desk = office.desk(
        user,
        start="/register/",
        title="登记来信来访 · 信访案件管理系统",
        viewport={"width": 1400, "height": 1000},
    )
    page = desk.page
    held: list[Route] = []

    def hold(route: Route) -> None:  # never answered while the test runs
        held.append(route)

    page.route("**/register/routing/", hold)

    page.fill("#id_summary", "反映县交通运输局局长在干部提拔中优亲厚友")
    page.select_option("#id_category", "misconduct")
    with page.expect_request("**/register/routing/"):
        page.select_option("#id_nature", "accusation")
    page.fill("#id_r-0-name", "钱")
    page.get_by_role("button", name="钱卫东").click(timeout=5000)
    expect(page.locator("#respondents .picked")).to_contain_text("钱卫东")
    assert held, "the routing proposal was never asked: the test held nothing"
    for route in held:
        route.abort()
    office.forgive("net::ERR_FAILED")
    assert office.problems == []
