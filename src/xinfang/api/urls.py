"""/api/: the NinjaAPI's own URL patterns (namespace "api"), and JSON answers for what
django-ninja leaves to Django: an unknown path (Django's HTML 404 page) and a known path
asked with the wrong method (ninja's plain-text 405). Both answer the API's error shape
(docs/api.md, "Errors")."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path

from xinfang.api.api import api
from xinfang.api.errors import body

UNKNOWN_PATH = "请求的接口不存在，请核对地址（接口说明见 /api/docs）。"
View = Callable[..., HttpResponse]


def _json(status: int, data: dict[str, Any]) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def method_not_allowed(request: HttpRequest, response: HttpResponse) -> JsonResponse:
    allowed = response.get("Allow", "")
    message = f"该地址不支持 {request.method} 请求（可用：{allowed or '无'}）。"
    answer = _json(405, body("method_not_allowed", message))
    answer["Allow"] = allowed
    return answer


def _json_405(view: View) -> View:
    @functools.wraps(view)  # keeps ninja's csrf_exempt mark: the API checks CSRF itself
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            return method_not_allowed(request, response)
        return response

    return wrapped


def unknown_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any path under /api/ that names no endpoint. (A known path with a malformed id,
    /api/cases/abc, is ninja's: a 422 naming `case_id`.)"""
    return _json(404, body("not_found", UNKNOWN_PATH))


app_name = "api"
urlpatterns = [
    *(
        URLPattern(p.pattern, _json_405(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in api.urls[0]
    ),
    # Last: only what no endpoint above matched.
    re_path(r"^(?P<rest>.*)$", unknown_path, name="unknown"),
]
