"""Fixtures for the configuration audit log: an administrator and a superuser with names the
tests' expected rows spell out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.admin.conftest import login as login  # the admin tests' signed-in client
from tests.orgtree import Tree
from xinfang.configlog.models import ConfigChange
from xinfang.orgs.models import User
from xinfang.orgs.services import staff_create


@pytest.fixture
def sysadmin(tree: Tree) -> User:
    return staff_create(
        username="wangli",
        full_name="王立",
        department=tree.city_org,
        roles=["administrator"],
        is_staff=True,
    )


@pytest.fixture
def root(tree: Tree) -> User:
    return User.objects.create_superuser(username="root", password="x", full_name="赵总管")


def only_row(**lookup: Any) -> ConfigChange:
    """The one row written for a model since the fixtures (which log as 系统)."""
    rows = list(ConfigChange.objects.filter(actor__isnull=False, **lookup))
    assert len(rows) == 1, [(r.object_repr, r.action, r.changes) for r in rows]
    return rows[0]


def logged_by_people() -> int:
    """Rows written by a signed-in person (the fixtures' own creations are the system's)."""
    return ConfigChange.objects.filter(actor__isnull=False).count()
