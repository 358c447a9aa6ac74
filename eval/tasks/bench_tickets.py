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
from eval.loadgen import Connection


def add_arguments(p) -> None:  # type: ignore[no-untyped-def]
    p.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    p.add_argument("--creates", type=int, default=2000, help="tickets to create")
    p.add_argument("--reads", type=int, default=2000, help="read requests (detail and list)")
    p.add_argument("--database-url", default=None, help="PostgreSQL URL; default: SQLite in a temp data dir")
    p.add_argument("--sqlite-synchronous", default="FULL")
    p.add_argument("--workers", type=int, default=1, help="API worker processes (hotline serve --workers)")
    p.add_argument("--read-rates", default="50,100,200",
                   help="offered read rates (requests/s, comma-separated) for the paced read phases; empty: none")
    p.add_argument("--paced-seconds", type=float, default=10.0, help="length of each paced read phase")
    p.add_argument("--models", action="store_true",
                   help="start the service as deployed, models warmed and the scheduler on: repeated-appeal "
                        "detection then compares e5 sentence vectors (default: models off, character n-grams, "
                        "no scheduler)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _users() -> tuple[dict, dict]:
    users = json.loads((PROJECT_ROOT / "assistant/demo/heifeng/users.json").read_text(encoding="utf-8"))
    agent = next(u for u in users if u["role"] == "agent")
    unit = next(u for u in users if u["role"] == "unit_staff")
    return agent, unit


async def _phase(port: int, n: int, clients: int, make) -> tuple[float, list[float], int]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def worker(conn: Connection) -> None:
        nonlocal errors
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t0 = time.perf_counter()
            ok = await make(conn, i)
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += 0 if ok else 1

    conns = [Connection("127.0.0.1", port) for _ in range(clients)]
    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    wall = time.perf_counter() - start
    for c in conns:
        await c.close()
    return wall, latencies, errors


async def _paced(port: int, rate: float, seconds: float, clients: int, make) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    """Open loop: request i is due at start + i/rate, whoever is free takes it; its latency counts
    from when it was due, so a server that falls behind shows it (no coordinated omission)."""
    n = max(1, int(rate * seconds))
    latencies: list[float] = []
    errors = 0
    next_i = 0
    start = time.perf_counter() + 0.05

    async def worker(conn: Connection) -> None:
        nonlocal errors, next_i
        while next_i < n:
            i = next_i
            next_i += 1
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            ok = await make(conn, i)
            latencies.append((time.perf_counter() - due) * 1000)
            errors += 0 if ok else 1

    conns = [Connection("127.0.0.1", port) for _ in range(clients)]
    await asyncio.gather(*(worker(c) for c in conns))
    for c in conns:
        await c.close()
    return latencies, errors


async def _drained(port: int, timeout: float = 600.0) -> float:
    """Seconds until the service's repeated-appeal detection has caught up with the tickets just
    created (it runs beside the requests; the next phase should not pay for this one's backlog)."""
    start = time.perf_counter()
    quiet = 0
    while time.perf_counter() - start < timeout and quiet < 6:
        # a new connection each time: with several workers each answers for its own queue
        conn = Connection("127.0.0.1", port)
        try:
            status, data = await conn.request("GET", f"{_API}/health")
        finally:
            await conn.close()
        # (``queued`` is None while the detection process starts: not caught up yet)
        idle = status == 200 and json.loads(data)["capabilities"].get("governance", {}).get("queued") == 0
        quiet = quiet + 1 if idle else 0
        await asyncio.sleep(0.2)
    return round(time.perf_counter() - start, 1)


def _models_ready(health: dict) -> bool:
    """The models the service warms at start have loaded (the knowledge base's index built,
    detection on e5 vectors): the benchmark must not share the box with the start-up's loading."""
    caps = health.get("capabilities", {})
    kb = caps.get("knowledge_base", {})
    return (kb.get("ready") is True or bool(kb.get("reason"))) and caps.get("governance", {}).get("similarity") == "embedding"


def _cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the server process and its worker processes,
    and of that by the detection process (Linux /proc; 0 elsewhere): a figure that holds when
    other work shares the box."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    family, total, grew = {pid}, 0.0, True
    while grew:
        grew = False
        for child, (ppid, _) in stats.items():
            if ppid in family and child not in family:
                family.add(child)
                grew = True
    detection = 0.0
    for member in family:
        used = stats.get(member, (0, 0.0))[1]
        total += used
        try:
            if b"detection_process" in Path(f"/proc/{member}/cmdline").read_bytes():
                detection += used
        except OSError:
            pass
    return total, detection


_API = "/api/v1"
_TOPICS = ("夜间施工噪音扰民", "路灯不亮", "自来水停水", "垃圾清运不及时", "农村公路塌方", "拖欠农民工工资",
           "占道经营", "医保报销咨询", "低保申请", "山林权属纠纷", "校车超载", "烧烤油烟扰民", "养老保险缴费",
           "危房改造补助", "网络信号差", "电价收费异议", "狂犬疫苗缺货", "河道采砂", "生猪养殖污染", "公交班次少",
           "新农合报销比例", "茶叶收购压价", "退耕还林补助未到", "学校食堂卫生", "出租车拒载", "小区物业乱收费",
           "山体滑坡隐患", "桥梁护栏损坏", "户口迁移办理", "残疾证办理", "燃气安全隐患", "野猪毁坏庄稼")


def _places() -> list[tuple[str, str]]:
    county = json.loads((PROJECT_ROOT / "assistant/demo/heifeng/county.json").read_text(encoding="utf-8"))
    return [(t["name"], v if isinstance(v, str) else v.get("name", "")) for t in county["townships"]
            for v in t.get("villages", [])] or [(t["name"], "") for t in county["townships"]]


async def _bench(port: int, args, pid: int = 0) -> dict:  # type: ignore[no-untyped-def]
    agent, unit = _users()
    login = Connection("127.0.0.1", port)

    async def token(u: dict) -> dict:
        status, data = await login.request("POST", f"{_API}/auth/login",
                                           body={"username": u["username"], "password": u["password"]})
        if status != 200:
            raise RuntimeError(f"登录失败：{status} {data[:200]!r}")
        return {"Authorization": f"Bearer {json.loads(data)['access_token']}"}

    ha, hu = await token(agent), await token(unit)
    await login.close()
    ids: list[int] = []
    places = _places()

    async def create(conn: Connection, i: int) -> bool:
        # distinct callers; 32 matters over the county's villages. At this volume a matter recurs
        # in one township often enough to form 一事多人 cases, as in a real surge: their detection
        # (case links, 督办) runs in the service's background, and the next phase waits for it
        topic = _TOPICS[(i * 7) % len(_TOPICS)]
        township, village = places[(i * 13) % len(places)]
        body = {"appeal_type": "投诉", "title": f"{village}{topic}",
                "content": f"{township}{village}{i % 9 + 1}组{topic}，来电人要求尽快处理。",
                "township": township, "village": village, "caller_number": f"139{i:08d}",
                "dispatch": {"lead_unit": unit["unit_code"]}}
        status, data = await conn.request("POST", f"{_API}/tickets", body=body, headers=ha)
        if status == 201:
            ids.append(json.loads(data)["id"])
        return status == 201

    async def sign(conn: Connection, i: int) -> bool:
        status, _ = await conn.request("POST", f"{_API}/tickets/{ids[i]}/actions/sign", body={}, headers=hu)
        return status == 200

    async def read(conn: Connection, i: int) -> bool:
        if i % 2:
            status, _ = await conn.request("GET", f"{_API}/tickets/{ids[i % len(ids)]}", headers=ha)
        else:
            status, _ = await conn.request("GET", f"{_API}/tickets", params={"page": 1 + i % 5, "size": 20},
                                           headers=ha)
        return status == 200

    out: dict = {}
    for name, n, fn in (("create", args.creates, create), ("transition", None, sign), ("read", args.reads, read)):
        n = len(ids) if n is None else n
        (cpu0, det0), own0 = (_cpu(pid) if pid else (0.0, 0.0)), time.process_time()
        wall, lat, errs = await _phase(port, n, args.clients, fn)
        own = time.process_time() - own0
        out[name] = {"requests": n, "per_s": round(n / wall, 1), "p50_ms": round(percentile(lat, 50), 2),
                     "p95_ms": round(percentile(lat, 95), 2), "errors": errs}
        if pid:  # cores the server used during the phase itself (a surge's detection may lag behind it)
            mid, det_mid = _cpu(pid)
            out[name]["server_cores"] = round((mid - cpu0) / wall, 2)
            out[name]["detection_cores"] = round((det_mid - det0) / wall, 2)
        if name == "create":
            out[name]["detection_drain_s"] = await _drained(port)
        # server CPU per request, the creations' background detection included
        cpu1, det1 = _cpu(pid) if pid else (0.0, 0.0)
        out[name]["cpu_ms"] = round((cpu1 - cpu0) * 1000 / max(n, 1), 2) if pid else None
        out[name]["detection_cpu_ms"] = round((det1 - det0) * 1000 / max(n, 1), 2) if pid else None
        out[name]["client_cpu_ms"] = round(own * 1000 / max(n, 1), 2)  # the load generator shares the cores
    for rate in [float(r) for r in args.read_rates.split(",") if r.strip()]:
        lat, errs = await _paced(port, rate, args.paced_seconds, args.clients, read)
        out[f"read@{rate:g}/s"] = {"requests": len(lat), "per_s": rate, "p50_ms": round(percentile(lat, 50), 2),
                                   "p95_ms": round(percentile(lat, 95), 2), "errors": errs}
    return out


def run(args) -> dict:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        # --models is the service as deployed: its scheduler (reminders, notices) runs too
        env = os.environ | {"HOTLINE_DATA_DIR": str(Path(tmp) / "data"),
                            "HOTLINE_SCHEDULER_ENABLED": "true" if args.models else "false",
                            "HOTLINE_WARM_UP_MODELS": "true" if args.models else "false",
                            "HOTLINE_SQLITE_SYNCHRONOUS": args.sqlite_synchronous}
        if args.database_url:
            env["HOTLINE_DATABASE_URL"] = args.database_url
        else:
            env.pop("HOTLINE_DATABASE_URL", None)
        subprocess.run([sys.executable, "-m", "api", "init", "--demo"], env=env, check=True, capture_output=True)
        port = _free_port()
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port),
                                 "--workers", str(args.workers)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}/api/v1"
            deadline = time.monotonic() + 300
            while True:
                try:
                    health = httpx.get(f"{base}/health", timeout=2)
                    ready = health.status_code == 200 and (not args.models or _models_ready(health.json()))
                    if ready:
                        break
                    if time.monotonic() > deadline:
                        raise RuntimeError("服务未能在时限内就绪")
                    time.sleep(0.5)
                except httpx.HTTPError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("服务未能启动") from None
                    time.sleep(0.3)
            figures = asyncio.run(_bench(port, args, proc.pid))
        except Exception:
            log.flush()
            print((Path(tmp) / "server.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    backend = "postgresql" if args.database_url else "sqlite"
    similarity = "语义向量" if args.models else "字符 n-gram（未加载模型）"
    print(f"工单中心基准（{backend}，{args.clients} 个并发客户端，{args.workers} 个服务进程，回环地址，"
          f"{os.cpu_count()} 核，synchronous={args.sqlite_synchronous}，重复诉求相似度：{similarity}）")
    for name, f in figures.items():
        paced = "（定速）" if "@" in name else ""
        cpu = (f"  CPU 服务端 {f['cpu_ms']:.2f}（其中检测进程 {f['detection_cpu_ms']:.2f}）/ 压测端 "
               f"{f['client_cpu_ms']:.2f} ms/次" if f.get("cpu_ms") is not None else "")
        if f.get("server_cores") is not None:
            cpu += f"；期间服务端占用 {f['server_cores']:.2f} 核（检测进程 {f['detection_cores']:.2f}）"
        print(f"  {name:<14} {f['requests']:>6} 次  {f['per_s']:>8.1f}/s{paced}  p50 {f['p50_ms']:>7.2f} ms  "
              f"p95 {f['p95_ms']:>7.2f} ms  错误 {f['errors']}{cpu}")
    print(f"  创建结束后重复诉求检测追平用时 {figures['create']['detection_drain_s']} s；"
          "定速读：请求按固定速率到达，延迟从应到时刻算起")
    return {"backend": backend, "clients": args.clients, "workers": args.workers, "models": bool(args.models),
            "detection_drain_s": figures["create"]["detection_drain_s"],
            **{f"{k}_{m}": v[m] for k, v in figures.items() for m in ("per_s", "p50_ms", "p95_ms", "errors")},
            **{f"{k}_{m}": v[m] for k, v in figures.items()
               for m in ("cpu_ms", "detection_cpu_ms", "client_cpu_ms", "server_cores", "detection_cores") if m in v}}
