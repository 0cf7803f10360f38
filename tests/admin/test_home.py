from __future__ import annotations

import re

from django.test import Client


def test_home_page_is_chinese_and_self_contained(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>信访案件管理系统</title>" in page
    assert '<a class="login" href="/admin/">登录</a>' in page
    # CSP is default-src 'self': nothing may come from elsewhere.
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "default-src 'self'" in response["Content-Security-Policy"]
