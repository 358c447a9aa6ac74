"""Ticket attachments and call recordings: stored in the data directory, typed by their bytes,
visible only to those who may see the ticket, every upload in the audit trail."""

from __future__ import annotations

import io
import struct
import wave

import pytest

from tests.conftest import login_role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TICKET = {"caller_name": "李女士", "caller_number": "13872001234", "appeal_type": "求助",
          "title": "太平镇停水三天", "content": "我们组停水三天了。", "township": "太平镇",
          "dispatch": {"lead_unit": "rsj"}}


def _wav() -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<800h", *([0] * 800)))
    return buf.getvalue()


def test_unit_uploads_photo_audited_and_hidden_from_other_units(client, hotline) -> None:
    agent, unit, other = login_role(client, "agent"), login_role(client, "unit_staff"), None
    from tests.conftest import demo_users, login

    other = login(client, demo_users("unit_staff")[1]["username"], demo_users("unit_staff")[1]["password"])
    ticket = client.post("/api/v1/tickets", json=TICKET, headers=agent).json()
    url = f"/api/v1/tickets/{ticket['id']}/attachments"
    r = client.post(url, files={"file": ("现场.png", PNG, "image/png")}, headers=unit)
    assert r.status_code == 201, r.text
    att = r.json()
    assert att["filename"] == "现场.png" and att["content_type"] == "image/png" and att["uploaded_by"]
    got = client.get(f"{url}/{att['id']}", headers=unit)
    assert got.status_code == 200 and got.content == PNG
    assert [a["id"] for a in client.get(url, headers=agent).json()] == [att["id"]]
    assert client.get(url, headers=other).status_code == 404
    assert client.post(url, files={"file": ("x.png", PNG, "image/png")}, headers=other).status_code == 404
    history = client.get(f"/api/v1/tickets/{ticket['id']}/history", headers=agent).json()
    assert history[-1]["action"] == "attach" and "现场.png" in history[-1]["comment"]
    files = list((hotline.data_dir / "attachments" / str(ticket["id"])).iterdir())
    assert len(files) == 1 and files[0].read_bytes() == PNG


def test_attachment_type_checked_by_content(client) -> None:
    agent = login_role(client, "agent")
    ticket = client.post("/api/v1/tickets", json=TICKET, headers=agent).json()
    r = client.post(f"/api/v1/tickets/{ticket['id']}/attachments",
                    files={"file": ("photo.png", b"<script>alert(1)</script>", "image/png")}, headers=agent)
    assert r.status_code == 422 and "照片" in r.json()["error"]["message"]
    qa = login_role(client, "qa")
    r = client.post(f"/api/v1/tickets/{ticket['id']}/attachments", files={"file": ("a.png", PNG)}, headers=qa)
    assert r.status_code == 403


def test_call_recording_stored_once_and_played_back(client) -> None:
    agent, qa, unit = login_role(client, "agent"), login_role(client, "qa"), login_role(client, "unit_staff")
    call = client.post("/api/v1/calls", json={"caller_number": "13872001234"}, headers=agent).json()
    url = f"/api/v1/calls/{call['id']}/recording"
    assert client.get(url, headers=qa).status_code == 404
    assert client.put(url, files={"file": ("a.txt", b"hello")}, headers=agent).status_code == 422
    assert client.put(url, files={"file": ("call.wav", _wav(), "audio/wav")}, headers=agent).status_code == 204
    assert client.put(url, files={"file": ("call.wav", _wav(), "audio/wav")}, headers=agent).status_code == 422
    r = client.get(url, headers=qa)
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav" and r.content == _wav()
    assert client.get(url, headers=unit).status_code == 403


def test_root_redirects_to_console(client) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/console/"


@pytest.mark.slow
def test_uploaded_recording_is_kept_for_playback(client) -> None:
    agent, qa = login_role(client, "agent"), login_role(client, "qa")
    r = client.post("/api/v1/calls/recordings", files={"file": ("call.wav", _wav(), "audio/wav")}, headers=agent)
    if r.status_code == 503:
        pytest.skip(r.json()["error"]["message"])  # no speech engine on this machine
    assert r.status_code == 201, r.text
    got = client.get(f"/api/v1/calls/{r.json()['id']}/recording", headers=qa)
    assert got.status_code == 200 and got.content == _wav()
