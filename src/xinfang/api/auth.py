"""Who is calling: a personal API token (machine clients) or the signed-in session (the
pages' own calls, with CSRF on writes). docs/api.md, "Authentication".

A request with an `Authorization: Bearer …` header is judged by the token alone: an unknown,
expired or revoked token answers 401, never falling back to the session. Without the
header, the session decides; a write (POST and other unsafe methods) then also needs the
CSRF token (`X-CSRFToken` header), as a page's form does. Either way the user must be
active and belong to a department, as for the pages (web.views.common.staff_page).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from xinfang.api.errors import ApiError
from xinfang.api.tokens import token_user
from xinfang.orgs.models import User

NO_DEPARTMENT = "您的账号不属于任何部门，不能办理信访业务。"


def _staff(user: Any) -> User:
    if not isinstance(user, User) or not user.is_active:
        raise AuthenticationError()
    if user.department_id is None:
        raise ApiError(403, "forbidden", NO_DEPARTMENT)
    return user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer xf_…`: a personal API token (api/tokens.py)."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = token_user(token.strip())
        if user is None:
            raise AuthenticationError()
        return _staff(user)


class SessionAuth(APIKeyCookie):
    """The signed-in session of the pages, with Django's CSRF check on writes. Unlike
    ninja's own SessionAuth it checks the session first, so a caller with neither session
    nor token gets 401, not a CSRF refusal."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # csrf=True tells the docs page (Swagger UI) to send the CSRF token; the check
        # itself is made below, after the session.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not request.user.is_authenticated:
            return None
        user = _staff(request.user)
        if check_csrf(request) is not None:
            raise ApiError(403, "forbidden", "页面已过期（CSRF 校验未通过），请刷新页面后重试。")
        return user


def api_user(request: HttpRequest) -> User:
    """The user `request` was authenticated as (by token or session)."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user
