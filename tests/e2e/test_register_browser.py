"""End to end: a registrar registers an ordinary letter and a visit through the registration
page in headless Chromium, with the keyboard and the look-ups, and the cases exist.

Launch pattern as in test_admin_browser.py: Debian's Chromium, every request not to
127.0.0.1 aborted. Screenshots go to the test's tmp dir (register-letter.png, register-done.png,
register-visit.png); `docs/screenshots/register.png` is a copy of register-letter.png from a
run, copied by hand (a test does not write into the repository).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.builders import VALID_ID, register
from tests.e2e.test_admin_browser import CHROMIUM, CHROMIUM_ARGS
from tests.orgtree import Tree
from xinfang.cases.models import Case
from xinfang.petitions.models import Interview, Petition

PASSWORD = "Xinfang-e2e-pass"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_a_registrar_registers_a_letter_and_a_visit(
    tree: Tree, live_server: object, browser: object, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, ConsoleMessage, Route, expect

    assert isinstance(browser, Browser)
    user = tree.county_staff
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    earlier = register(user)  # 王建华 wrote before: the look-up finds him
    base = str(live_server.url).replace("localhost", "127.0.0.1")  # type: ignore[attr-defined]

    page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 1000})
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
    page.set_default_timeout(8000)

    page.goto(base + "/login/?next=/register/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_title("登记来信来访 · 信访案件管理系统")

    # --- an ordinary letter, typed as a registrar would: the name has the focus -----------
    started = time.monotonic()
    expect(page.locator("#id_p-0-name")).to_be_focused()
    expect(page.locator("#interview")).to_be_hidden()  # a letter has no interview
    page.keyboard.type("王建")
    lookup = page.locator("#lookup-results")
    expect(lookup).to_contain_text("王建华")
    expect(lookup).to_contain_text(earlier.number)
    page.keyboard.type("华")
    page.keyboard.press("Tab")
    page.keyboard.type(VALID_ID)
    expect(page.locator(".id-facts").first).to_contain_text("1990年3月7日")
    expect(page.locator(".id-facts").first).to_contain_text("北京市东城区")
    page.keyboard.press("Tab")
    page.keyboard.type("13800000000")
    page.fill("#id_summary", "反映村干部在低保评定中优亲厚友")
    page.fill("#id_content", "我村干部在评定低保时优先照顾亲属，群众意见很大，请组织上调查。")
    page.select_option("#id_category", "misconduct")
    page.select_option("#id_nature", "accusation")
    # The respondent picked from the cadre directory by typing his name.
    page.fill("#id_r-0-name", "钱")
    page.get_by_role("button", name="钱卫东").click()
    expect(page.locator("#respondents .picked")).to_contain_text("交通运输局局长")
    # An attachment, chosen through the same input that takes drops.
    letter = tmp_path / "来信.pdf"
    letter.write_bytes(b"%PDF-1.4 letter")
    page.set_input_files("#id_attachments", str(letter))
    expect(page.locator("#drop-list")).to_contain_text("来信.pdf")
    page.screenshot(path=str(tmp_path / "register-letter.png"), full_page=True)
    page.locator("#id_content").press("Control+Enter")

    expect(page).to_have_title("登记完成 · 信访案件管理系统")
    elapsed = time.monotonic() - started
    letter_case = Case.objects.exclude(pk=earlier.pk).get()
    expect(page.locator("#case-number")).to_have_text(letter_case.number)
    expect(page.locator("#register-notes")).to_contain_text("此前已有1件信访记录")
    expect(page.locator("#routing-proposal")).to_contain_text("建议")
    expect(page.locator("#routing-proposal")).to_contain_text("组通字〔1987〕33号《纪要》")
    page.screenshot(path=str(tmp_path / "register-done.png"), full_page=True)
    petition = Petition.objects.get(case=letter_case)
    assert petition.respondents.get().cadre == tree.county_bureau_chief
    assert [a.original_name for a in petition.attachments.all()] == ["来信.pdf"]
    assert elapsed < 60, f"an ordinary letter took {elapsed:.0f} s"

    # --- a visit: the interview part appears with the channel --------------------------------
    page.get_by_role("link", name="继续登记").click()
    expect(page).to_have_title("登记来信来访 · 信访案件管理系统")
    page.get_by_label("来访", exact=True).check()
    expect(page.locator("#interview")).to_be_visible()
    page.fill("#id_p-0-name", "李秀英")
    page.fill("#id_summary", "要求落实职级待遇")
    page.fill("#id_content", "本人退休前职级待遇未落实，要求按政策解决。")
    page.select_option("#id_category", "personal_request")
    page.select_option("#id_nature", "request")
    expect(page.locator("#concerned-cadre")).to_be_visible()
    page.fill("#id_statement", "退休前职级待遇未落实")
    page.fill("#id_requests", "按政策落实待遇")
    page.fill("#id_answer", "登记在案，依规办理后答复")
    page.screenshot(path=str(tmp_path / "register-visit.png"), full_page=True)
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page).to_have_title("登记完成 · 信访案件管理系统")
    visit = Interview.objects.get()
    assert visit.petition.channel == "visit"
    assert list(visit.receivers.all()) == [user]
    expect(page.locator("#case-number")).to_have_text(visit.petition.case.number)
    assert problems == []
