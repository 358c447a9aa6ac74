"""No outbound connection at run time: the real service, started inside a network namespace with
loopback only (``unshare -n``), serves every capability through its API, and its model libraries
never try the network (any try would fail: there is no route and no resolver; the timings show that
nothing waits on DNS). The service gets an environment without any offline switch: it sets them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PROBE = Path(__file__).with_name("netns_probe.py")
ROOT = Path(__file__).resolve().parents[2]


def _netns_usable() -> str | None:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare or ip is not installed"
    proc = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, text=True)
    if proc.returncode != 0:
        return f"network namespaces are not permitted here (needs root or CAP_SYS_ADMIN): {proc.stderr.strip()}"
    return None


def test_every_capability_works_with_no_network(tmp_path: Path, demo_kb_index: Path) -> None:
    reason = _netns_usable()
    if reason:
        pytest.skip(reason)
    cmd = f'ip link set lo up && exec "{sys.executable}" "{PROBE}" "{tmp_path / "data"}" "{demo_kb_index}"'
    proc = subprocess.run(["unshare", "-n", "sh", "-c", cmd], capture_output=True, text=True, cwd=ROOT,
                          timeout=1500, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # the namespace really has no network, and fails fast (no DNS wait)
    assert result["network"]["dns"].startswith("failed") and result["network"]["dns_s"] < 2
    assert result["network"]["connect"].startswith("failed") and result["network"]["connect_s"] < 2
    calls = result["calls"]
    expected = {"asr_recording": 201, "retrieval": 200, "classification": 200, "dispatch": 200,
                "form_filling": 200, "call_start": 201, "call_segments": 200, "call_end": 200, "qa_results": 200,
                "ticket_create": 201, "ticket_sign": 200, "ticket_reply": 200, "callback_list": 200,
                "callback_script": 200, "callback_attempt": 200, "report_pdf": 200, "report_html": 200}
    assert {k: calls[k]["status"] for k in expected} == expected, result["log_tail"]
    slow = {k: v["s"] for k, v in calls.items() if v["s"] > 60}
    assert not slow, f"requests that waited (a network timeout?): {slow}"
    assert result["recording"] == {"source": "recording", "status": "ended"}
    assert result["answer_mode"] in {"answer", "candidates"}
    assert result["appeal_type"] and result["dispatch_unit"]
    assert result["draft_township"] == "燕子镇"
    assert result["qa_scored"] is True
    assert result["callback_reading"]["callback"]["status"] == "reached"
    assert result["callback_reading"]["suggestion"]["resolution"] == "解决"
    assert result["report_bytes"] > 1000
    health = result["health"]
    # the service switched the hubs and telemetry off itself (its environment had no switch)
    assert health["offline"]["ok"] is True, health["offline"]
    assert health.get("offline", {}).get("hub_offline", True) is True
    for cap in ("database", "routing", "knowledge_base", "asr"):
        assert health[cap]["ok"] is True, (cap, health[cap])
    assert health["asr"]["ready"] is True and health["knowledge_base"]["ready"] is True
    assert health["scheduler"]["leader"] is True and health["scheduler"]["ok"] is True
    assert result["exit_code"] in (0, -15), result["log_tail"]
