"""Every error of the API as one JSON shape (docs/api.md, "Errors"):

    {"code": "rule_violation", "rules": ["R-ROUTE-3"], "message": "…（依据：…）。",
     "fields": {"summary": ["此项必填。"]}}

`code` is a stable machine code, `rules` the rule IDs concerned (for machines), `message`
Chinese text for people with every rule ID turned into the notice's words
(`core.citations.on_screen`), `fields` the Chinese problems of each input field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from xinfang.core.citations import on_screen
from xinfang.core.errors import RuleViolation

NOT_FOUND_MESSAGE = "案件不存在或无权查看"
UNAUTHORIZED_MESSAGE = "请先登录，或提供有效的接口令牌（令牌可能已过期或已吊销）。"
VALIDATION_MESSAGE = "提交的内容有误，请按各项提示修改。"

_RULE_ID = re.compile(r"R-[A-Z]+-\d+")


class ApiError(Exception):
    """An error answered as is: its status, code, Chinese message, rules and fields."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        rules: Sequence[str] = (),
        fields: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.rules = list(rules)
        self.fields = dict(fields or {})


def field_error(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", VALIDATION_MESSAGE, fields={field: [message]})


def body(
    code: str,
    message: str,
    *,
    rules: Iterable[str] = (),
    fields: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    return {
        "code": code,
        "rules": sorted(set(rules)),
        "message": on_screen(message),
        "fields": {k: [on_screen(m) for m in v] for k, v in (fields or {}).items()},
    }


def rule_violation_body(exc: RuleViolation) -> dict[str, Any]:
    """A refusal: its rules (named in `.rules` or in its messages) and its messages in the
    notice's words."""
    rules = set(exc.rules)
    for message in exc.messages:
        rules.update(_RULE_ID.findall(message))
    return body("rule_violation", "；".join(exc.messages), rules=rules)


# Chinese words for pydantic's error types (https://docs.pydantic.dev/latest/errors/).
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "此项必填。",
    "string_type": "须为文字。",
    "string_too_long": "内容过长。",
    "string_too_short": "内容过短。",
    "int_type": "须为整数。",
    "int_parsing": "须为整数。",
    "int_from_float": "须为整数。",
    "bool_type": "须为是或否（true 或 false）。",
    "bool_parsing": "须为是或否（true 或 false）。",
    "date_type": "须为日期（年-月-日）。",
    "date_parsing": "须为日期（年-月-日）。",
    "date_from_datetime_parsing": "须为日期（年-月-日）。",
    "date_from_datetime_inexact": "须为日期（年-月-日），不带时间。",
    "datetime_type": "须为日期和时间。",
    "datetime_parsing": "须为日期和时间。",
    "datetime_from_date_parsing": "须为日期和时间。",
    "enum": "不是可选的值。",
    "literal_error": "不是可选的值。",
    "list_type": "须为列表。",
    "dict_type": "须为对象。",
    "model_type": "须为对象。",
    "model_attributes_type": "须为对象。",
    "json_invalid": "请求内容不是有效的 JSON。",
    "greater_than_equal": "数值过小。",
    "greater_than": "数值过小。",
    "less_than_equal": "数值过大。",
    "less_than": "数值过大。",
    "too_long": "项目过多。",
    "too_short": "项目过少。",
    "extra_forbidden": "不是可接受的字段。",
}


def _field_name(loc: Sequence[Any]) -> str:
    """("body", "payload", "petitioners", 0, "name") -> "petitioners.0.name";
    ("query", "limit") -> "limit"; the body as a whole -> "body"."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    if parts and parts[0] == "payload":  # every body parameter is named payload
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def validation_fields(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        message = _PYDANTIC_MESSAGES.get(str(error.get("type", "")), "格式不正确。")
        fields.setdefault(_field_name(error.get("loc", ())), []).append(message)
    return fields


_HTTP_CODES = {
    400: ("bad_request", "请求有误。"),
    401: ("unauthorized", UNAUTHORIZED_MESSAGE),
    403: ("forbidden", "没有权限，或页面已过期（CSRF 校验未通过），请刷新后重试。"),
    404: ("not_found", NOT_FOUND_MESSAGE),
    405: ("method_not_allowed", "不支持该请求方法。"),
    409: ("conflict", "请求与当前状态冲突，请稍后重试。"),
    429: ("throttled", "请求过于频繁，请稍后再试。"),
}


def install_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, data: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, data, status=status)

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(
            request, exc.status, body(exc.code, exc.message, rules=exc.rules, fields=exc.fields)
        )

    @api.exception_handler(RuleViolation)
    def rule_violation(request: HttpRequest, exc: RuleViolation) -> HttpResponse:
        return respond(request, 422, rule_violation_body(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same body for a missing case and a forbidden one (cases.access).
        return respond(request, 404, body("not_found", NOT_FOUND_MESSAGE))

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, body("unauthorized", UNAUTHORIZED_MESSAGE))

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = validation_fields(exc.errors)
        return respond(request, 422, body("validation_error", VALIDATION_MESSAGE, fields=fields))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = _HTTP_CODES.get(exc.status_code, ("error", "请求未能完成。"))
        return respond(request, exc.status_code, body(code, message))
