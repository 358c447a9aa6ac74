"""The FastAPI application: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from api import console, errors, limits
from api.routes import (
    assist,
    attachments,
    auth,
    callbacks,
    calls,
    governance,
    hotspots,
    kb,
    live,
    meta,
    notices,
    qa,
    reports,
    routing,
    tickets,
    users,
)
from assistant.config import Settings
from assistant.offline import lock_offline
from assistant.runtime import Hotline

DESCRIPTION = """县级 12345 政务服务便民热线智能助手（离线、单机 CPU）。

错误统一返回 `{"error": {"code": 英文代码, "message": 中文说明, "details": …}}`。
除登录与健康检查外，所有接口需在请求头携带 `Authorization: Bearer <令牌>`。"""


def create_app(settings: Settings | None = None, *, hotline: Hotline | None = None,
               start_scheduler: bool | None = None) -> FastAPI:
    lock_offline()  # no model hub, telemetry or update check may reach out (see assistant/offline.py)
    hl = hotline or Hotline(settings or Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # fewer request threads than anyio's 40: on 2 cores, 40 threads fighting for the GIL spend
        # more time switching than working (measured in ``python -m eval bench-tickets``)
        anyio.to_thread.current_default_thread_limiter().total_tokens = hl.settings.api_threads
        hl.start(scheduler=start_scheduler)
        try:
            yield
        finally:
            hl.stop()

    app = FastAPI(title="12345 热线智能助手", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/api/v1/openapi.json", docs_url="/api/docs", redoc_url=None)
    app.state.hotline = hl
    errors.install(app)
    errors.document(app)
    app.add_middleware(limits.BodyLimit)  # request sizes checked before any body is read
    for module in (auth, users, tickets, attachments, notices, callbacks, live, calls, qa, kb, assist, routing, meta,
                   governance):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(hotspots.router, prefix="/api/v1")
    app.include_router(reports.router, prefix="/api/v1")
    console.install(app)
    return app
