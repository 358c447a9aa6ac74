"""Ticket center benchmark: create / transition / read throughput and latency with N concurrent
clients against a real server on loopback (SQLite by default, PostgreSQL with --database-url)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from eval.common import PROJECT_ROOT, percentile


def add_arguments(p) -> None:  # type: ignore[no-untyped-def]
    p.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    p.add_argument("--creates", type=int, default=2000, help="tickets to create")
    p.add_argument("--reads", type=int, default=2000, help="read requests (detail and list)")
    p.add_argument("--database-url", default=None, help="PostgreSQL URL; default: SQLite in a temp data dir")
    p.add_argument("--sqlite-synchronous", default="FULL")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _users() -> tuple[dict, dict]:
    users = json.loads((PROJECT_ROOT / "assistant/demo/heifeng/users.json").read_text(encoding="utf-8"))
    agent = next(u for u in users if u["role"] == "agent")
    unit = next(u for u in users if u["role"] == "unit_staff")
    return agent, unit


async def _phase(n: int, clients: int, make) -> tuple[float, list[float], int]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def worker() -> None:
        nonlocal errors
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t0 = time.perf_counter()
            ok = await make(i)
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += 0 if ok else 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return time.perf_counter() - start, latencies, errors


async def _bench(base: str, args) -> dict:  # type: ignore[no-untyped-def]
    agent, unit = _users()
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        async def token(u: dict) -> dict:
            r = await http.post("/auth/login", json={"username": u["username"], "password": u["password"]})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        ha, hu = await token(agent), await token(unit)
        ids: list[int] = []

        async def create(i: int) -> bool:
            body = {"appeal_type": "投诉", "title": f"容美镇噪音扰民{i}", "content": "夜间施工噪音扰民，请处理。",
                    "township": "容美镇", "caller_number": "13907180000",
                    "dispatch": {"lead_unit": unit["unit_code"]}}
            r = await http.post("/tickets", json=body, headers=ha)
            if r.status_code == 201:
                ids.append(r.json()["id"])
            return r.status_code == 201

        async def sign(i: int) -> bool:
            r = await http.post(f"/tickets/{ids[i]}/actions/sign", json={}, headers=hu)
            return r.status_code == 200

        async def read(i: int) -> bool:
            if i % 2:
                r = await http.get(f"/tickets/{ids[i % len(ids)]}", headers=ha)
            else:
                r = await http.get("/tickets", params={"page": 1 + i % 5, "size": 20}, headers=ha)
            return r.status_code == 200

        out = {}
        for name, n, fn in (("create", args.creates, create), ("transition", None, sign), ("read", args.reads, read)):
            n = len(ids) if n is None else n
            wall, lat, errs = await _phase(n, args.clients, fn)
            out[name] = {"requests": n, "per_s": round(n / wall, 1), "p50_ms": round(percentile(lat, 50), 2),
                         "p95_ms": round(percentile(lat, 95), 2), "errors": errs}
        return out


def run(args) -> dict:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"HOTLINE_DATA_DIR": str(Path(tmp) / "data"), "HOTLINE_SCHEDULER_ENABLED": "false",
                            "HOTLINE_WARM_UP_MODELS": "false",
                            "HOTLINE_SQLITE_SYNCHRONOUS": args.sqlite_synchronous}
        if args.database_url:
            env["HOTLINE_DATABASE_URL"] = args.database_url
        else:
            env.pop("HOTLINE_DATABASE_URL", None)
        subprocess.run([sys.executable, "-m", "api", "init", "--demo"], env=env, check=True, capture_output=True)
        port = _free_port()
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}/api/v1"
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("服务未能启动") from None
                    time.sleep(0.3)
            figures = asyncio.run(_bench(base, args))
        except Exception:
            log.flush()
            print((Path(tmp) / "server.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"工单中心基准（{backend}，{args.clients} 个并发客户端，回环地址，{os.cpu_count()} 核）")
    for name, f in figures.items():
        print(f"  {name:<10} {f['requests']:>6} 次  {f['per_s']:>8.1f}/s  p50 {f['p50_ms']:>7.2f} ms  "
              f"p95 {f['p95_ms']:>7.2f} ms  错误 {f['errors']}")
    return {"backend": backend, "clients": args.clients, **{f"{k}_{m}": v[m] for k, v in figures.items()
                                                            for m in ("per_s", "p50_ms", "p95_ms", "errors")}}
