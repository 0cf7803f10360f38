"""Shared pieces of the browser tests: Debian's Chromium, loopback only, signed-in desks.

The browser is Debian's Chromium (/usr/bin/chromium), never a downloaded one; every request
not to 127.0.0.1 is aborted, and console errors, page errors and blocked requests are
collected for the test to assert empty. A missing browser fails the test: a skipped browser
test would hide broken pages.

Screenshots: `Desk.shot(name)` saves into one folder per run under pytest's tmp dir (its
path is printed at the end of the run). With `XINFANG_SCREENSHOTS=<folder>` set, the shots
named in `DOC_SHOTS` are also copied there; the guides' images are made this way:

    XINFANG_SCREENSHOTS=docs/screenshots env -u DATABASE_URL \\
        .venv/bin/pytest -q -m e2e tests/e2e/test_flows_browser.py -p no:cacheprovider
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.onscreen import ASCII_WORD, RAW_CODES, RULE_ID
from xinfang.orgs.models import Department, User
from xinfang.orgs.services import staff_create

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Xinfang-e2e-pass"
VIEWPORT = {"width": 1280, "height": 900}

# Shots copied into $XINFANG_SCREENSHOTS (the guides in docs/guide/ embed them).
DOC_SHOTS = frozenset(
    {
        "workbench-registrar",
        "workbench-handler",
        "workbench-leader",
        "workbench-supervisor",
        "workbench-admin",
        "admin-index",
        "register-letter",
        "register-done",
        "register-anonymous",
        "queue-to-read",
        "case-registered",
        "case-handling-below",
        "flow-read",
        "flow-assign-down",
        "flow-handle-here",
        "flow-submit-closure-refused",
        "flow-approve-closure",
        "flow-accept-report",
        "flow-refer-refused",
        "flow-raise-objection",
        "flow-decide-objection",
        "case-closure-returned",
        "case-archived",
        "supervision",
        "supervision-cases",
        "document-dossier",
        "document-letter",
        "longterm-register",
        "warning-announced",
    }
)


def shots_dir(factory: pytest.TempPathFactory) -> Path:
    return factory.getbasetemp() / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread, and Django then refuses ORM
    # calls here (async-safety check); allowed while this module's browser runs only.
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(apt-get install -y chromium); browsers are not downloaded by the tests."
        )
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield launched
            finally:
                launched.close()


WORKBENCH = "工作台 · 信访案件管理系统"


class Desk:
    """One person signed in, in a browser context of their own, on one page.

    Signing in is checked on the way: `start` (the workbench unless told) first asks for
    the sign-in page, then opens with `title` (None: the caller checks where it landed)."""

    def __init__(
        self,
        browser: Any,
        base: str,
        user: User,
        problems: list[str],
        shots: Path,
        locale: str = "zh-CN",
        *,
        start: str = "/",
        title: str | None = WORKBENCH,
        viewport: dict[str, int] = VIEWPORT,
        timeout: int = 8000,
    ):
        from playwright.sync_api import ConsoleMessage, Route, expect

        self.user = user
        self.base = base
        self.shots = shots
        self.problems = problems
        # The browser's language (an office machine may be set up in English).
        self.context = browser.new_context(locale=locale, viewport=viewport)
        self.page = page = self.context.new_page()

        def only_local(route: Route) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                problems.append(f"blocked request: {route.request.url}")
                route.abort()

        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                problems.append(f"console ({user.username}, {page.url}): {msg.text}")

        page.route("**/*", only_local)
        page.on("console", on_console)
        page.on("pageerror", lambda exc: problems.append(f"page error ({page.url}): {exc}"))
        page.set_default_timeout(timeout)
        page.goto(base + start)
        expect(page).to_have_title("登录 · 信访案件管理系统")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        if title is not None:
            expect(page).to_have_title(title)
        if start == "/":
            expect(page.locator(".who")).to_contain_text(str(user))

    def goto(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.check_clean()
        return self.page

    def check_clean(self) -> None:
        """No rule ID and no raw code in what the page shows (issue 9)."""
        text = self.page.locator("body").inner_text()
        assert not RULE_ID.search(text), f"rule ID on {self.page.url}: {RULE_ID.findall(text)}"
        raw = {w for w in ASCII_WORD.findall(text) if w.lower() in RAW_CODES}
        assert not raw, f"raw codes on {self.page.url}: {sorted(raw)}"

    def home(self) -> Any:
        return self.goto("/")

    def queue_count(self, key: str) -> int:
        """The count on the workbench card of queue `key` (the workbench must be open)."""
        return int(self.page.locator(f".queue-card[data-queue='{key}'] .queue-count").inner_text())

    def shot(self, name: str) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        target = os.environ.get("XINFANG_SCREENSHOTS")
        if target and name in DOC_SHOTS:
            Path(target).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(target) / path.name)

    def close(self) -> None:
        self.context.close()


class Office:
    """Opens desks for the people of one test, all in one browser; collects their problems."""

    def __init__(self, browser: Any, base: str, shots: Path) -> None:
        self.browser = browser
        self.base = base
        self.shots = shots
        self.problems: list[str] = []
        self.desks: list[Desk] = []

    def person(self, username: str, full_name: str, dept: Department, *roles: str) -> User:
        user = staff_create(username=username, full_name=full_name, department=dept, roles=roles)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        return user

    def signs_in(self, user: User) -> User:
        """An existing account (of the test's tree) given the desks' password."""
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        return user

    def desk(self, user: User, locale: str = "zh-CN", **sign_in: Any) -> Desk:
        """`sign_in`: where the desk starts and what it expects there (see `Desk`)."""
        desk = Desk(self.browser, self.base, user, self.problems, self.shots, locale, **sign_in)
        self.desks.append(desk)
        return desk

    def forgive(self, expected: str) -> None:
        """Drop the console errors the test caused on purpose (a refused form's status)."""
        self.problems[:] = [p for p in self.problems if expected not in p]

    def close(self) -> None:
        for desk in self.desks:
            desk.close()


@pytest.fixture
def office(
    browser: Any,
    live_server: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Office]:
    base = str(live_server.url).replace("localhost", "127.0.0.1")
    office = Office(browser, base, shots_dir(tmp_path_factory))
    try:
        yield office
    finally:
        office.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    factory = getattr(terminalreporter.config, "_tmp_path_factory", None)
    if factory is None:
        return
    folder = shots_dir(factory)
    if folder.exists():
        terminalreporter.write_line(f"browser screenshots: {folder}")
        target = os.environ.get("XINFANG_SCREENSHOTS")
        if target:
            terminalreporter.write_line(f"guide screenshots copied to: {target}")
