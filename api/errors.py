"""Maps the packages' own error types to HTTP responses: JSON ``{"error": {code, message,
details}}`` with a stable English code and a Chinese message, for every failure."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import errors as e
from assistant.reports.errors import ReportUnavailable

log = logging.getLogger(__name__)

STATUS = {
    e.ValidationFailed: 422,
    e.NotFound: 404,
    e.PermissionDenied: 403,
    e.AuthenticationFailed: 401,
    e.TooManyAttempts: 429,
    e.InvalidTransition: 409,
    e.Conflict: 409,
    e.RuleViolation: 422,
    e.CalendarUnknownYear: 422,
    e.StorageUnavailable: 503,
    ReportUnavailable: 503,
}

_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短或为空",
    "too_long": "条目过多",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为是/否",
    "bool_type": "应为是/否",
    "datetime_parsing": "时间格式不正确（应为 ISO 8601）",
    "datetime_from_date_parsing": "时间格式不正确（应为 ISO 8601）",
    "datetime_type": "时间格式不正确（应为 ISO 8601）",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "json_invalid": "请求体不是合法的 JSON",
    "model_attributes_type": "请求体格式不正确",
    "dict_type": "请求体格式不正确",
    "list_type": "应为列表",
    "string_type": "应为文本",
    "extra_forbidden": "不允许的字段",
    "string_unicode": "文本编码不正确",
    "string_pattern_mismatch": "格式不正确",
}
_LOC_SKIP = {"body", "query", "path", "header"}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def _describe(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err.get("loc", ()) if p not in _LOC_SKIP)
    kind = err.get("type", "")
    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
    else:
        msg = _PYDANTIC_MESSAGES.get(kind, "内容不符合要求")
    return f"{loc}：{msg}" if loc else msg


def _lower_errors() -> list[tuple[type[Exception], int]]:
    """The lower packages' error bases (Chinese ``str(err)``, English ``code``) and their status:
    a model that is missing makes a 503 (capability down), anything else is the request's fault."""
    from asr.errors import AsrError, ModelUnavailableError
    from classifiers.callback.errors import CallbackError
    from classifiers.callback.errors import ModelUnavailableError as CallbackModelUnavailable
    from classifiers.dispatch.errors import DispatchError
    from classifiers.dispatch.errors import ModelUnavailable as DispatchModelUnavailable
    from classifiers.errors import ClassifierError, EmbedderUnavailableError
    from classifiers.fields.errors import FieldsError
    from classifiers.qa.errors import QaError, ScorerNotReady
    from knowledge_base.errors import IndexCorrupted, KnowledgeBaseError
    from knowledge_base.errors import ModelUnavailable as KbModelUnavailable

    return [
        (ModelUnavailableError, 503), (CallbackModelUnavailable, 503), (DispatchModelUnavailable, 503),
        (EmbedderUnavailableError, 503), (ScorerNotReady, 503), (KbModelUnavailable, 503), (IndexCorrupted, 503),
        (AsrError, 422), (CallbackError, 422), (DispatchError, 422), (ClassifierError, 422), (FieldsError, 422),
        (QaError, 422), (KnowledgeBaseError, 422),
    ]


def install(app: FastAPI) -> None:
    lower = _lower_errors()

    async def _lower_error(_: Request, exc: Exception) -> JSONResponse:
        status = next(code for cls, code in lower if isinstance(exc, cls))
        code = getattr(exc, "code", "error")
        headers = {"Retry-After": "30"} if status == 503 else None
        return JSONResponse(error_body(code, str(exc)), status_code=status, headers=headers)

    for cls, _status in lower:
        app.add_exception_handler(cls, _lower_error)

    @app.exception_handler(e.AssistantError)
    async def _assistant_error(_: Request, exc: e.AssistantError) -> JSONResponse:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        headers = {"Retry-After": "5"} if status in (429, 503) else None
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        details = [{"loc": [str(p) for p in x.get("loc", ())], "type": x.get("type")} for x in errs]
        message = "；".join(dict.fromkeys(_describe(x) for x in errs[:5])) or "请求内容不符合要求"
        return JSONResponse(error_body("validation_failed", message, details), status_code=422)

    @app.exception_handler(ValidationError)
    async def _model_validation(_: Request, exc: ValidationError) -> JSONResponse:
        """A model a route builds from the request (e.g. a ticket from a self-service message)
        that rejects the request's values: the request's fault, reported like any bad field."""
        errs = exc.errors()
        details = [{"loc": [str(p) for p in x.get("loc", ())], "type": x.get("type")} for x in errs]
        message = "；".join(dict.fromkeys(_describe(x) for x in errs[:5])) or "请求内容不符合要求"
        return JSONResponse(error_body("validation_failed", message, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "请求的地址不存在", 405: "不支持该请求方法", 401: "请先登录", 403: "无权访问",
                    400: "请求无法解析", 413: "请求内容过大", 415: "不支持的内容类型"}
        message = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else messages.get(
            exc.status_code, "请求无法处理")
        return JSONResponse(error_body(f"http_{exc.status_code}", message), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(error_body("internal_error", "服务内部错误，已记录，请稍后重试"), status_code=500)


ERROR_SCHEMA = {
    "title": "ErrorResponse",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {
            "code": {"type": "string", "description": "稳定的英文错误代码"},
            "message": {"type": "string", "description": "中文说明"},
            "details": {"description": "补充信息（如逐行、逐字段的错误），可为空"},
        },
    }},
}
_ERROR_RESPONSES = {"4XX": "请求有误（未登录、无权限、不存在、冲突、内容不符合要求、过大或过于频繁）",
                    "503": "依赖的能力或数据库暂时不可用"}


def document(app: FastAPI) -> None:
    """The OpenAPI document states the real error shape: every operation's 4xx and 503 answer
    ``ErrorResponse`` (FastAPI would otherwise advertise its own ``{"detail": …}`` for 422)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorResponse"] = ERROR_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
        for item in schema.get("paths", {}).values():
            for op in item.values():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                op["responses"].pop("422", None)
                for status, text in _ERROR_RESPONSES.items():
                    op["responses"].setdefault(status, {"description": text, **ref})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
