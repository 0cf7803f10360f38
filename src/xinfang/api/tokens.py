"""Personal API tokens (issue 9): created, revoked and checked here alone.

A token is `xf_` followed by 43 URL-safe characters (32 random bytes). Only its SHA-256 is
stored; the token itself is returned once, by `token_create`, and cannot be shown again.
Checking a token hashes what the client sent and looks the digest up (the digest column is
unique and indexed); the stored and computed digests are then compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xinfang.api.models import ApiToken
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User

PREFIX = "xf_"
MAX_DAYS = 365
DEFAULT_DAYS = 90
LAST_USED_PRECISION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user: User, name: str, days: int = DEFAULT_DAYS) -> NewToken:
    """A new token for `user`, valid for `days` (1 to 365) days. The secret is in the
    returned value only."""
    errors = []
    if not name.strip():
        errors.append("令牌用途不能为空。")
    if not 1 <= days <= MAX_DAYS:
        errors.append(f"有效期须为1至{MAX_DAYS}天。")
    if not user.is_active:
        errors.append("该账号已停用，不能发放令牌。")
    if user.department_id is None:
        errors.append("该账号不属于任何部门，不能发放令牌。")
    if errors:
        raise RuleViolation(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[: len(PREFIX) + 6],
        secret_hash=_digest(secret),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    return NewToken(token=token, secret=secret)


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke `token` at once; revoking twice keeps the first time."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def token_user(secret: str) -> User | None:
    """The active user a valid token belongs to, or None: unknown, expired, revoked, or the
    account disabled. Records the token's last use (to the minute)."""
    if not secret.startswith(PREFIX):
        return None
    digest = _digest(secret)
    token = ApiToken.objects.select_related("user").filter(secret_hash=digest).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    # The last use to the minute: a client polling every second does not write every time.
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def tokens_of(user: User | None = None) -> list[ApiToken]:
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-pk")
    if user is not None:
        tokens = tokens.filter(user=user)
    return list(tokens)
