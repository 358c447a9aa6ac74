"""The ``hotline`` command: ``init``, ``serve``, ``user``; later verbs (train, import, report)
plug in as further sub-commands."""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import sys

from assistant.config import Settings
from assistant.errors import AssistantError


def configure_logging(settings: Settings) -> None:
    logs = settings.ensure_dirs() / "logs"
    handler = logging.handlers.RotatingFileHandler(logs / "hotline.log", maxBytes=10_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    root.addHandler(logging.StreamHandler(sys.stderr))


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.runtime import Hotline

    hotline = Hotline(settings)
    counts = hotline.init(demo=args.demo)
    print(f"数据目录：{hotline.data_dir}")
    print(f"数据库：{'SQLite' if hotline.db.is_sqlite else 'PostgreSQL'}，已升级到最新结构")
    print(f"县：{hotline.county.name}（新增单位 {counts['units_added']} 个，新增用户 {counts['users_added']} 个）")
    if args.demo:
        print("演示账号见 assistant/demo/heifeng/users.json（虚构，首次使用后请修改密码）")
    hotline.stop()
    return 0


# a live call's WebSocket is cut only after a minute without an answer to the server's ping: on an
# overloaded 2-core box a 20-second limit (uvicorn's default) dropped calls that were still alive
WS_KEEPALIVE = {"ws_ping_interval": 20.0, "ws_ping_timeout": 60.0}


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api import workers
    from api.app import create_app

    configure_logging(settings)
    host = args.host or settings.host
    port = args.port or settings.port
    print(f"12345 热线智能助手：http://{host}:{port}/api/docs")
    # served, repeated-appeal detection runs in a process of its own (the API's GIL stays with the
    # requests); HOTLINE_GOVERNANCE_PROCESS=false keeps it in a thread of each worker
    import os

    if "HOTLINE_GOVERNANCE_PROCESS" not in os.environ:  # the workers read it from the environment
        os.environ["HOTLINE_GOVERNANCE_PROCESS"] = "true"
        settings = settings.model_copy(update={"governance_process": True})
    if args.workers > 1:
        # each worker process builds its own service from the environment; the scheduler's
        # database lease keeps exactly one of them sending reminders
        if args.no_scheduler:
            os.environ["HOTLINE_SCHEDULER_ENABLED"] = "false"
        options = {"log_level": "warning", "access_log": False, **WS_KEEPALIVE}
        if workers.reuse_port_available():  # a socket each: the kernel spreads the connections
            return workers.serve(host, port, args.workers, options)
        uvicorn.run("api.app:create_app", factory=True, workers=args.workers, host=host, port=port, **options)
        return 0
    # no --no-scheduler: the settings decide (HOTLINE_SCHEDULER_ENABLED)
    app = create_app(settings, start_scheduler=False if args.no_scheduler else None)
    if args.demo_call_once:
        _demo_call_once(settings, f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, **WS_KEEPALIVE)
    return 0


def _demo_call_once(settings: Settings, base_url: str) -> None:
    """First start only: once the service answers, play the demo call in a background thread."""
    import threading

    marker = settings.ensure_dirs() / "demo_call.done"
    if marker.exists():
        return

    def play() -> None:
        import time

        import httpx

        logging.getLogger("httpx").setLevel(logging.WARNING)  # the demo's own requests are not news

        from api.demo_call import run_demo

        for _ in range(600):
            try:
                if httpx.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        print("首次启动：演示一通电话走完七个智能场景（hotline demo call 可再次演示）", flush=True)
        try:
            run_demo(base_url, out=lambda line: print(line, flush=True))
            marker.write_text("done\n", encoding="utf-8")
        except Exception as exc:  # a failed demo must never take the service down
            print(f"演示未完成：{exc!r}", flush=True)

    threading.Thread(target=play, name="demo-call", daemon=True).start()


def cmd_demo_call(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    import httpx
    from websockets.exceptions import WebSocketException

    from api.demo_call import DemoError, run_demo

    base_url = args.url or f"http://127.0.0.1:{settings.port}"
    try:
        outcome = run_demo(base_url, audio=Path(args.audio) if args.audio else None, start_s=args.start,
                           end_s=args.end, speed=args.speed, frame_ms=args.frame_ms,
                           out=lambda line: print(line, flush=True))
    except DemoError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except TimeoutError:
        print(f"错误：等待服务 {base_url} 的实时转写结果超时", file=sys.stderr)
        return 2
    except (OSError, httpx.HTTPError, WebSocketException) as exc:
        print(f"错误：连不上服务 {base_url}（{exc}）；请先运行 hotline serve", file=sys.stderr)
        return 2
    return 0 if outcome.ticket_number else 1


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from assistant.auth import hash_password
    from assistant.db.models import Unit, User
    from assistant.runtime import Hotline

    hotline = Hotline(settings)
    hotline.migrate()
    with hotline.db.write() as s:
        unit_id = None
        if args.unit:
            unit_id = s.scalar(select(Unit.id).where(Unit.code == args.unit))
            if unit_id is None:
                raise AssistantError(f"单位编码“{args.unit}”不存在")
        s.add(User(username=args.username, display_name=args.name or args.username, role=args.role,
                   unit_id=unit_id, password_hash=hash_password(args.password), created_at=hotline.now()))
    print(f"已添加用户 {args.username}（{args.role}）")
    hotline.stop()
    return 0


def cmd_import_kb(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from assistant.access import Actor
    from assistant.kb.io import ImportFailed
    from assistant.kb.transfer import import_articles
    from assistant.runtime import Hotline

    path = Path(args.file)
    fmt = args.format or path.suffix.lstrip(".").lower()
    hotline = Hotline(settings)
    hotline.migrate()
    admin = Actor(None, "cli", "命令行导入", "admin")
    try:
        report = import_articles(hotline.kb, path.read_bytes(), fmt, admin, publish=args.publish)
    except ImportFailed as exc:
        print(f"错误：{exc}", file=sys.stderr)
        for err in (exc.details or {}).get("errors", [])[:50]:
            print(f"  第 {err['row']} 行 {err['field']}：{err['message']}", file=sys.stderr)
        return 2
    finally:
        hotline.stop()
    print(f"已导入 {report.imported} 条（{'已发布' if args.publish else '草稿，待审核'}）")
    return 0


def cmd_train_classifier(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from assistant.runtime import Hotline

    path = Path(args.data) if args.data else None
    hotline = Hotline(settings)
    try:
        hotline.migrate()
        result = hotline.routing.train(path.read_bytes() if path else None,
                                       "xlsx" if path and path.suffix.lower() == ".xlsx" else "csv",
                                       use_history=not args.no_history)
    finally:
        hotline.stop()
    m = result["metrics"]
    print(f"已训练并启用分类模型 {result['version']}：留出集准确率 {m['accuracy']:.3f}，宏平均 F1 {m['macro_f1']:.3f}"
          f"（{m['split']}，训练 {m['train_s']} 秒；导入 {m['imported_rows']} 条，"
          f"库中工单分类与坐席更正 {m['history_rows']} 条）")
    return 0


def cmd_model_use(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.routing import ModelStore

    store = ModelStore(settings.resolved_data_dir() / "models" / "category")
    if args.version:
        store.use(args.version)
    for v in store.versions():
        print(("* " if v["current"] else "  ") + v["version"], json.dumps(v["card"].get("metrics", {}),
                                                                         ensure_ascii=False))
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from assistant.access import Actor
    from assistant.runtime import Hotline

    hotline = Hotline(settings)
    try:
        hotline.migrate()
        fmt = args.format or Path(args.out).suffix.lstrip(".").lower() or "html"
        out = hotline.reports.build(Actor(None, "cli", "命令行", "admin"), args.period, args.date, fmt)
    finally:
        hotline.stop()
    Path(args.out).write_bytes(out.content)
    d = out.data
    print(f"已生成{d.title}（{d.label}）：{args.out}；受理 {d.total} 件，承办单位 {len(d.units)} 个，"
          f"重点督办 {len(d.supervised)} 件，预警 {len(d.warnings)} 条")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline", description="12345 热线智能助手")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="创建/升级数据库并载入县级配置")
    p.add_argument("--demo", action="store_true", help="同时载入演示县（鹤峰县）的演示账号")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("serve", help="启动服务（API 与定时任务）")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--no-scheduler", action="store_true", help="不在本进程运行定时任务")
    p.add_argument("--workers", type=int, default=1,
                   help="工作进程数（默认 1；多进程时实时通话须由同一进程处理，见 README 部署一节）")
    p.add_argument("--demo-call-once", action="store_true",
                   help="首次启动时在后台演示一通电话（hotline demo call），数据目录里留下标记后不再重复")
    p.set_defaults(func=cmd_serve)
    demo = sub.add_parser("demo", help="演示").add_subparsers(dest="demo_command", required=True)
    p = demo.add_parser("call", help="把演示录音实时推入运行中的服务，逐步展示转写、推荐、草稿、派单、办理、质检、回访与留痕")
    p.add_argument("--url", help="服务地址（默认 http://127.0.0.1:端口）")
    p.add_argument("--audio", help="双声道录音（左坐席、右来电人）；默认项目自带的演示录音")
    p.add_argument("--start", type=float, default=0.0, help="从录音第几秒开始")
    p.add_argument("--end", type=float, default=None, help="到录音第几秒结束")
    p.add_argument("--speed", type=float, default=1.0, help="推送速度（1 = 实时）")
    p.add_argument("--frame-ms", type=int, default=100, help="每帧毫秒数")
    p.set_defaults(func=cmd_demo_call)
    train = sub.add_parser("train", help="训练模型").add_subparsers(dest="train_command", required=True)
    p = train.add_parser("classifier", help="用本县历史工单（label,text 的 CSV/XLSX）训练分类模型")
    p.add_argument("--data", help="label,text 的 CSV/XLSX；缺省时只用库中工单分类与坐席更正")
    p.add_argument("--no-history", action="store_true", help="不使用库中工单分类与坐席更正")
    p.set_defaults(func=cmd_train_classifier)
    p = sub.add_parser("models", help="列出分类模型版本；--use 切换或回滚")
    p.add_argument("--use", dest="version")
    p.set_defaults(func=cmd_model_use)
    imp = sub.add_parser("import", help="导入数据").add_subparsers(dest="import_command", required=True)
    p = imp.add_parser("kb", help="导入知识库条目（csv/xlsx/jsonl/md）")
    p.add_argument("file")
    p.add_argument("--format", choices=["csv", "xlsx", "jsonl", "md"])
    p.add_argument("--publish", action="store_true", help="导入后直接发布")
    p.set_defaults(func=cmd_import_kb)
    p = sub.add_parser("report", help="生成周报 / 月报（html、pdf、xlsx，含图表）")
    p.add_argument("--period", required=True, choices=["week", "month"])
    p.add_argument("--date", help="期间内任一天 YYYY-MM-DD（默认今天）")
    p.add_argument("--format", choices=["html", "pdf", "xlsx"], help="默认取 --out 的扩展名")
    p.add_argument("--out", required=True, help="输出文件")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("backup", help="备份数据库与附件、录音、本县模型（运行中也可备份）")
    p.add_argument("--out", help="备份文件（.tar.gz）；默认放在数据目录的 backups/ 下")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="把备份恢复到空的数据目录 / 空数据库")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore)
    user = sub.add_parser("user", help="用户管理").add_subparsers(dest="user_command", required=True)
    p = user.add_parser("add", help="添加用户")
    p.add_argument("username")
    p.add_argument("--password", required=True)
    p.add_argument("--role", required=True, choices=["agent", "unit_staff", "qa", "supervisor", "admin"])
    p.add_argument("--unit", help="承办单位编码（unit_staff 必填）")
    p.add_argument("--name")
    p.set_defaults(func=cmd_user_add)
    return parser


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from assistant.backup import backup
    from assistant.db.engine import Database

    data_dir = settings.ensure_dirs()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else data_dir / "backups" / f"hotline-{stamp}.tar.gz"
    db = Database(settings.resolved_database_url())
    try:
        summary = backup(db, data_dir, out, lambda: datetime.now(UTC))
    finally:
        db.dispose()
    print(f"已备份到 {summary.path}（结构版本 {summary.revision}，{sum(summary.rows.values())} 行，"
          f"{summary.files} 个文件；工单 {summary.rows.get('tickets', 0)} 张）")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from assistant.backup import restore
    from assistant.db.engine import Database

    data_dir = settings.ensure_dirs()
    db = Database(settings.resolved_database_url())
    try:
        summary = restore(db, data_dir, Path(args.file))
    finally:
        db.dispose()
    print(f"已从 {summary.path} 恢复（{sum(summary.rows.values())} 行，{summary.files} 个文件；"
          f"工单 {summary.rows.get('tickets', 0)} 张），数据库已升级到最新结构")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        return args.func(args, settings)
    except AssistantError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
