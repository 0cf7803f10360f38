from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.orgtree import Tree
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


def new_staff_form(tree: Tree) -> dict[str, object]:
    """The admin's add-staff form for 张敏 (白沙县委组织部, 登记员 and 承办人)."""
    return {
        "username": "zhangmin",
        "full_name": "张敏",
        "department": tree.baisha_org.pk,
        "petition_duty": "full_time",
        "usable_password": "true",
        "password1": "Xinfang-2024-pass",
        "password2": "Xinfang-2024-pass",
        "staff_roles-TOTAL_FORMS": "2",
        "staff_roles-INITIAL_FORMS": "0",
        "staff_roles-0-role": "registrar",
        "staff_roles-1-role": "handler",
    }
