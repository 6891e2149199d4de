"""The error answers every API operation can give, written into the OpenAPI schema.

drf-spectacular documents what a view returns when it succeeds; the refusals
come from shared plumbing and so were missing from ``/api/schema/``, and a
client generated from it (or schemathesis, tests/api/test_schemathesis.py)
met undocumented 400/403/404 answers. They all share one shape
(``core.api.exception_handler``, ``accounts.middleware``):

- 403 on every operation: not logged in, no permission in this scope, a
  bureau approver or admin without TOTP (``otp_required``), or a session
  write without its CSRF token;
- 404 where a path names an object (out of scope counts as absent) or a
  list is paginated (a page past the end);
- 400 where the request carries a body or filters: a serializer's field map,
  or a ``DomainError`` with ``code``, ``detail`` and ``fields``;
- 429 on every operation once DRF throttling is switched on.

Wired as a drf-spectacular post-processing hook in ``SPECTACULAR_SETTINGS``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings

ERROR_COMPONENT = "Error"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "拒绝或出错时的应答。业务错误：code（稳定的机器可读代码）、detail（给人看的说明）、"
        "fields（字段名 → 说明）；输入校验错误：字段名 → 错误信息列表；其他：detail。"
    ),
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    # A serializer's validation error maps each field to its messages.
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "输入有误或当前状态不允许（见 code、fields）",
    "403": "未登录、无权限、需先完成动态口令（otp_required）或缺少 CSRF 令牌",
    "404": "对象不存在或不在您的范围内，或页码超出范围",
    "429": "请求过于频繁，请稍后再试",
}

PAGINATION = {"page", "page_size"}
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def _error_codes(operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    in_path = any(p.get("in") == "path" for p in parameters)
    query = {p["name"] for p in parameters if p.get("in") == "query"}
    codes = ["403"]
    if in_path or "page" in query:
        codes.append("404")
    if "requestBody" in operation or query - PAGINATION:
        codes.append("400")
    if api_settings.DEFAULT_THROTTLE_CLASSES:
        codes.append("429")
    return codes


def document_errors(result: dict[str, Any], generator=None, request=None, public=False, **kwargs):
    """drf-spectacular post-processing hook: add the shared error answers to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _error_codes(operation):
                responses.setdefault(code, {"description": DESCRIPTIONS[code]})
            for code, response in responses.items():
                # A view that already describes its refusals keeps its words; the body is shared.
                if code.startswith("4") and "content" not in response:
                    response["content"] = content
    return result
