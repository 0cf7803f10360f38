"""The NinjaAPI of xinfang, mounted at /api/ (xinfang/urls.py); docs at /api/docs."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from xinfang.api import reads, search, writes
from xinfang.api.auth import SessionAuth, TokenAuth
from xinfang.api.errors import install_handlers


class ChineseJSONRenderer(JSONRenderer):
    """JSON with Chinese as Chinese (not \\uXXXX escapes)."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False)


api = NinjaAPI(
    title="信访案件管理系统数据接口",
    version="1",
    # Read by the integrators of other offices: in Chinese, pointing to nothing outside
    # the page (the engineers' reference is docs/api.md).
    description=(
        "信访案件管理系统的数据接口。以个人令牌（请求头 Authorization: Bearer 令牌）或已登录的"
        "会话调用；列表分页返回总数；写操作可带 Idempotency-Key 请求头，重复提交只办理一次；"
        "出错时返回统一格式的中文说明。"
    ),
    auth=[TokenAuth(), SessionAuth()],
    renderer=ChineseJSONRenderer(),
    urls_namespace="api",
    # The docs are for staff: signed in, as for every page.
    docs_decorator=login_required,
)
install_handlers(api)
api.add_router("", reads.router)
api.add_router("", search.router)
api.add_router("", writes.router)
