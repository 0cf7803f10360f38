"""django-axes' admin pages (登录保护: failure counts, the login log, failures) read Chinese:
its words from the project's catalogue (locale/zh_Hans), its section's name from
core/admin.py: AxesConfig, its two method columns and its records' titles from the admin
site's wrapper (core/admin.py)."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # type: ignore[import-untyped]
from django.test import Client
from django.utils import timezone

from tests.orgtree import Tree
from xinfang.orgs.models import User

# Every English word these pages showed before (django-axes ships no Chinese).
ENGLISH = (
    "Axes",
    "Access attempt",
    "access attempt",
    "Access failure",
    "access failure",
    "Access log",
    "access log",
    "Access lock out",
    "Attempt Time",
    "Attempted Access",
    "Clean up expired attempts",
    "Failed Logins",
    "Failed access",
    "Form Data",
    "GET Data",
    "HTTP Accept",
    "IP Address",
    "Locked Out",
    "Logout Time",
    "Meta Data",
    "POST Data",
    "Path",
    "Status",
    "User Agent",
    "Username",
    "locked out on",
    "Model name",
    "Add link",
    "Change or view list link",
)


def visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def admin_client(tree: Tree) -> Client:
    root = User.objects.create_superuser(
        username="root", password="x", department=tree.prov_org, full_name="管理员"
    )
    client = Client()
    client.force_login(root)
    return client


def test_the_login_protection_pages_read_chinese(admin_client: Client) -> None:
    now = timezone.now()
    common = {
        "username": "zhangsan",
        "ip_address": "10.0.0.8",
        "user_agent": "ua",
        "path_info": "/login/",
        "http_accept": "*/*",
        "attempt_time": now,
    }
    attempt = AccessAttempt.objects.create(
        **common, get_data="", post_data="", failures_since_start=6
    )
    log = AccessLog.objects.create(**common)
    failure = AccessFailureLog.objects.create(**common, locked_out=True)
    pages = {
        "/admin/": ["登录保护", "登录失败计数", "登录日志", "登录失败记录"],
        "/admin/axes/": ["登录保护"],
        "/admin/axes/accessattempt/": ["时间", "IP 地址", "用户名", "失败次数", "状态", "已锁定"],
        f"/admin/axes/accessattempt/{attempt.pk}/change/": ["表单数据", "请求信息", "查询参数"],
        "/admin/axes/accesslog/": ["退出时间", "访问路径", "浏览器标识"],
        f"/admin/axes/accesslog/{log.pk}/change/": ["浏览器接受的内容类型"],
        "/admin/axes/accessfailurelog/": ["是否导致锁定"],
        f"/admin/axes/accessfailurelog/{failure.pk}/change/": ["用户名"],
    }
    for url, words in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        assert [w for w in ENGLISH if w in text] == [], url
        assert [w for w in words if w not in text] == [], url
    # A record's own title (django-axes' __str__ is English): who, from where, when.
    local = timezone.localtime(now)
    title = f"zhangsan，IP 地址 10.0.0.8，{local:%Y-%m-%d %H:%M}"
    body = admin_client.get(f"/admin/axes/accessattempt/{attempt.pk}/change/").content.decode()
    assert f"&rsaquo; {title}" in body
    assert f"<h2>{title}</h2>" in body
