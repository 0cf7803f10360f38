"""Query budgets for the admin lists (NetBox, Zulip habit): the count must not grow with
the number of rows. Measured on SQLite and PostgreSQL alike: case list 9 queries, petition
list 11 (2 for the date bar), user list 6 -- for 1 row or 30."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.admin.conftest import Login
from tests.builders import register
from tests.orgtree import Tree
from xinfang.orgs.models import User
from xinfang.orgs.services import staff_create

CASE_LIST_BUDGET = 10
PETITION_LIST_BUDGET = 12
USER_LIST_BUDGET = 10


def count_queries(login: Login, user: User, url: str) -> int:
    client = login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_case_and_petition_lists_with_30_cases(
    tree: Tree, login: Login, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    url = reverse("admin:cases_case_changelist")
    petitions = reverse("admin:petitions_petition_changelist")
    register(tree.county_staff)
    with_one = count_queries(login, tree.county_staff, url)
    petitions_with_one = count_queries(login, tree.county_staff, petitions)
    for i in range(29):
        register(tree.county_staff, summary=f"反映第{i}号问题")
    client = login(tree.county_staff)
    with django_assert_max_num_queries(CASE_LIST_BUDGET):
        response = client.get(url)
    assert response.context["cl"].result_count == 30
    assert count_queries(login, tree.county_staff, url) == with_one
    with django_assert_max_num_queries(PETITION_LIST_BUDGET):
        response = client.get(petitions)
    assert response.context["cl"].result_count == 30
    assert count_queries(login, tree.county_staff, petitions) == petitions_with_one


def test_user_list_with_30_users(
    tree: Tree, login: Login, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    url = reverse("admin:orgs_user_changelist")
    root = User.objects.create_superuser(username="root", password="x")
    with_few = count_queries(login, root, url)
    for i in range(30):
        staff_create(
            username=f"staff{i}",
            full_name=f"工作人员{i}",
            department=tree.county_org,
            roles=["registrar", "handler"],
        )
    client = login(root)
    with django_assert_max_num_queries(USER_LIST_BUDGET):
        response = client.get(url)
    page = response.content.decode()
    assert "登记员、承办人" in page and "河口县委组织部" in page
    assert count_queries(login, root, url) == with_few
