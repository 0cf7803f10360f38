"""/api/docs in headless Chromium under the site's Content-Security-Policy: Swagger UI
renders the API from local files, with no blocked request and no CSP violation."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Office
from tests.orgtree import Tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_under_the_csp(tree: Tree, office: Office) -> None:
    from playwright.sync_api import expect

    user = office.signs_in(tree.county_staff)
    # /api/docs sends to the sign-in page first, then back.
    page = office.desk(user, start="/api/docs", title=None, timeout=10000).page
    page.wait_for_url("**/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("信访案件管理系统数据接口")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("/api/cases/{case_id}/actions/read")
    assert office.problems == []
