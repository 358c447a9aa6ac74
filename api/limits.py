"""Request size limits, enforced before a body is read: a declared ``Content-Length`` over the
limit is refused at once (413) and a body sent without one is counted as it streams in and cut off
at the limit, so no upload is spooled, parsed or read into memory past what its endpoint accepts.

Uploads have their own limits (the endpoint's documented file limit plus room for the multipart
envelope); every other request body is at most ``DEFAULT_LIMIT``."""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MB = 1024 * 1024
ENVELOPE = 64 * 1024  # multipart boundaries, part headers and small form fields
DEFAULT_LIMIT = 8 * MB
# (method, path pattern, file limit in bytes, what it is) — the file limits match the endpoints' own checks
UPLOADS: list[tuple[str, re.Pattern[str], int, str]] = [
    ("POST", re.compile(r"^/api/v1/calls/recordings$"), 200 * MB, "录音文件"),
    ("PUT", re.compile(r"^/api/v1/calls/[^/]+/recording$"), 200 * MB, "录音文件"),
    ("POST", re.compile(r"^/api/v1/tickets/[^/]+/attachments$"), 10 * MB, "附件"),
    ("POST", re.compile(r"^/api/v1/kb/import$"), 20 * MB, "导入文件"),
    ("POST", re.compile(r"^/api/v1/routing/catalogue/import$"), 10 * MB, "派单目录文件"),
    ("POST", re.compile(r"^/api/v1/models/category/train$"), 50 * MB, "训练数据文件"),
]


def limit_for(method: str, path: str) -> tuple[int, str]:
    """The most bytes a request to this endpoint may carry, and the Chinese message past it."""
    for m, pattern, size, what in UPLOADS:
        if m == method and pattern.match(path):
            return size + ENVELOPE, f"{what}过大（上限 {size // MB} MB）"
    return DEFAULT_LIMIT, f"请求内容过大（上限 {DEFAULT_LIMIT // MB} MB）"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit; the app's HTTP error
    handler turns it into the JSON error shape."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message)


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, message = limit_for(scope["method"], scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            status = 413 if declared.isdigit() else 400
            text = message if status == 413 else "请求头 Content-Length 不正确"
            body = {"error": {"code": f"http_{status}", "message": text, "details": None}}
            await JSONResponse(body, status_code=status, headers={"Connection": "close"})(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(message)
            return msg

        await self.app(scope, limited, send)
