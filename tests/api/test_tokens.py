"""Personal API tokens: shown once, stored hashed, expiring, revocable; 401 JSON otherwise."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.builders import at
from tests.orgtree import Tree
from xinfang.api.models import ApiToken
from xinfang.api.tokens import token_create, token_revoke
from xinfang.core.errors import RuleViolation

UNAUTHORIZED = {
    "code": "unauthorized",
    "rules": [],
    "message": "请先登录，或提供有效的接口令牌（令牌可能已过期或已吊销）。",
    "fields": {},
}


def _me(secret: str) -> tuple[int, dict[str, object]]:
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    return response.status_code, response.json()


def test_the_token_is_shown_once_and_stored_only_as_its_sha256(tree: Tree) -> None:
    new = token_create(user=tree.city_staff, name="档案系统同步", days=30)
    assert new.secret.startswith("xf_") and len(new.secret) == 3 + 43
    row = ApiToken.objects.get(pk=new.token.pk)
    assert row.secret_hash == hashlib.sha256(new.secret.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=row.pk).values().get().values()]
    assert new.secret not in stored
    assert row.expires_at - row.created_at == dt.timedelta(days=30)
    assert _me(new.secret) == (
        200,
        {
            "id": tree.city_staff.pk,
            "username": "city",
            "name": str(tree.city_staff),
            "department": {"id": tree.city_org.pk, "name": "临江市委组织部"},
            "roles": ["registrar", "handler", "leader"],
        },
    )
    assert ApiToken.objects.get(pk=row.pk).last_used_at is not None


def test_the_last_use_is_recorded_to_the_minute(tree: Tree) -> None:
    with at(2026, 3, 2, hour=9):
        new = token_create(user=tree.city_staff, name="x")
        assert _me(new.secret)[0] == 200
    first = ApiToken.objects.get(pk=new.token.pk).last_used_at
    assert first == timezone.make_aware(dt.datetime(2026, 3, 2, 9))
    with at(2026, 3, 2, hour=9):  # the same minute: not written again
        assert _me(new.secret)[0] == 200
    with at(2026, 3, 2, hour=10):
        assert _me(new.secret)[0] == 200
    assert ApiToken.objects.get(pk=new.token.pk).last_used_at == timezone.make_aware(
        dt.datetime(2026, 3, 2, 10)
    )


def test_a_token_needs_a_purpose_and_an_expiry_of_at_most_a_year(tree: Tree) -> None:
    with pytest.raises(RuleViolation, match="有效期须为1至365天"):
        token_create(user=tree.city_staff, name="x", days=366)
    with pytest.raises(RuleViolation, match="有效期须为1至365天"):
        token_create(user=tree.city_staff, name="x", days=0)
    with pytest.raises(RuleViolation, match="令牌用途不能为空"):
        token_create(user=tree.city_staff, name=" ", days=10)
    token_create(user=tree.city_staff, name="x", days=365)


def test_an_expired_token_answers_401_json(tree: Tree) -> None:
    with at(2026, 1, 1):
        new = token_create(user=tree.city_staff, name="x", days=10)
    with at(2026, 1, 10, hour=23):  # 9 days and 13 hours later: still valid
        assert _me(new.secret)[0] == 200
    with at(2026, 1, 11, hour=10):  # exactly 10 days: expired
        assert _me(new.secret) == (401, UNAUTHORIZED)


def test_a_revoked_token_answers_401_json(tree: Tree) -> None:
    new = token_create(user=tree.city_staff, name="x")
    assert _me(new.secret)[0] == 200
    token_revoke(token=new.token)
    assert _me(new.secret) == (401, UNAUTHORIZED)


def test_unknown_tokens_and_no_credentials_answer_401_json(tree: Tree) -> None:
    new = token_create(user=tree.city_staff, name="x")
    assert _me(new.secret + "x") == (401, UNAUTHORIZED)
    assert _me("xf_" + "A" * 43) == (401, UNAUTHORIZED)
    assert _me("") == (401, UNAUTHORIZED)
    response = Client().get("/api/cases")
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_a_bad_token_never_falls_back_to_the_session(tree: Tree) -> None:
    client = Client()
    client.force_login(tree.city_staff)
    assert client.get("/api/me").status_code == 200
    response = client.get("/api/me", headers={"Authorization": "Bearer xf_wrong"})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_a_disabled_account_s_token_answers_401(tree: Tree) -> None:
    new = token_create(user=tree.city_staff, name="x")
    type(tree.city_staff).objects.filter(pk=tree.city_staff.pk).update(is_active=False)
    assert _me(new.secret) == (401, UNAUTHORIZED)


def test_the_command_creates_lists_and_revokes(tree: Tree) -> None:
    stdout = StringIO()
    call_command(
        "api_token", "create", "city", "--name", "档案系统同步", "--days", "30", stdout=stdout
    )
    lines = stdout.getvalue().splitlines()
    secret = lines[-1]
    assert secret.startswith("xf_")
    assert "令牌只显示这一次" in stdout.getvalue()
    assert _me(secret)[0] == 200
    token = ApiToken.objects.get()
    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "档案系统同步" in listing.getvalue() and "有效" in listing.getvalue()
    assert secret not in listing.getvalue()
    call_command("api_token", "revoke", str(token.pk), stdout=StringIO())
    assert _me(secret)[0] == 401
    listing = StringIO()
    call_command("api_token", "list", "city", stdout=listing)
    assert "已吊销" in listing.getvalue()
    with pytest.raises(CommandError, match="没有登录名为“nobody”的工作人员"):
        call_command("api_token", "create", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="有效期须为1至365天"):
        call_command("api_token", "create", "city", "--name", "x", "--days", "400")
    assert timezone.now() < ApiToken.objects.get(pk=token.pk).expires_at
