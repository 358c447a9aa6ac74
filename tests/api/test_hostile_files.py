"""Hostile files: audio that is not audio, lies about its format or is huge; spreadsheets with
formulas, huge cells, broken encodings or zip bombs, on knowledge-base and catalogue import.
Each gets a clear Chinese 4xx, never a 5xx and never a hang; sizes are refused before the body
is read (the real service on loopback, for the size limits)."""

from __future__ import annotations

import io
import socket
import struct
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.api.live_server import LiveServer, live_server
from tests.conftest import demo_users, login_role

MB = 1024 * 1024
TICKET = {"caller_name": "李女士", "caller_number": "13872001234", "appeal_type": "求助",
          "title": "太平镇停水三天", "content": "我们组停水三天了。", "township": "太平镇",
          "dispatch": {"lead_unit": "rsj"}}


def assert_clear_4xx(r: httpx.Response, *statuses: int) -> dict:
    assert r.status_code in (statuses or range(400, 500)), (r.status_code, r.text[:500])
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"} and not err["message"].isascii(), err
    return err


def wav_header(*, data_bytes: int, rate: int = 8000, channels: int = 1) -> bytes:
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, channels, rate, rate * channels * 2, channels * 2, 16) + b"data"
        + struct.pack("<I", data_bytes))


# --- audio ---------------------------------------------------------------------------------

HOSTILE_AUDIO = {
    "empty": ("a.wav", b""),
    "text named wav": ("a.wav", b"<?php system($_GET['c']); ?> this is not audio at all"),
    "png named mp3": ("a.mp3", b"\x89PNG\r\n\x1a\n" + b"\0" * 2000),
    "wav header, nothing after": ("a.wav", wav_header(data_bytes=0)),
    "wav claims an hour, has a second": ("a.wav", wav_header(data_bytes=8000 * 2 * 3600) + b"\0" * 16000),
    "riff with garbage": ("a.wav", b"RIFF\xff\xff\xff\xffWAVEfmt " + bytes(range(256)) * 8),
    "mp3 sync bytes then noise": ("a.mp3", b"ID3\x04\0\0\0\0\0\0" + b"\xff\xfb" + b"\x13" * 5000),
}


@pytest.mark.parametrize("name", list(HOSTILE_AUDIO))
def test_hostile_recording_upload_is_a_clear_4xx(client, name: str) -> None:
    filename, data = HOSTILE_AUDIO[name]
    headers = login_role(client, "agent")
    started = time.monotonic()
    r = client.post("/api/v1/calls/recordings", files={"file": (filename, data, "audio/wav")}, headers=headers)
    assert_clear_4xx(r, 422)
    assert time.monotonic() - started < 30, "refusing a bad file must not wait for a model"


def test_recording_for_playback_must_be_audio(client) -> None:
    headers = login_role(client, "agent")
    call = client.post("/api/v1/calls", json={}, headers=headers).json()
    for data in (b"", b"MZ\x90\0" + b"\0" * 100, b"%PDF-1.4 not a recording"):
        r = client.put(f"/api/v1/calls/{call['id']}/recording", files={"file": ("x.wav", data, "audio/wav")},
                       headers=headers)
        assert_clear_4xx(r, 422)


def test_attachment_that_lies_about_its_type(client) -> None:
    headers = login_role(client, "agent")
    ticket = client.post("/api/v1/tickets", json=TICKET, headers=headers).json()
    r = client.post(f"/api/v1/tickets/{ticket['id']}/attachments",
                    files={"file": ("photo.jpg", b"MZ\x90\0 an executable", "image/jpeg")}, headers=headers)
    assert_clear_4xx(r, 422)


# --- sizes, on the real service --------------------------------------------------------------

@pytest.fixture(scope="module")
def server(seeded_templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    with live_server(seeded_templates["sqlite"], tmp_path_factory.mktemp("hostile") / "data") as s:
        yield s


def _raw_request(server: LiveServer, head: str, body: bytes = b"", timeout: float = 10) -> tuple[int, bytes]:
    """Send a request by hand (a Content-Length that lies, a body that never comes) and read the answer."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode() + body)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


@pytest.mark.parametrize("method,path,size_mb", [
    ("POST", "/api/v1/calls/recordings", 300), ("PUT", "/api/v1/calls/1/recording", 300),
    ("POST", "/api/v1/tickets/1/attachments", 11), ("POST", "/api/v1/kb/import?format=csv", 21),
    ("POST", "/api/v1/routing/catalogue/import", 11), ("POST", "/api/v1/tickets", 9),
])
def test_declared_size_over_the_limit_is_refused_before_the_body(server: LiveServer, method: str, path: str,
                                                                 size_mb: int) -> None:
    admin = demo_users("admin")[0]
    token = server.login(admin["username"], admin["password"])["Authorization"]
    head = (f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n"
            f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {size_mb * MB}\r\n\r\n")
    started = time.monotonic()
    status, body = _raw_request(server, head, b"--b\r\n")  # the rest of the body never comes
    assert status == 413
    assert "过大" in body.decode("utf-8") and b'"code":"http_413"' in body
    assert time.monotonic() - started < 5


def test_streamed_body_over_the_limit_is_cut_off(server: LiveServer) -> None:
    """No Content-Length (chunked): the body is counted as it arrives and refused at the limit."""
    agent = demo_users("agent")[0]
    headers = server.login(agent["username"], agent["password"])

    def chunks():
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.jpg\"\r\n\r\n"
        for _ in range(12):
            yield b"\xff" * MB

    r = httpx.post(f"{server.base_url}/api/v1/tickets/1/attachments", content=chunks(), timeout=30,
                   headers={**headers, "Content-Type": "multipart/form-data; boundary=b"})
    err = assert_clear_4xx(r, 413)
    assert "附件过大" in err["message"]
    assert not server.server_errors()


# --- spreadsheets ------------------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil.example/\",\"点我\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1,1)"]


def _kb_import(client, data: bytes, fmt: str, headers: dict[str, str]) -> httpx.Response:
    return client.post(f"/api/v1/kb/import?format={fmt}", files={"file": (f"kb.{fmt}", data)}, headers=headers)


def test_kb_csv_with_formulas_is_stored_verbatim_and_exported_escaped(client) -> None:
    headers = login_role(client, "admin")
    rows = ["code,question,answer,category"] + [
        f'HOST{i},"{f.replace(chr(34), chr(34) * 2)}","{f.replace(chr(34), chr(34) * 2)}",其他'
        for i, f in enumerate(FORMULAS)]
    r = _kb_import(client, "\n".join(rows).encode(), "csv", headers)
    assert r.status_code == 200, r.text
    for i, formula in enumerate(FORMULAS):
        article = client.get(f"/api/v1/kb/articles/HOST{i}", headers=headers).json()["content"]
        assert article["question"] == formula and article["answer"] == formula
    exported = client.get("/api/v1/kb/export?format=csv", headers=headers).content.decode("utf-8-sig")
    for formula in FORMULAS:
        assert f",{formula}," not in exported and f'"{formula}"' not in exported.replace('""', '"'), formula


def test_kb_xlsx_formula_is_never_evaluated(client) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["code", "question", "answer", "category"])
    book.active.append(["XLSF1", "=1+1", "=2*21", "其他"])
    buf = io.BytesIO()
    book.save(buf)
    headers = login_role(client, "admin")
    r = _kb_import(client, buf.getvalue(), "xlsx", headers)
    # no cached value: the cells read as empty, never as 2 or 42
    assert r.status_code < 500
    assert "42" not in r.text and client.get("/api/v1/kb/articles/XLSF1", headers=headers).status_code in (200, 404)
    if r.status_code == 200:
        assert client.get("/api/v1/kb/articles/XLSF1", headers=headers).json()["content"]["answer"] != "42"


def _zip_bomb(unpacked_mb: int = 24) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b"\0" * (unpacked_mb * MB))
    return buf.getvalue()


HOSTILE_SHEETS = {
    "huge csv cell": ("csv", ("code,question,answer\nH1,问题," + "长" * 200_000 + "\n").encode()),
    "broken encoding": ("csv", b"code,question,answer\n\xff\xfe\xfa\xfb\x80\x81,\xc3\x28\n"),
    "binary as csv": ("csv", bytes(range(256)) * 64),
    "zip bomb xlsx": ("xlsx", _zip_bomb()),
    "not a zip xlsx": ("xlsx", b"PK\x03\x04 not really a zip"),
    "csv as xlsx": ("xlsx", b"code,question,answer\nA,B,C\n"),
}


@pytest.mark.parametrize("name", list(HOSTILE_SHEETS))
def test_hostile_kb_import_is_a_clear_4xx(client, name: str) -> None:
    fmt, data = HOSTILE_SHEETS[name]
    err = assert_clear_4xx(_kb_import(client, data, fmt, login_role(client, "admin")), 422)
    assert err["code"] in ("import_failed", "validation_failed")


@pytest.mark.parametrize("name", list(HOSTILE_SHEETS))
def test_hostile_catalogue_import_is_a_clear_4xx(client, name: str) -> None:
    fmt, data = HOSTILE_SHEETS[name]
    headers = login_role(client, "admin")
    before = client.get("/api/v1/routing/catalogue", headers=headers).json()
    r = client.post(f"/api/v1/routing/catalogue/import?format={fmt}", files={"file": (f"c.{fmt}", data)},
                    headers=headers)
    assert_clear_4xx(r, 422)
    assert client.get("/api/v1/routing/catalogue", headers=headers).json() == before


def test_catalogue_csv_formula_cells_stay_text(client) -> None:
    headers = login_role(client, "admin")
    line = client.get("/api/v1/routing/catalogue?size=1", headers=headers).json()["items"][0]
    r = client.patch(f"/api/v1/routing/catalogue/{line['id']}", json={"basis": "=cmd|' /C calc'!A0"}, headers=headers)
    assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/routing/catalogue/{line['id']}", headers=headers).json()["basis"] == "=cmd|' /C calc'!A0"


def test_upload_limits_match_the_endpoints(tmp_path: Path) -> None:
    """The middleware's limits are the endpoints' own (so a file just under a limit is never cut)."""
    from api.limits import ENVELOPE, limit_for
    from assistant.call_audio import MAX_BYTES as RECORDING
    from assistant.kb.io import MAX_BYTES as KB
    from assistant.tickets.attachments import MAX_BYTES as ATTACHMENT

    assert limit_for("POST", "/api/v1/calls/recordings")[0] == RECORDING + ENVELOPE
    assert limit_for("POST", "/api/v1/tickets/3/attachments")[0] == ATTACHMENT + ENVELOPE
    assert limit_for("POST", "/api/v1/kb/import")[0] == KB + ENVELOPE
