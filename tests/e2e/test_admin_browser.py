"""End to end: a staff member logs in to the admin in headless Chromium and reads a case.

The browser is Debian's Chromium (/usr/bin/chromium), never a downloaded one, and every
request not to 127.0.0.1 is aborted, so the test needs no network (the `browser` fixture of
tests/e2e/conftest.py). A missing browser fails the test: a skipped browser test would hide
a broken admin.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.builders import register, to_read
from tests.e2e.conftest import Office
from tests.orgtree import Tree

SCREENSHOT = Path("/tmp/xinfang-admin.png")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_reads_a_case_in_the_admin(tree: Tree, office: Office) -> None:
    from playwright.sync_api import expect

    user = office.signs_in(tree.county_staff)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    case = to_read(register(user), user)
    base, problems = office.base, office.problems

    # Signing in: "/" asks for it, then opens the workbench with the person's name.
    page = office.desk(user, timeout=5000).page
    expect(page.locator(".who")).to_contain_text(f"{user} · 河口县委组织部")

    page.goto(base + reverse("admin:cases_case_changelist"))
    expect(page).to_have_title(re.compile("信访事项.*信访案件管理系统"))
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("已阅批")
    row.get_by_role("link", name=case.number).click()

    expect(page.locator("#content h2").first).to_contain_text(case.number)
    expect(page.locator("body")).to_contain_text(case.title)
    timeline = page.locator("#events-group")
    expect(timeline).to_contain_text("办理记录（时间线）")
    expect(timeline.locator("tbody tr.has_original")).to_have_count(2)
    expect(timeline).to_contain_text("阅批")
    expect(page.locator("#case-petitions")).to_contain_text("王建华")

    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # R-CLOSE-7: the case file opens from the case page, readable and printable.
    page.get_by_role("link", name="查阅、打印案卷").click()
    expect(page.locator("h1")).to_have_text("信访案卷")
    expect(page.locator("body")).to_contain_text("王建华")
    expect(page.locator("body")).to_contain_text("办理记录")
    assert problems == []

    # The sidebar's own filters work; a filter typed into the address bar is refused in
    # Chinese whatever it asks (R-PROTECT-1: a count must not answer a guess).
    page.goto(base + reverse("admin:cases_case_changelist"))
    page.locator("#changelist-filter").get_by_role("link", name="已阅批").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    crafted = reverse("admin:petitions_petition_changelist") + "?content__contains=%E7%8E%8B"
    response = page.goto(base + crafted)
    assert response is not None and response.status == 400
    expect(page.locator("h2")).to_contain_text("请求无法处理")
    expect(page.locator("body")).not_to_contain_text("王建华")
    assert [p for p in problems if "status of 400" not in p] == []
