"""SQL and script injection in the text fields the console shows: stored verbatim, returned as
data, never executed (SQL parameters everywhere; the console builds its pages with text nodes;
reports escape what they print)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import login_role

PAYLOADS = [
    "<script>alert('x')</script>",
    "'; DROP TABLE tickets; --",
    "\" OR 1=1 --",
    "<img src=x onerror=alert(1)>",
    "1'); DELETE FROM users WHERE ('1'='1",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "javascript:alert(document.cookie)",
    "%' OR '%'='",
]
CONSOLE_JS = Path(__file__).resolve().parents[2] / "api" / "console" / "static" / "js"


def _ticket(payload: str, **extra: object) -> dict:
    return {"caller_name": payload[:32], "caller_number": "13872001234", "appeal_type": "求助",
            "title": payload[:60], "content": f"内容：{payload}", "township": "太平镇",
            "address_detail": payload[:200], "category": [payload[:30]], "dispatch": {"lead_unit": "rsj"}, **extra}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_ticket_fields_are_stored_verbatim(client, payload: str) -> None:
    agent = login_role(client, "agent")
    r = client.post("/api/v1/tickets", json=_ticket(payload), headers=agent)
    assert r.status_code == 201, r.text
    ticket = r.json()
    got = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json()
    assert got["title"] == payload[:60] and got["content"] == f"内容：{payload}"
    assert got["caller_name"] == payload[:32] and got["address_detail"] == payload[:200]
    assert got["category"] == [payload[:30]]
    # a search for the payload finds data (never an error, never the whole table by accident of quoting)
    found = client.get("/api/v1/tickets", params={"q": payload[:100]}, headers=agent)
    assert found.status_code == 200 and ticket["id"] in [t["id"] for t in found.json()["items"]], (found.json(), got)
    history = client.get(f"/api/v1/tickets/{ticket['id']}/history", headers=agent)
    assert history.status_code == 200 and payload[:60] in json.dumps(history.json(), ensure_ascii=False)
    # the tables are all still there and answering
    assert client.get("/api/v1/tickets", headers=agent).json()["total"] >= 1
    assert login_role(client, "admin")


def test_other_text_fields_are_stored_verbatim(client) -> None:
    admin = login_role(client, "admin")
    payload = PAYLOADS[0] + PAYLOADS[1]
    article = client.post("/api/v1/kb/articles", headers=admin, json={
        "question": payload, "answer": payload + PAYLOADS[3], "similar_questions": [PAYLOADS[2]],
        "category": "其他"}).json()
    got = client.get(f"/api/v1/kb/articles/{article['code']}", headers=admin).json()["content"]
    assert got["question"] == payload and got["answer"] == payload + PAYLOADS[3]
    assert got["similar_questions"] == [PAYLOADS[2]]

    line = client.post("/api/v1/routing/catalogue", headers=admin, json={
        "matter": PAYLOADS[3], "keywords": [PAYLOADS[1]], "unit_code": "rsj", "level": "county",
        "basis": PAYLOADS[4]})
    assert line.status_code == 201, line.text
    got = client.get(f"/api/v1/routing/catalogue/{line.json()['id']}", headers=admin).json()
    assert got["matter"] == PAYLOADS[3] and got["keywords"] == [PAYLOADS[1]] and got["basis"] == PAYLOADS[4]

    user = client.post("/api/v1/users", headers=admin, json={
        "username": "inject01", "display_name": PAYLOADS[0][:64], "role": "agent", "password": "inject-2026-x"})
    assert user.status_code == 201, user.text
    me = client.post("/api/v1/auth/login", json={"username": "inject01", "password": "inject-2026-x"}).json()
    assert me["display_name"] == PAYLOADS[0][:64]


def test_login_injection_is_just_a_wrong_password(client) -> None:
    for payload in ("admin' --", "admin' OR '1'='1", "' OR 1=1; --"):
        r = client.post("/api/v1/auth/login", json={"username": payload, "password": payload + "xxxxxxxx"})
        assert r.status_code in (401, 422), r.text
    r = client.post("/api/v1/auth/login", json={"username": "admin", "password": "' OR '1'='1"})
    assert r.status_code == 401


def test_report_escapes_what_it_prints(client) -> None:
    agent = login_role(client, "agent")
    for _ in range(2):
        assert client.post("/api/v1/tickets", json=_ticket(PAYLOADS[0]), headers=agent).status_code == 201
    r = client.get("/api/v1/reports/week", params={"format": "html"}, headers=login_role(client, "supervisor"))
    assert r.status_code == 200, r.text
    assert "<script>alert" not in r.text and "<img src=x" not in r.text


def test_console_never_writes_data_as_html() -> None:
    """The console's pages are built with createElement/textContent (app.js ``h``): no script
    here turns a string into markup or code."""
    unsafe = re.compile(r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(|"
                        r"setTimeout\(\s*['\"`]|setInterval\(\s*['\"`]|\.html\(")
    found = [f"{p.name}:{n}: {line.strip()}" for p in sorted(CONSOLE_JS.glob("*.js"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if unsafe.search(line)]
    assert not found, "控制台脚本把数据当作 HTML 或代码：\n" + "\n".join(found)


def test_console_links_never_come_from_data() -> None:
    """``href``/``src`` set by the console are page names, blob URLs or API paths built from ids —
    never a string from a record (a ``javascript:`` link would run on click)."""
    risky = re.compile(r"(?:[{,]\s*\"?(?:href|src)\"?\s*:|\.(?:href|src)\s*=(?!=))(?!\s*(?:\"[a-z]+\.html\"|"
                       r"URL\.createObjectURL|await blobUrl|p\.href\b|next\b|HOME\[|`/))")
    found = [f"{p.name}:{n}: {line.strip()}" for p in sorted(CONSOLE_JS.glob("*.js"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if risky.search(line) and "location.href" not in line]
    assert not found, "\n".join(found)
