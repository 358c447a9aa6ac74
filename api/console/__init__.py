"""The web console (网页控制台): static pages served by the same service under /console/, the root
redirecting there. Every script and style is in this folder: nothing is fetched from the internet."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


class ConsoleFiles(StaticFiles):
    """Static files with headers that keep pages fresh and scripts out of other origins' frames."""

    async def get_response(self, path: str, scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        response.headers.setdefault("Cache-Control", "no-cache")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
            "connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response


def install(app: FastAPI) -> None:
    app.mount("/console", ConsoleFiles(directory=STATIC, html=True), name="console")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=307)
