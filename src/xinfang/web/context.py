"""What the page header needs on every page: which areas the signed-in user works in."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from xinfang.alerts.selectors import can_see_warnings
from xinfang.orgs.models import Role, User


def navigation(request: HttpRequest) -> dict[str, bool | Callable[[], bool]]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {
        "nav_register": user.has_role(Role.REGISTRAR),
        "nav_supervise": user.has_role(Role.SUPERVISOR),
        "nav_longterm": user.has_role(Role.LEADER) or user.has_role(Role.HANDLER),
        # Leaders and supervisors, and anyone a warning was assigned to (R-REPEAT-5): the
        # assignee records what was done on its page. A callable, which the template calls
        # where it shows the header: the look-up of his assignments is not paid by the
        # pages without it (the admin's).
        "nav_warnings": lambda: can_see_warnings(user),
    }
