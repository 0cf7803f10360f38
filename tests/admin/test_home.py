from __future__ import annotations

import re

from django.test import Client

from tests.clients import staff_client
from tests.orgtree import Tree


def test_signing_in_is_a_chinese_self_contained_page(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"
    page = client.get("/login/").content.decode()
    assert "<title>登录 · 信访案件管理系统</title>" in page
    assert "工作人员登录" in page
    # CSP is default-src 'self': nothing may come from elsewhere.
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "default-src 'self'" in client.get("/login/")["Content-Security-Policy"]


def test_the_workbench_names_the_person_and_department(tree: Tree) -> None:
    client = staff_client(tree.city_staff)
    page = client.get("/").content.decode()
    assert f"{tree.city_staff.full_name} · 临江市委组织部" in page
    assert "工作台" in page


def test_the_admin_greets_the_person_by_name_not_login(tree: Tree) -> None:
    client = staff_client(tree.city_staff)
    page = client.get("/admin/").content.decode()
    assert f"{tree.city_staff.full_name}（临江市委组织部）" in page
    assert "#user-tools { text-transform: none;" in page
