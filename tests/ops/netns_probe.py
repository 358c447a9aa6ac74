"""Run inside a network namespace with loopback only (see test_no_network.py): start the real
service and exercise every capability through its API; print one JSON line with what happened.

    unshare -n sh -c 'ip link set lo up && python tests/ops/netns_probe.py DATA_DIR [KB_INDEX_DIR]'

The service gets an environment with every offline switch removed, so it must set them itself."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import wave
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
USERS = json.loads((ROOT / "assistant" / "demo" / "heifeng" / "users.json").read_text(encoding="utf-8"))
SWITCHES = ("HF_", "TRANSFORMERS_", "MODELSCOPE_", "DO_NOT_TRACK", "DISABLE_TELEMETRY", "TOKENIZERS_")


def network_is_gone() -> dict:
    """No route and no resolver: what any phone-home attempt inside the service would meet."""
    out = {}
    t0 = time.monotonic()
    try:
        socket.getaddrinfo("huggingface.co", 443)
        out["dns"] = "resolved"
    except OSError as exc:
        out["dns"] = f"failed: {exc.__class__.__name__}"
    out["dns_s"] = round(time.monotonic() - t0, 3)
    t0 = time.monotonic()
    try:
        socket.create_connection(("1.1.1.1", 443), timeout=5).close()
        out["connect"] = "connected"
    except OSError as exc:
        out["connect"] = f"failed: {exc.__class__.__name__}"
    out["connect_s"] = round(time.monotonic() - t0, 3)
    return out


def speech_like_wav(seconds: float = 4.0, sr: int = 16000) -> bytes:
    """A glottal pulse train through vowel-like resonances (the recogniser need not understand it)."""
    t = np.arange(int(seconds * sr)) / sr
    pulses = (np.sin(2 * np.pi * 130 * t) > 0.98).astype(np.float64)
    voice = sum(np.convolve(pulses, np.exp(-np.arange(200) / 40) * np.sin(2 * np.pi * f * np.arange(200) / sr),
                            mode="same") for f in (700, 1200, 2600))
    voice *= 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)  # syllables
    pcm = (voice / np.abs(voice).max() * 0.5 * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def main() -> int:
    data_dir = Path(sys.argv[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith(SWITCHES)}
    env |= {"HOTLINE_DATA_DIR": str(data_dir), "HOTLINE_SCHEDULER_ENABLED": "true",
            "HOTLINE_WARM_UP_MODELS": "true", "HOTLINE_SCHEDULER_INTERVAL_S": "2"}
    env.pop("HOTLINE_DATABASE_URL", None)
    result: dict = {"network": network_is_gone(), "calls": {}}
    subprocess.run([sys.executable, "-m", "api", "init", "--demo"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    if len(sys.argv) > 2:  # a prebuilt demo index (built the same way, offline) saves the embedding time
        shutil.copytree(Path(sys.argv[2]), data_dir / "indexes" / "kb", dirs_exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/api/v1"
    log = (data_dir / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    http = httpx.Client(base_url=base, timeout=120)

    def call(name: str, method: str, path: str, **kw) -> httpx.Response:
        t0 = time.monotonic()
        r = http.request(method, path, **kw)
        result["calls"][name] = {"status": r.status_code, "s": round(time.monotonic() - t0, 3)}
        return r

    try:
        deadline = time.monotonic() + 600
        health: dict = {}
        while time.monotonic() < deadline:
            try:
                health = http.get("/health", timeout=2).json()
                caps = health["capabilities"]
                if caps["knowledge_base"]["ready"] and caps["routing"]["ok"]:
                    break
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            if proc.poll() is not None:
                raise SystemExit("service exited")
            time.sleep(0.5)
        result["startup_s"] = round(time.monotonic() - deadline + 600, 1)

        def login(role: str) -> dict[str, str]:
            user = next(u for u in USERS if u["role"] == role)
            r = http.post("/auth/login", json={"username": user["username"], "password": user["password"]})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        agent, unit, qa, sup = login("agent"), login("unit_staff"), login("qa"), login("supervisor")
        unit_code = next(u for u in USERS if u["role"] == "unit_staff")["unit_code"]
        # 智能语音转写: a recorded call, transcribed by the embedded Whisper
        r = call("asr_recording", "POST", "/calls/recordings", headers=agent,
                 files={"file": ("call.wav", speech_like_wav(), "audio/wav")}, data={"caller_number": "13972600001"})
        rec = r.json()
        result["recording"] = {"source": rec.get("source"), "status": rec.get("status")}
        # 智能问答: self-service retrieval
        r = call("retrieval", "POST", "/selfservice/ask", json={"question": "新生娃儿么样上户口"})
        result["answer_mode"] = r.json().get("mode")
        # 智能分类 and 智能派单
        text = "燕子镇新行村停水三天了，一直没人管，请尽快派人维修。"
        r = call("classification", "POST", "/classify", headers=agent, json={"text": text})
        result["appeal_type"] = r.json().get("appeal_type", {}).get("label")
        r = call("dispatch", "POST", "/dispatch", headers=agent, json={"text": text})
        result["dispatch_unit"] = r.json().get("unit_code") or ("escalate" if r.json().get("escalate") else None)
        # 智能填单: a draft from call turns
        turns = [{"speaker": "agent", "start": 0, "end": 3, "text": "您好，12345热线，请问有什么可以帮您？"},
                 {"speaker": "caller", "start": 3.5, "end": 9, "text": text + "我电话一三九七二六零零零零三。"},
                 {"speaker": "agent", "start": 9.5, "end": 13, "text": "好的，马上给您登记转水务部门，感谢来电，再见。"}]
        r = call("form_filling", "POST", "/calls/drafts", headers=agent,
                 json={"turns": turns, "call_time": datetime.now(UTC).isoformat()})
        result["draft_township"] = (r.json().get("township") or {}).get("value")
        # 智能质检: a live call with typed turns, scored when it ends
        cid = call("call_start", "POST", "/calls", headers=agent, json={"caller_number": "13972600003"}).json()["id"]
        call("call_segments", "POST", f"/calls/{cid}/segments", headers=agent, json={"segments": turns})
        call("call_end", "POST", f"/calls/{cid}/end", headers=agent)
        r = call("qa_results", "GET", "/qa/results", headers=qa)
        result["qa_scored"] = any(x["call_id"] == cid for x in r.json())
        # the ticket center: accept, dispatch, sign, reply (closes) → a callback is planned
        r = call("ticket_create", "POST", "/tickets", headers=agent, json={
            "appeal_type": "求助", "title": "燕子镇新行村停水", "content": text, "township": "燕子镇",
            "caller_number": "13972600003", "dispatch": {"lead_unit": unit_code}})
        tid = r.json()["id"]
        call("ticket_sign", "POST", f"/tickets/{tid}/actions/sign", headers=unit, json={})
        call("ticket_reply", "POST", f"/tickets/{tid}/actions/reply", headers=unit,
             json={"reply": "已抢修管道，恢复供水。"})
        # 智能回访: the callback's script, an attempt read into resolution / satisfaction
        r = call("callback_list", "GET", "/callbacks", headers=agent, params={"include_future": True})
        cb = next(c for c in r.json() if c["ticket_id"] == tid)
        call("callback_script", "GET", f"/callbacks/{cb['id']}/script", headers=agent)
        r = call("callback_attempt", "POST", f"/callbacks/{cb['id']}/attempts", headers=agent,
                 json={"reached": True, "transcript": "水已经通了，问题解决了，挺满意的。"})
        result["callback_reading"] = r.json()
        # 统计报表 (PDF draws charts with matplotlib and embeds a font: nothing may be fetched)
        r = call("report_pdf", "GET", "/reports/week", headers=sup, params={"format": "pdf"})
        result["report_bytes"] = len(r.content)
        call("report_html", "GET", "/reports/month", headers=sup, params={"format": "html"})
        time.sleep(3)  # one scheduler pass
        health = http.get("/health").json()
        result["health"] = health["capabilities"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    result["exit_code"] = proc.returncode
    result["log_tail"] = (data_dir / "serve.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
