"""What every page view needs: the signed-in staff member."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from xinfang.orgs.models import User

View = TypeVar("View", bound=Callable[..., HttpResponse])

# A refused form submission answers 400 with the form and its Chinese reasons on every page
# (docs/decisions.md, "A refused form answers 400"): tests, logs and htmx can tell a refusal
# from a page shown.
REFUSED = 400


def form_status(form: forms.Form) -> int:
    """The status of a page showing `form`: 400 once a submission was refused, else 200."""
    return REFUSED if form.is_bound and form.errors else 200


class LoginView(auth_views.LoginView):
    """Django's sign-in page, answering a refused sign-in like every other refused form."""

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = REFUSED
        return response


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
            raise PermissionDenied(gettext("您的账号不属于任何部门，不能办理信访业务。"))
        return view(request, *args, **kwargs)

    return cast(View, wrapped)
