"""bench-live: N simultaneous live calls streaming the demo recording in real time over the
WebSocket while agents and units use the API (ticket create / read / list, answer suggestions),
against a real server on loopback; bounded in count (``--calls``) and time (``--seconds`` per round).

python -m eval bench-live [--calls 1,2,4] [--seconds 90] [--api-clients 2] [--json]

Per round (N calls): the words' lag (speech end → final text pushed, the voice detector's
480 ms end-of-speech wait included), suggestion lag (speech end → suggestions pushed), whether a
call fell behind real time (its lag p95 over ``--behind-s``), the decode worker's counts (decodes in
overload mode and why, guesses), and the API latencies meanwhile.
The answer: the largest N with suggestion p95 < 1 s and no call behind.

Second measure (interim suggestions, :mod:`eval.live_measures`): *time to the right suggestion*,
per caller utterance, speech end → the earliest push (interim or final) from which on the top
article equals the one that utterance's final suggestions put first (0 when it was already on
screen), with the utterances whose final suggestions are empty counted apart and how often an
interim's top article was later replaced; and the largest N with its p95 < 1 s and no call behind.
``--interim-s 0`` starts the service without interim suggestions (the measure then counts only final
pushes), for a before/after pair on the same box."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from api.demo_call import CALL_DIR, demo_users
from api.live_client import load_channels, stream_call, summarise
from eval.common import percentile
from eval.live_measures import time_to_right
from eval.loadgen import Connection
from eval.tasks.bench_tickets import _free_port

_API = "/api/v1"
_QUESTIONS = ("村里的路垮了找哪个", "停水了好久来水", "低保么样申请", "医保报销要带啥子材料", "路灯不亮了")


def add_arguments(p) -> None:  # type: ignore[no-untyped-def]
    p.add_argument("--calls", default="1,2,4", help="simultaneous live calls per round, e.g. 1,2,4,6")
    p.add_argument("--seconds", type=float, default=90.0, help="audio streamed per call and round (≤ the recording)")
    p.add_argument("--api-clients", type=int, default=2, help="API clients working meanwhile")
    p.add_argument("--think-ms", type=int, default=300, help="pause between one API client's requests")
    p.add_argument("--frame-ms", type=int, default=100, help="audio per WebSocket frame and channel")
    p.add_argument("--stagger-s", type=float, default=1.7, help="start offset between calls of a round")
    p.add_argument("--behind-s", type=float, default=3.0, help="a call whose text lag p95 exceeds this fell behind")
    p.add_argument("--audio", type=Path, default=None, help="stereo recording (default: the demo call)")
    p.add_argument("--url", default=None, help="a running service instead of starting one (its data stays)")
    p.add_argument("--interim-s", type=float, default=None,
                   help="the started service's HOTLINE_ASR_LIVE_INTERIM_S (0: no interim suggestions; default: its own)")


async def _api_client(conn: Connection, headers: dict, i: int, stop: asyncio.Event, think: float,
                      lat: dict[str, list[float]], errors: list[str]) -> None:
    ids: list[int] = []
    k = 0
    while not stop.is_set():
        op = ("create", "read", "suggest", "list")[k % 4]
        t0 = time.perf_counter()
        if op == "create":
            body = {"appeal_type": "求助", "title": f"压测工单{i}-{k}", "content": f"走马镇第{k % 9}组路灯不亮，来电人要求修复。",
                    "township": "走马镇", "caller_number": f"1390{i:03d}{k:04d}", "dispatch": {"lead_unit": "zmz"}}
            status, data = await conn.request("POST", f"{_API}/tickets", body=body, headers=headers)
            if status == 201:
                ids.append(json.loads(data)["id"])
        elif op == "read" and ids:
            status, _ = await conn.request("GET", f"{_API}/tickets/{ids[-1]}", headers=headers)
        elif op == "suggest":
            status, _ = await conn.request("POST", f"{_API}/assist/suggest", headers=headers,
                                           body={"text": _QUESTIONS[k % len(_QUESTIONS)]})
        else:
            op = "list"
            status, _ = await conn.request("GET", f"{_API}/tickets", params={"page": 1, "size": 20}, headers=headers)
        lat.setdefault(op, []).append((time.perf_counter() - t0) * 1000)
        if status >= 400:
            errors.append(f"{op} {status}")
        k += 1
        await asyncio.sleep(think)


def _cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc), None when unknown."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _round(base: str, port: int, n: int, channels: list, args, pid: int | None = None) -> dict:  # type: ignore[no-untyped-def]
    users = {u["role"]: u for u in reversed(demo_users())}
    async with httpx.AsyncClient(base_url=base + _API, timeout=60) as http:
        r = await http.post("/auth/login", json={"username": users["agent"]["username"],
                                                  "password": users["agent"]["password"]})
        token = r.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        calls = [(await http.post("/calls", json={"caller_number": f"1391234{n:02d}{i:02d}"}, headers=headers)).json()["id"]
                 for i in range(n)]
    stop = asyncio.Event()
    lat: dict[str, list[float]] = {}
    errors: list[str] = []
    conns = [Connection("127.0.0.1", port) for _ in range(args.api_clients)]
    workers = [asyncio.create_task(_api_client(c, headers, i, stop, args.think_ms / 1000, lat, errors))
               for i, c in enumerate(conns)]

    async def one(i: int, call_id: int):  # type: ignore[no-untyped-def]
        await asyncio.sleep(i * args.stagger_s)
        return await stream_call(base, token, call_id, channels, frame_ms=args.frame_ms)

    live0 = await _live_stats(base)
    load0, cpu0, wall0 = os.getloadavg()[0], _cpu_s(pid), time.perf_counter()
    results = await asyncio.gather(*(one(i, c) for i, c in enumerate(calls)), return_exceptions=True)
    cpu1, wall1 = _cpu_s(pid), time.perf_counter()
    live1 = await _live_stats(base)
    stop.set()
    await asyncio.gather(*workers)
    for c in conns:
        await c.close()
    failed = [repr(r) for r in results if isinstance(r, BaseException)]
    ok = [r for r in results if not isinstance(r, BaseException)]
    text_lags = [x for r in ok for x in r.transcript_lags]
    sugg_lags = [x for r in ok for x in r.suggestion_lags]
    per_call = [summarise(r.transcript_lags)["p95"] for r in ok]
    behind = failed + [f"call {r.call_id}" for r, p95 in zip(ok, per_call, strict=True) if p95 is None or p95 > args.behind_s]
    api_all = [x for v in lat.values() for x in v]
    right = [time_to_right(r) for r in ok]
    return {
        "right_s": summarise([x for m in right for x in m["lags"]]),
        "right": {k: sum(m[k] for m in right) for k in ("from_interim", "empty", "unanswered", "interims",
                                                        "replaced", "unmatched")} | {
            "utterances": sum(len(m["lags"]) for m in right)},
        "interim_events": sum(len(r.interims) for r in ok),
        "calls": n, "segments": len(text_lags), "text_lag_s": summarise(text_lags),
        "suggestion_lag_s": summarise(sugg_lags), "call_text_lag_p95_s": per_call,
        "ended_after_s": [r.ended_after_s for r in ok], "sender_late_s": max([r.send_late_s for r in ok] or [0]),
        "behind": behind, "stream_errors": [e for r in ok for e in r.errors] + failed,
        "api_requests": len(api_all), "api_p95_ms": round(percentile(api_all, 95), 1),
        "api_p95_ms_by_op": {k: round(percentile(v, 95), 1) for k, v in sorted(lat.items())},
        "decoder": {k: round(v - live0.get(k, 0), 1) for k, v in live1.items() if isinstance(v, int | float)},
        "degraded": (live1.get("degraded") or 0) - (live0.get("degraded") or 0),
        "api_errors": errors[:10], "load_avg_1min": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "server_cpu_s": None if cpu0 is None or cpu1 is None else round(cpu1 - cpu0, 1),
        "server_cpu_share": None if cpu0 is None or cpu1 is None else round((cpu1 - cpu0) / (wall1 - wall0), 3),
        "server_cpu_s_per_call_s": (None if cpu0 is None or cpu1 is None
                                    else round((cpu1 - cpu0) / (n * len(channels[0]) / 16000), 3)),
    }


async def _live_stats(base: str) -> dict:
    """The service's shared decode worker counts (``/health``: decoded, busy seconds, speculative
    recognitions offered, refused, used, dropped and wasted), {} when it does not report them."""
    async with httpx.AsyncClient(base_url=base + _API, timeout=30) as http:
        try:
            caps = (await http.get("/health")).json().get("capabilities", {})
        except (httpx.HTTPError, ValueError):
            return {}
    return (caps.get("asr") or {}).get("live") or {}


def _start_server(tmp: Path, interim_s: float | None = None) -> tuple[subprocess.Popen, str, int]:
    env = os.environ | {"HOTLINE_DATA_DIR": str(tmp / "data"), "HOTLINE_SCHEDULER_ENABLED": "false",
                        "HF_HUB_OFFLINE": "1"}
    if interim_s is not None:
        env["HOTLINE_ASR_LIVE_INTERIM_S"] = str(interim_s)
    env.pop("HOTLINE_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "api", "init", "--demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(f"{base}{_API}/health", timeout=2).status_code == 200:
                return proc, base, port
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("服务未能启动：" + (tmp / "server.log").read_text(errors="replace")[-2000:]) from None
            time.sleep(0.3)


async def _warm_up(base: str, channels: list) -> None:
    """One short call, not measured: loads Whisper, the KB index and the draft models."""
    users = {u["role"]: u for u in reversed(demo_users())}
    async with httpx.AsyncClient(base_url=base + _API, timeout=600) as http:
        r = await http.post("/auth/login", json={"username": users["agent"]["username"],
                                                  "password": users["agent"]["password"]})
        token = r.json()["access_token"]
        call_id = (await http.post("/calls", json={}, headers={"Authorization": f"Bearer {token}"})).json()["id"]
    await stream_call(base, token, call_id, [c[: 16000 * 12] for c in channels], speed=4.0, end_timeout_s=600)


def run(args) -> dict:  # type: ignore[no-untyped-def]
    rounds = [int(x) for x in str(args.calls).split(",") if x.strip()]
    channels = load_channels(args.audio or CALL_DIR / "call.ogg", 0.0, args.seconds)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        proc = None
        if args.url:
            base = args.url.rstrip("/")
            port = int(base.rsplit(":", 1)[1])
        else:
            proc, base, port = _start_server(tmp, args.interim_s)
        try:
            t0 = time.perf_counter()
            asyncio.run(_warm_up(base, channels))
            print(f"预热完成（{time.perf_counter() - t0:.0f} 秒）", flush=True)
            out = []
            for n in rounds:
                res = asyncio.run(_round(base, port, n, channels, args, None if proc is None else proc.pid))
                out.append(res)
                t, s = res["text_lag_s"], res["suggestion_lag_s"]
                print(f"N={n}: 转写延迟 p50 {t['p50']} / p95 {t['p95']} / 最大 {t['max']} 秒；推荐延迟 p50 {s['p50']} / "
                      f"p95 {s['p95']} 秒；落后 {len(res['behind'])} 路；API p95 {res['api_p95_ms']} ms "
                      f"{res['api_p95_ms_by_op']}；负载 {res['load_avg_1min']}；服务进程 CPU {res['server_cpu_s']} 秒"
                      f"（每通话秒 {res['server_cpu_s_per_call_s']}）", flush=True)
                g, m = res["right_s"], res["right"]
                print(f"  正确推荐上屏（说完 → 最终推荐的首条已在屏上）p50 {g['p50']} / p95 {g['p95']} / 最大 {g['max']} 秒，"
                      f"{m['utterances']} 句（{m['from_interim']} 句由暂定推荐先上屏）；最终无推荐 {m['empty']} 句、"
                      f"无最终推荐 {m['unanswered']} 句；暂定推送 {res['interim_events']} 次，其中首条后被换掉 "
                      f"{m['replaced']} / {m['interims']} 次（对不上最终句 {m['unmatched']} 次）", flush=True)
                if res["decoder"]:
                    d = res["decoder"]
                    print(f"  解码线程：{d}", flush=True)
                    print(f"  过载降级解码 {d.get('degraded', 0)} 句（共 {d.get('decoded', 0)} 次解码；排队 "
                          f"{d.get('degraded_waiting', 0)}、已迟 {d.get('degraded_late', 0)}、繁忙 "
                          f"{d.get('degraded_busy', 0)}）；推测识别 {d.get('speculated', 0)} 次、被拒 "
                          f"{d.get('refused', 0)} 次；解码线程忙 {d.get('busy_s', 0)} 秒", flush=True)
                for err in res["stream_errors"][:4]:
                    print(f"  通话出错：{err}", flush=True)
        except BaseException:
            if proc is not None:  # the server's side of a failed round
                print((tmp / "server.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:  # an overloaded box: do not lose the figures
                    proc.kill()
                    proc.wait(timeout=30)
    good = [r["calls"] for r in out if not r["behind"] and r["suggestion_lag_s"]["p95"] is not None
            and r["suggestion_lag_s"]["p95"] < 1.0]
    right_ok = [r["calls"] for r in out if not r["behind"] and r["right_s"]["p95"] is not None
                and r["right_s"]["p95"] < 1.0]
    figures = {"rounds": out, "max_calls_ok": max(good) if good else 0,
               "max_calls_ok_right": max(right_ok) if right_ok else 0, "interim_s": args.interim_s, "seconds_per_call": args.seconds,
               "frame_ms": args.frame_ms, "api_clients": args.api_clients, "cpus": os.cpu_count(),
               "text_lag_p95_s_1call": next((r["text_lag_s"]["p95"] for r in out if r["calls"] == 1), None)}
    print(f"推荐延迟 p95 < 1 秒且无通话落后的最大并发路数：{figures['max_calls_ok']}")
    print(f"正确推荐上屏 p95 < 1 秒且无通话落后的最大并发路数：{figures['max_calls_ok_right']}")
    return figures
