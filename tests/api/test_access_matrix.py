"""Every endpoint, tried without a token and with every role: never a 5xx, always the JSON
error shape, and only the public endpoints answer without logging in."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from tests.conftest import login_role

PUBLIC = {("POST", "/api/v1/auth/login"), ("GET", "/api/v1/health"), ("GET", "/api/v1/vocab"),
          ("GET", "/api/v1/regions"),
          ("POST", "/api/v1/selfservice/ask"), ("POST", "/api/v1/selfservice/tickets")}
ADMIN_ONLY = {("GET", "/api/v1/users"), ("POST", "/api/v1/users"), ("PATCH", "/api/v1/users/{user_id}"),
              ("GET", "/api/v1/models/category"), ("POST", "/api/v1/models/category/{version}/use")}
ROLES = ["agent", "unit_staff", "qa", "supervisor", "admin"]


def _routes(client) -> list[tuple[str, str]]:
    out = []
    for route in client.app.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/api/v1"):
            out.extend((m, route.path) for m in sorted(route.methods))
    return out


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "dispatch" if m.group(0) == "{action}" else "1", path)


def test_anonymous_is_refused_everywhere_but_public(client) -> None:
    for method, path in _routes(client):
        r = client.request(method, _concrete(path), json={})
        if (method, path) in PUBLIC:
            assert r.status_code < 500, (method, path, r.text)
            continue
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize("role", ROLES)
def test_every_role_everywhere(client, role: str) -> None:
    headers = login_role(client, role)
    for method, path in _routes(client):
        if path == "/api/v1/auth/logout":
            continue
        r = client.request(method, _concrete(path), json={}, headers=headers)
        assert r.status_code < 500, (role, method, path, r.text)
        if r.status_code >= 400:
            body = r.json()
            assert set(body) == {"error"} and body["error"]["message"], (method, path, body)
        if (method, path) in ADMIN_ONLY and role != "admin":
            assert r.status_code == 403, (role, method, path)
