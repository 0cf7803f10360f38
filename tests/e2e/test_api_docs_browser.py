"""/api/docs in headless Chromium under the site's Content-Security-Policy: Swagger UI
renders the API from local files, with no blocked request and no CSP violation."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import PASSWORD
from tests.orgtree import Tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_under_the_csp(tree: Tree, live_server: object, browser: object) -> None:
    from playwright.sync_api import Browser, ConsoleMessage, Route, expect

    assert isinstance(browser, Browser)
    user = tree.county_staff
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    base = str(live_server.url).replace("localhost", "127.0.0.1")  # type: ignore[attr-defined]
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"blocked request: {route.request.url}")
            route.abort()

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            problems.append(f"console: {msg.text}")

    page.route("**/*", only_local)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.set_default_timeout(10000)

    page.goto(base + "/api/docs")  # sends to the sign-in page first
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url("**/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("信访案件管理系统数据接口")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("/api/cases/{case_id}/actions/read")
    assert problems == []
