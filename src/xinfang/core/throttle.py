"""Login throttling (design.md, Security) on top of django-axes: two limits instead of one.

django-axes counts failures under each of AXES_LOCKOUT_PARAMETERS (here: account+address, and
address alone) but compares all of them with one AXES_FAILURE_LIMIT. An office behind one NAT
address needs a higher limit for the address than for one account, so this handler scales
each count by its own limit before axes compares: the address's count is reported as
count * AXES_FAILURE_LIMIT // XINFANG_LOGIN_ADDRESS_FAILURE_LIMIT, which reaches
AXES_FAILURE_LIMIT exactly when the count reaches the address limit.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler  # type: ignore[import-untyped]
from axes.helpers import (  # type: ignore[import-untyped]
    get_client_username,
    get_failure_limit,
    get_lockout_parameters,
)
from axes.models import AccessAttempt  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

ADDRESS = "ip_address"


class LoginThrottleHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no types
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        base = get_failure_limit(request, credentials)
        address_limit: int = settings.XINFANG_LOGIN_ADDRESS_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        # One queryset per lockout parameter, in the same order, within the cool-off window.
        attempts_list = self.get_user_attempts(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            limit = address_limit if parameter == ADDRESS else base
            worst = max(worst, int(count) * base // limit)
        return worst

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """After a successful login clear only that account's failures from that address:
        axes would clear every row of the address, so a sprayer with one account of their
        own could reset the address count by logging in."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username,
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return int(count)


def client_address(request: HttpRequest) -> str | None:
    """The browser's address. Behind a trusted reverse proxy (XINFANG_BEHIND_PROXY) it is the
    last entry of X-Forwarded-For, the one the proxy appended; earlier entries come from the
    client and may be forged. Otherwise the connection's address."""
    remote: str | None = request.META.get("REMOTE_ADDR")
    if not settings.XINFANG_BEHIND_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote
