"""Backup and restore: one ``.tar.gz`` with every table as JSON lines, the files that cannot be
rebuilt (attachments, call recordings, the county's trained models) and a manifest.

The dump is logical, not a copy of the SQLite file, so it is consistent while the service runs
(one read transaction), works the same on PostgreSQL, and restores into either backend: a
county can move from SQLite to PostgreSQL with ``backup`` then ``restore``. A restore goes into
an empty database only: it migrates to the backup's schema revision, loads every table in
foreign-key order, then migrates on to the newest schema. Search indexes, engine weights and
logs are not saved: the service rebuilds or reinstalls them.
"""

from __future__ import annotations

import base64
import importlib
import io
import json
import pkgutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import MetaData, Table, TypeDecorator, func, insert, inspect, select, text

import assistant.db as db_package
from assistant.db.engine import Database
from assistant.db.migrate import alembic_config
from assistant.db.models import Base
from assistant.errors import ValidationFailed

FORMAT = "hotline-backup/1"
FILE_DIRS = ("attachments", "recordings", "models/category")
BATCH = 2000


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    revision: str
    rows: dict[str, int]
    files: int


def metadata() -> MetaData:
    """Every table of the service (each ``*_models`` module registers its tables on ``Base``)."""
    for info in pkgutil.iter_modules(db_package.__path__):
        if info.name == "models" or info.name.endswith("_models"):
            importlib.import_module(f"{db_package.__name__}.{info.name}")
    return Base.metadata


def _kind(column: Any) -> str:
    col_type = column.type
    if isinstance(col_type, TypeDecorator):
        col_type = col_type.impl_instance
    try:
        python_type = col_type.python_type
    except NotImplementedError:
        return "plain"
    if python_type is datetime:
        return "datetime"
    if python_type is date:
        return "date"
    if python_type is bytes:
        return "bytes"
    return "plain"


def _encode(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    return value


def _revision(db: Database) -> str:
    with db.read() as s:
        return s.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def backup(db: Database, data_dir: Path, out: Path, now: Callable[[], datetime]) -> BackupSummary:
    """Write a backup of the database and the data directory's irreplaceable files to ``out``."""
    tables = metadata().sorted_tables
    rows: dict[str, int] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    files = 0
    with tarfile.open(partial, "w:gz") as tar:
        with db.read() as s:  # one transaction: a consistent snapshot of every table
            revision = s.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            for table in tables:
                buf = io.BytesIO()
                n = 0
                for row in s.execute(select(table)).mappings():
                    line = {k: _encode(v) for k, v in row.items()}
                    buf.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
                    n += 1
                rows[table.name] = n
                _add_bytes(tar, f"db/{table.name}.jsonl", buf.getvalue())
        for sub in FILE_DIRS:
            root = data_dir / sub
            if root.is_dir():
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    tar.add(path, arcname=f"files/{path.relative_to(data_dir).as_posix()}")
                    files += 1
        manifest = {"format": FORMAT, "created_at": now().isoformat(), "revision": revision,
                    "backend": "sqlite" if db.is_sqlite else "postgresql", "rows": rows, "files": files}
        _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    partial.replace(out)
    return BackupSummary(out, revision, rows, files)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise ValidationFailed(f"不是有效的备份文件：{path.name}") from exc
    if manifest.get("format") != FORMAT:
        raise ValidationFailed(f"备份格式不受支持：{manifest.get('format')}")
    return manifest


def _is_empty(db: Database) -> bool:
    names = set(inspect(db.read_engine).get_table_names())
    with db.read() as s:
        for table in ("tickets", "users", "kb_articles"):
            if table in names and s.scalar(select(func.count()).select_from(Table(table, MetaData()))) > 0:
                return False
    return True


def restore(db: Database, data_dir: Path, path: Path) -> BackupSummary:
    """Load a backup into an empty database and data directory."""
    manifest = read_manifest(path)
    if not _is_empty(db):
        raise ValidationFailed("目标数据库已有数据；请在新的数据目录（或空数据库）上恢复，以免覆盖现有工单")
    cfg = alembic_config(db.url)
    with db.write_engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, manifest["revision"])
        conn.commit()
    present = set(inspect(db.read_engine).get_table_names())
    rows: dict[str, int] = {}
    with tarfile.open(path, "r:gz") as tar:
        with db.write() as s:
            if not db.is_sqlite:
                s.execute(text("SET CONSTRAINTS ALL DEFERRED"))
            tables = [t for t in metadata().sorted_tables if t.name in manifest["rows"] and t.name in present]
            for table in reversed(tables):
                # ``hotline init`` may have seeded units and the catalogue: the backup replaces them
                if s.scalar(select(func.count()).select_from(table)):
                    s.execute(table.delete())
            for table in tables:
                member = tar.extractfile(f"db/{table.name}.jsonl")
                if member is None:
                    continue
                kinds = {c.name: _kind(c) for c in table.columns}
                batch: list[dict[str, Any]] = []
                n = 0
                for raw in member:
                    line = json.loads(raw)
                    batch.append({k: _decode(v, kinds.get(k, "plain")) for k, v in line.items() if k in kinds})
                    if len(batch) >= BATCH:
                        s.execute(insert(table), batch)
                        n += len(batch)
                        batch = []
                if batch:
                    s.execute(insert(table), batch)
                    n += len(batch)
                rows[table.name] = n
            if not db.is_sqlite:
                for table in metadata().sorted_tables:
                    if "id" in table.c and table.c.id.autoincrement and rows.get(table.name):
                        s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                       f"(SELECT max(id) FROM {table.name}))"))
        files = 0
        root = data_dir.resolve()
        for member in tar.getmembers():
            if not member.name.startswith("files/") or not member.isfile():
                continue
            target = (root / member.name.removeprefix("files/")).resolve()
            if root not in target.parents:  # never write outside the data directory
                raise ValidationFailed(f"备份中的文件路径不安全：{member.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is not None:
                target.write_bytes(source.read())
                files += 1
    with db.write_engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
    return BackupSummary(path, manifest["revision"], rows, files)
