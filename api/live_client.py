"""A client of the live-call WebSocket: plays a two-channel recording into
``/api/v1/calls/{id}/stream`` in real time (agent and caller frames interleaved, as a telephony
media fork sends them) and times what comes back.

Latencies are measured from the moment the speaker stopped: an event that follows a segment ending
at ``end`` seconds into the call arrived ``wall - (t0 + end / speed)`` seconds after the words were
spoken (the voice detector's end-of-speech hangover included). Used by ``hotline demo call`` and by
``python -m eval bench-live``."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import numpy as np

SAMPLE_RATE = 16_000


@dataclass
class StreamResult:
    call_id: int
    audio_s: float
    segments: list[dict] = field(default_factory=list)  # each with arrived_s and lag_s
    suggestions: list[dict] = field(default_factory=list)
    suggestion_lags: list[float] = field(default_factory=list)
    # every suggestion push, final or interim (provisional), in arrival order: arrived_s, kind, top article code
    pushes: list[dict] = field(default_factory=list)
    interims: list[dict] = field(default_factory=list)  # interim events (caller still speaking), with arrived_s
    draft: dict = field(default_factory=dict)
    drafts: int = 0
    errors: list[str] = field(default_factory=list)
    ended_after_s: float | None = None  # from the end of the audio to the server's "ended"
    send_late_s: float = 0.0  # how far the sender itself fell behind its own schedule (client overload)

    @property
    def transcript_lags(self) -> list[float]:
        return [s["lag_s"] for s in self.segments]


def load_channels(path: str | Path, start_s: float = 0.0, end_s: float | None = None) -> list[np.ndarray]:
    """A stereo recording → [agent, caller] 16-bit PCM at 16 kHz (a mono one is the caller alone)."""
    from asr.audio import decode

    audio = decode(Path(path))
    chans = audio.channels if len(audio.channels) == 2 else [np.zeros_like(audio.channels[0]), audio.channels[0]]
    a, b = int(start_s * SAMPLE_RATE), None if end_s is None else int(end_s * SAMPLE_RATE)
    return [(np.clip(c[a:b], -1.0, 1.0) * 32767).astype("<i2") for c in chans]


def ws_url(base_url: str, call_id: int, token: str) -> str:
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = urlencode({"token": token, "sample_rate": SAMPLE_RATE})
    return f"{scheme}://{parts.netloc}/api/v1/calls/{call_id}/stream?{query}"


async def stream_call(base_url: str, token: str, call_id: int, channels: list[np.ndarray], *,
                      frame_ms: int = 100, speed: float = 1.0,
                      on_event: Callable[[str, Any, float], None] | None = None,
                      end_timeout_s: float = 120.0) -> StreamResult:
    """Send ``channels`` (agent, caller) paced at ``speed`` × real time; collect the pushed events.
    ``on_event(kind, data, lag_s)`` is called as each event arrives (lag_s for segments and suggestions;
    ``interim`` events, provisional suggestions while the caller speaks, come with lag None)."""
    from websockets.asyncio.client import connect

    step = SAMPLE_RATE * frame_ms // 1000
    total = max(len(c) for c in channels)
    result = StreamResult(call_id=call_id, audio_s=total / SAMPLE_RATE)
    loop = asyncio.get_running_loop()
    # no keepalive pings: a telephony media fork sends none, and a busy server must not drop the call
    async with connect(ws_url(base_url, call_id, token), max_size=2**22, open_timeout=30, ping_interval=None) as ws:
        t0 = loop.time()
        audio_done = asyncio.Event()
        update_end = [0.0]  # end of the latest segment: suggestions and draft follow it

        async def send() -> None:
            for k, i in enumerate(range(0, total, step)):
                due = t0 + k * frame_ms / 1000 / speed
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    result.send_late_s = max(result.send_late_s, -delay)
                for tag, pcm in enumerate(channels):
                    chunk = pcm[i:i + step]
                    if len(chunk):
                        await ws.send(bytes([tag]) + chunk.tobytes())
            await asyncio.sleep(max(0.0, t0 + total / SAMPLE_RATE / speed - loop.time()))
            audio_done.set()
            await ws.send(json.dumps({"type": "end"}))

        async def receive() -> None:
            async for message in ws:
                event = json.loads(message)
                kind, data, now = event.get("type"), event.get("data"), loop.time()
                lag = None
                if kind == "segment":
                    update_end[0] = max(update_end[0], float(data["end"]))
                    lag = round(now - (t0 + float(data["end"]) / speed), 3)
                    result.segments.append({**data, "arrived_s": round(now - t0, 3), "lag_s": lag})
                elif kind == "suggestions":
                    lag = round(now - (t0 + update_end[0] / speed), 3)
                    result.suggestions.append(data)
                    result.suggestion_lags.append(lag)
                    result.pushes.append({"arrived_s": round(now - t0, 3), "kind": "final", "top": top_article(data)})
                elif kind == "interim":
                    arrived = round(now - t0, 3)
                    result.interims.append({**data, "arrived_s": arrived})
                    if data.get("suggestions") is not None:
                        result.pushes.append({"arrived_s": arrived, "kind": "interim", "start": data.get("start"),
                                              "top": top_article(data["suggestions"])})
                elif kind == "draft":
                    result.draft, result.drafts = data, result.drafts + 1
                elif kind == "error":
                    result.errors.append(f"{data.get('code')}: {data.get('message')}")
                elif kind == "ended":
                    result.ended_after_s = round(now - (t0 + total / SAMPLE_RATE / speed), 3)
                if on_event:
                    on_event(kind, data, lag)
                if kind == "ended":
                    return

        sender = asyncio.create_task(send())
        try:
            await asyncio.wait_for(receive(), timeout=total / SAMPLE_RATE / speed + end_timeout_s)
        finally:
            sender.cancel()
    return result


def top_article(result: dict | None) -> str | None:
    """The article an agent sees first in a suggestions payload (None: no answer shown)."""
    if not result or result.get("mode") == "none" or not result.get("suggestions"):
        return None
    return result["suggestions"][0].get("code")


def summarise(values: list[float]) -> dict[str, float | None]:
    """p50 / p95 / max of a list of seconds (None when empty)."""
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 3)

    return {"p50": pick(0.5), "p95": pick(0.95), "max": round(ordered[-1], 3)}


def now_s() -> float:
    return time.perf_counter()
