"""Every endpoint, tried without a token and with every role: never a 5xx, always the JSON
error shape, and only the public endpoints answer without logging in."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login_role

PUBLIC = {("POST", "/api/v1/auth/login"), ("GET", "/api/v1/health"), ("GET", "/api/v1/vocab"),
          ("GET", "/api/v1/regions"),
          ("POST", "/api/v1/selfservice/ask"), ("POST", "/api/v1/selfservice/tickets")}
ADMIN_ONLY = {("GET", "/api/v1/users"), ("POST", "/api/v1/users"), ("PATCH", "/api/v1/users/{user_id}"),
              ("GET", "/api/v1/models/category"), ("POST", "/api/v1/models/category/{version}/use")}
ROLES = ["agent", "unit_staff", "qa", "supervisor", "admin"]


def _routes(client) -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document (FastAPI 0.165 nests included routers, so
    ``app.routes`` no longer lists them as ``APIRoute``s: the document is the one full list)."""
    spec = client.app.openapi()
    out = [(m.upper(), path) for path, item in spec["paths"].items() for m in item
           if m in ("get", "post", "put", "patch", "delete")]
    assert len(out) > 100, "the access matrix must cover the whole API"
    return sorted(out)


def _concrete(path: str) -> str:
    values = {"{action}": "dispatch", "{period}": "week"}
    return re.sub(r"\{[^}]+\}", lambda m: values.get(m.group(0), "1"), path)


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
            assert _refused(r), (role, method, path, r.status_code)


# --- who may do what: the roles that must be refused (403, or 404 where existence is hidden) ----

STAFF_ONLY = {"agent", "supervisor", "admin"}
MUST_REFUSE = {
    # method, path prefix → roles allowed; every other role must get 403/404, never 2xx
    ("*", "/api/v1/users"): {"admin"},
    ("*", "/api/v1/models/category"): {"admin"},
    ("*", "/api/v1/routing/catalogue"): {"admin"},
    ("GET", "/api/v1/reports/"): {"supervisor", "admin"},
    ("*", "/api/v1/governance/transfers"): {"supervisor", "admin"},
    ("GET", "/api/v1/governance/callers/history"): STAFF_ONLY,
    ("POST", "/api/v1/calls/drafts"): STAFF_ONLY,
    ("POST", "/api/v1/classify"): STAFF_ONLY,
    ("POST", "/api/v1/dispatch"): STAFF_ONLY,
}


def _refused(r) -> bool:
    """403/404, or the request's own malformed body/path refused first (422 from validation, which
    tells nothing the public OpenAPI document does not) — never a 2xx, never a 5xx."""
    if r.status_code in (403, 404):
        return True
    return r.status_code == 422 and r.json()["error"]["code"] == "validation_failed" and all(
        d["loc"][0] in ("body", "path", "query") for d in r.json()["error"]["details"] or [{"loc": ["?"]}])


def _allowed(method: str, path: str) -> set[str] | None:
    for (m, prefix), roles in MUST_REFUSE.items():
        if (m == "*" or m == method) and path.startswith(prefix):
            return roles
    return None


def test_forbidden_roles_are_refused(client) -> None:
    tried = 0
    for role in ROLES:
        headers = login_role(client, role)
        for method, path in _routes(client):
            allowed = _allowed(method, path)
            if allowed is None or role in allowed or path == "/api/v1/auth/logout":
                continue
            r = client.request(method, _concrete(path), json={}, headers=headers)
            tried += 1
            assert _refused(r), (role, method, path, r.status_code, r.text[:200])
    print(f"禁止角色的拒绝检查：{tried} 次")
    assert tried > 50


# --- a unit never reads another unit's tickets ------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SECRET = {"caller_name": "保密的覃先生", "caller_number": "13907180001", "contact_number": "13907180002",
          "id_number": "42280119900101123X"}


def _two_units(client) -> tuple[dict, dict]:
    from tests.conftest import demo_users, login

    units = demo_users("unit_staff")
    return (login(client, units[0]["username"], units[0]["password"]),
            login(client, units[1]["username"], units[1]["password"]))


def _ticket_for(client, agent: dict, unit_code: str, **extra: object) -> dict:
    call = client.post("/api/v1/calls", json={"caller_number": "13907180001"}, headers=agent).json()
    body = {"caller_number": "13907180001", "appeal_type": "投诉", "title": "邻居噪音扰民",
            "content": "晚上十一点后还在施工。", "township": "太平镇", "dispatch": {"lead_unit": unit_code}, **extra}
    r = client.post(f"/api/v1/calls/{call['id']}/ticket", json=body, headers=agent)
    assert r.status_code == 201, r.text
    return {**r.json(), "call": call["id"]}


def test_a_unit_never_reads_another_units_ticket(client) -> None:
    agent = login_role(client, "agent")
    own, other = _two_units(client)
    from tests.conftest import demo_users

    ticket = _ticket_for(client, agent, demo_users("unit_staff")[0]["unit_code"])
    tid = ticket["id"]
    att = client.post(f"/api/v1/tickets/{tid}/attachments", files={"file": ("a.png", PNG, "image/png")}, headers=own)
    assert att.status_code == 201, att.text
    reads = [f"/api/v1/tickets/{tid}", f"/api/v1/tickets/{tid}/history", f"/api/v1/tickets/{tid}/attachments",
             f"/api/v1/tickets/{tid}/attachments/{att.json()['id']}"]
    for url in reads:
        assert client.get(url, headers=own).status_code == 200, url
        r = client.get(url, headers=other)
        assert r.status_code == 404, (url, r.status_code)  # not even its existence
    for url in (f"/api/v1/tickets/{tid}/links", f"/api/v1/calls/{ticket['call']}", f"/api/v1/calls/{ticket['call']}/recording",
                f"/api/v1/calls/{ticket['call']}/ticket-form"):
        assert client.get(url, headers=other).status_code in (403, 404), url
    assert tid in [t["id"] for t in client.get("/api/v1/tickets", headers=own).json()["items"]]
    listed = client.get("/api/v1/tickets", params={"q": "邻居噪音"}, headers=other).json()
    assert tid not in [t["id"] for t in listed["items"]] and listed["total"] == 0
    moves = client.post(f"/api/v1/tickets/{tid}/actions/sign", json={}, headers=other)
    assert moves.status_code in (403, 404)


# --- a confidential caller's details never reach a role that must not see them ---------------

def _leaks(data: object, values: list[str]) -> list[str]:
    import json

    text = json.dumps(data, ensure_ascii=False)
    return [v for v in values if v in text]


def test_confidential_caller_hidden_from_units_and_qa(client) -> None:
    from tests.conftest import demo_users

    agent = login_role(client, "agent")
    own, _ = _two_units(client)
    unit_code = demo_users("unit_staff")[0]["unit_code"]
    secret = _ticket_for(client, agent, unit_code, confidential=True, **SECRET)
    plain = _ticket_for(client, agent, unit_code, **{**SECRET, "caller_name": "公开的田女士"})
    everything = list(SECRET.values())
    for role, headers in (("unit_staff", own), ("qa", login_role(client, "qa"))):
        for url in (f"/api/v1/tickets/{secret['id']}", f"/api/v1/tickets/{secret['id']}/history",
                    "/api/v1/tickets?size=100"):
            r = client.get(url, headers=headers)
            assert r.status_code == 200, (role, url, r.text[:200])
            data = r.json()
            if "items" in data:  # the list: the confidential ticket's row (the other one shares the numbers)
                data = [t for t in data["items"] if t["id"] == secret["id"]]
                assert data, (role, url)
            assert not _leaks(data, everything), (role, url, _leaks(data, everything))
    # not confidential: the unit may call back (name, numbers) but never sees the ID number; QA sees none
    got = client.get(f"/api/v1/tickets/{plain['id']}", headers=own).json()
    assert got["caller_name"] == "公开的田女士" and SECRET["id_number"] not in str(got)
    history = client.get(f"/api/v1/tickets/{plain['id']}/history", headers=own).json()
    assert SECRET["id_number"] not in str(history)
    qa = client.get(f"/api/v1/tickets/{plain['id']}", headers=login_role(client, "qa")).json()
    assert not _leaks(qa, [*everything, "公开的田女士"])
    # those who handle the call see it all
    full = client.get(f"/api/v1/tickets/{secret['id']}", headers=agent).json()
    assert full["caller_name"] == SECRET["caller_name"] and full["id_number"] == SECRET["id_number"]
