"""End to end: the registration page's suggestion from the text (issue 11 item 4) appears
beside the category field as the registrar types an accusation of bribery, and its button
sets the category only when pressed."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.orgtree import Tree

PASSWORD = "Xinfang-e2e-pass"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_suggestion_is_applied_only_by_the_registrar(
    tree: Tree, live_server: object, browser: object
) -> None:
    from playwright.sync_api import Browser, Route, expect

    assert isinstance(browser, Browser)
    user = tree.county_staff
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    base = str(live_server.url).replace("localhost", "127.0.0.1")  # type: ignore[attr-defined]
    page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    problems: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"blocked request: {route.request.url}")
            route.abort()

    page.route("**/*", only_local)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.set_default_timeout(8000)
    page.goto(base + "/login/?next=/register/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.select_option("#id_category", "misconduct")
    page.select_option("#id_nature", "accusation")
    page.fill("#id_summary", "检举某局长受贿")
    box = page.locator("#suggest-preview")
    expect(box).to_contain_text("纪委监委")
    expect(box).to_contain_text("“受贿”")
    # Shown, not applied: the category is still the registrar's.
    expect(page.locator("#id_category")).to_have_value("misconduct")
    box.get_by_role("button", name="采用此类别").click()
    expect(page.locator("#id_category")).to_have_value("outside_remit")
    # The routing proposal follows the category now picked.
    expect(page.locator("#routing-preview")).to_contain_text("纪委监委")
    assert problems == []
