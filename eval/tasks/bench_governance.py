"""Governance benchmark: N generated tickets (default 1,000,000, bulk-inserted into SQLite), then
each dashboard query (volumes, warning scans, sensor and linkage matching) and each report (week and
month as HTML, PDF and XLSX) timed once. Aims: a dashboard query < 2 s, a report < 60 s on 2 cores."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from eval.common import peak_rss_mb

CATEGORIES = ["城乡建设", "交通运输", "劳动和社会保障", "卫生计生", "教育文体", "环境保护", "商贸旅游", "农业农村",
              "防汛抗旱", "地质灾害", "公共安全", "民政", "市场监管", "供水供电", "其他"]
APPEAL = ["咨询", "求助", "投诉", "举报", "建议", "表扬"]
SATISFACTION = ["满意", "基本满意", "不满意", ""]


def add_arguments(p) -> None:  # type: ignore[no-untyped-def]
    p.add_argument("--tickets", type=int, default=1_000_000, help="how many tickets to generate")
    p.add_argument("--days", type=int, default=730, help="spread over this many days up to --end")
    p.add_argument("--end", default="2026-11-20", help="last day of the generated data (local date)")
    p.add_argument("--keep", help="keep the database in this folder (default: a temporary folder)")
    p.add_argument("--seed", type=int, default=13)


def _ts(arr: np.ndarray) -> list[str]:
    return [s.replace("T", " ") for s in np.datetime_as_string(arr, unit="us")]


def generate(path: Path, n: int, days: int, end: date, unit_ids: list[int], townships: list[str],
             seed: int) -> float:
    """Bulk insert ``n`` tickets straight into the SQLite file; returns seconds."""
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    start = np.datetime64(end - timedelta(days=days - 1)) - np.timedelta64(8, "h")  # local midnight in UTC
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=WAL")
    cols = ("number,channel,caller_name,caller_number,contact_number,id_number,confidential,callback_ok,appeal_type,"
            "category,title,content,township,village,address_detail,event_time,urgency,lead_unit_id,handling_level,"
            "status,direct_answer,supervised,dispatched_at,sign_by,signed_at,close_by,return_by,max_close_by,"
            "closed_at,extension_count,extension_status,extension_days,extension_reason,reply,return_count,"
            "reopen_count,resolution,satisfaction,callback_at,call_id,recording_uri,created_by_id,created_at,"
            "updated_at,version")
    sql = f"INSERT INTO tickets ({cols}) VALUES ({','.join('?' * len(cols.split(',')))})"
    chunk = 100_000
    seq = 0
    for lo in range(0, n, chunk):
        m = min(chunk, n - lo)
        secs = np.sort(rng.integers(0, days * 86400, m))
        created = start + secs.astype("timedelta64[s]")
        month = ((created + np.timedelta64(8, "h")).astype("datetime64[M]").astype(int) % 12) + 1
        cat = rng.integers(0, len(CATEGORIES) - 2, m)
        flood = (month >= 6) & (month <= 8) & (rng.random(m) < 0.15)  # flood season: 防汛抗旱 / 地质灾害
        cat[flood] = len(CATEGORIES) - 7 + rng.integers(0, 2, flood.sum())
        town = rng.integers(0, len(townships), m)
        unit = rng.integers(0, len(unit_ids), m)
        dispatched = created + np.timedelta64(10, "m")
        sign_by = dispatched + np.timedelta64(24, "h")
        signed = dispatched + (rng.exponential(6, m) * 3600).astype("timedelta64[s]")
        close_by = dispatched + np.timedelta64(7, "D")
        closed = signed + (rng.exponential(3, m) * 86400).astype("timedelta64[s]")
        ext = (rng.random(m) < 0.05).astype(int)
        ret = (rng.random(m) < 0.04).astype(int)
        sup = (rng.random(m) < 0.02).astype(int)
        sat = rng.choice(4, m, p=[0.6, 0.2, 0.05, 0.15])
        appeal = rng.integers(0, len(APPEAL), m)
        c_s, d_s, sb_s, s_s, cb_s, cl_s = (_ts(a) for a in (created, dispatched, sign_by, signed, close_by, closed))
        rows = []
        for i in range(m):
            seq += 1
            c = CATEGORIES[cat[i]]
            rows.append((f"HF{seq:09d}", "phone", "", f"138{seq % 100000000:08d}", "", "", 0, 1, APPEAL[appeal[i]],
                         json.dumps([c, "其他"]), f"{townships[town[i]]}{c}问题", f"关于{c}的诉求第{seq}号", townships[town[i]],
                         "", "", None, "一般", unit_ids[unit[i]], "county", "archived", 0, int(sup[i]), d_s[i], sb_s[i],
                         s_s[i], cb_s[i], sb_s[i], cb_s[i], cl_s[i], int(ext[i]), "approved" if ext[i] else "none",
                         3 * int(ext[i]), "", "已办理。", int(ret[i]), 0, "解决" if sat[i] < 2 else "",
                         SATISFACTION[sat[i]], cl_s[i] if sat[i] < 3 else None, "", "", None, c_s[i], cl_s[i], 1))
        con.executemany(sql, rows)
        con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()
    return time.perf_counter() - t0


def _timed(figures: dict, name: str, fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    figures["times_s"][name] = round(time.perf_counter() - t0, 3)
    print(f"{name:<28} {figures['times_s'][name]:8.3f} s", flush=True)
    return out


def run(args) -> dict:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from assistant.access import Actor
    from assistant.config import Settings
    from assistant.db.models import Unit
    from assistant.hotspots.linkage import LinkageOrderIn
    from assistant.hotspots.sensors import SensorEventCreate
    from assistant.runtime import Hotline

    end = date.fromisoformat(args.end)
    now = datetime(end.year, end.month, end.day, 10, tzinfo=UTC)
    tmp = None
    if args.keep:
        root = Path(args.keep)
        root.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-governance-")
        root = Path(tmp.name)
    try:
        settings = Settings(data_dir=root, scheduler_enabled=False, warm_up_models=False)
        hl = Hotline(settings, now=lambda: now)
        hl.init(demo=False)
        with hl.db.read() as s:
            unit_ids = list(s.scalars(select(Unit.id)))
        towns = [t.name for t in hl.county.townships]
        figures: dict = {"tickets": args.tickets, "days": args.days, "times_s": {}}
        db_file = root / "hotline.db"
        figures["insert_s"] = round(generate(db_file, args.tickets, args.days, end, unit_ids, towns, args.seed), 1)
        figures["insert_rows_per_s"] = round(args.tickets / figures["insert_s"])
        print(f"generated {args.tickets} tickets in {figures['insert_s']} s", flush=True)
        sup = Actor(None, "bench", "基准", "supervisor")
        day = end.isoformat()
        hs = hl.hotspots
        _timed(figures, "volumes_day_x30", lambda: hs.volumes(sup, "day", day, 30))
        _timed(figures, "volumes_week_x12", lambda: hs.volumes(sup, "week", day, 12))
        _timed(figures, "volumes_month_x12", lambda: hs.volumes(sup, "month", day, 12))
        _timed(figures, "volumes_week_township", lambda: hs.volumes(sup, "week", day, 12, township=towns[0]))
        _timed(figures, "scan_day", lambda: hs.scan(sup, "day", day))
        _timed(figures, "scan_week", lambda: hs.scan(sup, "week", day))
        _timed(figures, "scan_month", lambda: hs.scan(sup, "month", day))
        _timed(figures, "warnings_list", lambda: hs.warnings(sup))
        at = now - timedelta(hours=3)
        event = SensorEventCreate(source="drone", external_id="B1", kind="山体滑坡", township=towns[1],
                                  occurred_at=at, description="无人机发现山体滑坡，道路堵塞")
        _timed(figures, "sensor_event_match", lambda: hs.sensors.post(event, sup))
        order = LinkageOrderIn(system="110", external_no="JQ1", title="道路堵塞", content="山体滑坡堵路",
                               township=towns[1], occurred_at=at)
        _timed(figures, "linkage_import_match", lambda: hs.linkage.import_orders([order.model_dump()], sup))
        for kind in ("week", "month"):
            for fmt in ("html", "pdf", "xlsx"):
                _timed(figures, f"report_{kind}_{fmt}", lambda kind=kind, fmt=fmt: hl.reports.build(sup, kind, day, fmt))
        hl.stop()
        times = figures["times_s"]
        dash = {k: v for k, v in times.items() if not k.startswith("report_")}
        figures["dashboard_max_s"] = max(dash.values())
        figures["report_max_s"] = max(v for k, v in times.items() if k.startswith("report_"))
        figures["dashboard_under_2s"] = figures["dashboard_max_s"] < 2
        figures["reports_under_60s"] = figures["report_max_s"] < 60
        figures["db_mb"] = round(db_file.stat().st_size / 1e6)
        figures["peak_rss_mb"] = peak_rss_mb()
        return figures
    finally:
        if tmp is not None:
            tmp.cleanup()
