"""Production settings come from the environment (settings.py's docstring, README "Running it
for real"): behind HTTPS the cookies are Secure and HSTS is sent, sessions last a working
day, and Django's deployment check is clean for the documented production environment."""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import xinfang

SETTINGS_FILE = Path(xinfang.__file__).parent / "settings.py"

# Every variable settings.py reads; each test starts from none of them.
VARIABLES = [
    "XINFANG_HOME",
    "DATABASE_URL",
    "XINFANG_SECRET_KEY",
    "XINFANG_DATA_KEY",
    "XINFANG_DEBUG",
    "XINFANG_ALLOWED_HOSTS",
    "XINFANG_HTTPS",
    "XINFANG_HSTS_SECONDS",
    "XINFANG_HSTS_INCLUDE_SUBDOMAINS",
    "XINFANG_HSTS_PRELOAD",
    "XINFANG_SSL_REDIRECT",
    "XINFANG_BEHIND_PROXY",
    "XINFANG_SESSION_HOURS",
    "XINFANG_SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "XINFANG_LOGIN_FAILURE_LIMIT",
    "XINFANG_LOGIN_ADDRESS_FAILURE_LIMIT",
]


def production_env(home: Path, **extra: str) -> dict[str, str]:
    """The production environment README documents."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        XINFANG_HOME=str(home),
        XINFANG_SECRET_KEY=secrets.token_urlsafe(50),
        XINFANG_DATA_KEY="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        XINFANG_ALLOWED_HOSTS="xinfang.example.gov.cn",
        XINFANG_HTTPS="1",
    )
    env.update(extra)
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings",
            "xinfang.settings",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean_for_the_documented_production_environment(
    tmp_path: Path,
) -> None:
    result = deploy_check(production_env(tmp_path))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_deploy_check_warns_for_a_development_environment(tmp_path: Path) -> None:
    # The same check fails where it should: debug on, no HTTPS, a weak key.
    env = production_env(tmp_path, XINFANG_DEBUG="1", XINFANG_SECRET_KEY="short")
    del env["XINFANG_HTTPS"]
    result = deploy_check(env)
    out = result.stderr + result.stdout
    assert result.returncode == 1
    for warning in ("W004", "W008", "W009", "W012", "W016", "W018"):
        assert f"security.{warning}" in out, warning


def test_deploy_check_warns_without_https_even_with_debug_off(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["XINFANG_HTTPS"]
    out = deploy_check(env).stderr
    for warning in ("W004", "W008", "W012", "W016"):
        assert f"security.{warning}" in out, warning


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> ModuleType:
    """A fresh copy of settings.py read under `env` (Django's own settings are untouched)."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path))
    monkeypatch.setenv("XINFANG_SECRET_KEY", secrets.token_urlsafe(50))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_https_turns_on_secure_cookies_hsts_and_redirect(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = load_settings(monkeypatch, tmp_path, XINFANG_HTTPS="1")
    assert s.SESSION_COOKIE_SECURE is True
    assert s.CSRF_COOKIE_SECURE is True
    assert s.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert s.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert s.SECURE_HSTS_PRELOAD is True
    assert s.SECURE_SSL_REDIRECT is True
    # Trusting X-Forwarded-Proto is only safe behind a proxy that sets it: off by default.
    assert s.SECURE_PROXY_SSL_HEADER is None


def test_without_https_nothing_claims_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = load_settings(monkeypatch, tmp_path)
    assert s.SESSION_COOKIE_SECURE is False
    assert s.CSRF_COOKIE_SECURE is False
    assert s.SECURE_HSTS_SECONDS == 0
    assert s.SECURE_SSL_REDIRECT is False


def test_https_parts_can_each_be_turned_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = load_settings(
        monkeypatch,
        tmp_path,
        XINFANG_HTTPS="1",
        XINFANG_HSTS_SECONDS="3600",
        XINFANG_HSTS_INCLUDE_SUBDOMAINS="0",
        XINFANG_HSTS_PRELOAD="0",
        XINFANG_SSL_REDIRECT="0",
        XINFANG_BEHIND_PROXY="1",
    )
    assert s.SECURE_HSTS_SECONDS == 3600
    assert s.SECURE_HSTS_INCLUDE_SUBDOMAINS is False
    assert s.SECURE_HSTS_PRELOAD is False
    assert s.SECURE_SSL_REDIRECT is False
    assert s.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s.SESSION_COOKIE_SECURE is True


def test_session_lasts_a_working_day_and_ends_with_the_browser(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = load_settings(monkeypatch, tmp_path)
    assert s.SESSION_COOKIE_AGE == 9 * 3600
    assert s.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    s = load_settings(
        monkeypatch,
        tmp_path,
        XINFANG_SESSION_HOURS="4",
        XINFANG_SESSION_EXPIRE_AT_BROWSER_CLOSE="0",
    )
    assert s.SESSION_COOKIE_AGE == 4 * 3600
    assert s.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("XINFANG_HTTPS", "maybe"),
        ("XINFANG_SESSION_HOURS", "nine"),
        ("XINFANG_SESSION_HOURS", "0"),
        ("XINFANG_HSTS_SECONDS", "-1"),
        ("XINFANG_LOGIN_ADDRESS_FAILURE_LIMIT", "many"),
    ],
)
def test_a_mistyped_variable_stops_the_start_with_its_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    # A typo must not silently leave HTTPS protections off or sessions endless.
    with pytest.raises(RuntimeError, match=name):
        load_settings(monkeypatch, tmp_path, **{name: value})
