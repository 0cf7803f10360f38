"""What every page view needs: the signed-in staff member."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from xinfang.orgs.models import User

View = TypeVar("View", bound=Callable[..., HttpResponse])


def staff_user(request: HttpRequest) -> User:
    """The signed-in, active staff member with a department (checked by `staff_page`)."""
    user = request.user
    assert isinstance(user, User)
    return user


def staff_page(view: View) -> View:
    """Pages are for signed-in staff of a department: anyone else is sent to sign in, and a
    signed-in account without a department gets the Chinese 403 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return redirect_to_login(request.get_full_path())
        if not isinstance(user, User) or user.department_id is None:
            raise PermissionDenied("您的账号不属于任何部门，不能办理信访业务。")
        return view(request, *args, **kwargs)

    return cast(View, wrapped)
