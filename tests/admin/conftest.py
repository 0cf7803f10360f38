from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from xinfang.orgs.models import User

Login = Callable[[User], Client]


@pytest.fixture
def login(client: Client) -> Login:
    """Log `user` in to the admin. Admin access needs is_staff, which an administrator sets
    when opening an account; set here the same way."""

    def _login(user: User) -> Client:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        client.force_login(user)
        return client

    return _login
