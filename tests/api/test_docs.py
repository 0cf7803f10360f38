"""/api/docs works under the site's Content-Security-Policy: Swagger UI from django-ninja's
own static files, no inline script, no external URL."""

from __future__ import annotations

import re

from django.test import Client

from tests.orgtree import Tree


def test_the_docs_page_loads_only_local_assets_and_no_inline_script(tree: Tree) -> None:
    client = Client()
    client.force_login(tree.city_staff)
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(?:src|href)=[\"']?(?:https?:)?//", html), "an external URL"
    # No CDN named anywhere but in the page's random CSRF token (which may spell "cdn": it
    # failed a CI run once).
    assert "cdn" not in re.sub(r'csrf[^"]*"[^"]*"', "", html).lower()
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui-init.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    # Every <script> either loads a file or is a JSON data block (not run by the browser).
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        if "src=" in attrs:
            assert not body.strip()
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src" not in csp or "'unsafe-inline'" not in csp.split("script-src")[1]
    # The schema the page loads.
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/cases/{case_id}/actions/read" in schema.json()["paths"]


def test_the_docs_are_for_signed_in_staff(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_docs_introduce_the_api_in_chinese(tree: Tree) -> None:
    """The page's heading and introduction are read by the integrators of other offices: in
    Chinese, naming no file of the repository (a newcomer's crawl found "xinfang JSON API:
    docs/api.md")."""
    client = Client()
    client.force_login(tree.city_staff)
    info = client.get("/api/openapi.json").json()["info"]
    assert info["title"] == "信访案件管理系统数据接口"
    assert info["description"].startswith("信访案件管理系统的数据接口")
    assert "docs/" not in info["description"] and "JSON API" not in info["description"]
