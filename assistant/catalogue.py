"""The dispatch catalogue (派单目录) as managed data: stored in the database, seeded once from the
county's ``catalogue.csv``, edited line by line or replaced by an import (CSV/XLSX), every change
recorded as a version (who, when, what, and the whole catalogue after it) so that any version can be
restored. Only administrators change it. The dispatcher reads :meth:`CatalogueService.revision` and
rebuilds its index when it moves, so a change takes effect without a restart."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.access import Actor
from assistant.db.catalogue_models import CatalogueLineRow, CatalogueVersion
from assistant.db.engine import Database
from assistant.db.models import Unit
from assistant.errors import NotFound, ValidationFailed
from assistant.spreadsheet import csv_rows, decode_text, xlsx_rows
from classifiers.dispatch.catalogue import COLUMNS, Catalogue
from classifiers.dispatch.errors import CatalogueInvalid

HEADERS = {"事项": "matter", "事项名称": "matter", "关键词": "keywords", "牵头单位": "unit_code",
           "牵头单位编码": "unit_code", "主办单位": "unit_code", "层级": "level", "办理层级": "level",
           "协办单位": "co_units", "协办单位编码": "co_units", "依据": "basis", "法律法规或职责依据": "basis"}
MAX_LINES = 20_000  # rows one import may hold
FIELDS = ("matter", "keywords", "unit_code", "level", "co_units", "basis")


class CatalogueLineIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    matter: str = Field(min_length=1, max_length=128, description="事项名称")
    keywords: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=100, description="关键词")
    unit_code: str = Field(min_length=1, max_length=64, description="牵头单位编码；township/village 表示事发地乡镇/村")
    level: Literal["county", "township", "village"] = Field(description="办理层级")
    co_units: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=20, description="协办单位编码")
    basis: str = Field(min_length=1, max_length=2000, description="法律法规或职责依据")


class CatalogueLinePatch(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    matter: str | None = Field(default=None, min_length=1, max_length=128)
    keywords: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=100)
    unit_code: str | None = Field(default=None, min_length=1, max_length=64)
    level: Literal["county", "township", "village"] | None = None
    co_units: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=20)
    basis: str | None = Field(default=None, min_length=1, max_length=2000)


def _line(row: CatalogueLineRow) -> dict[str, Any]:
    return {"matter": row.matter, "keywords": list(row.keywords or []), "unit_code": row.unit_code,
            "level": row.level, "co_units": list(row.co_units or []), "basis": row.basis}


def _public(row: CatalogueLineRow) -> dict[str, Any]:
    return {"id": row.id, **_line(row), "updated_at": row.updated_at, "updated_by": row.updated_by}


def read_catalogue_file(data: bytes, fmt: str) -> list[dict[str, Any]]:
    """Rows of a catalogue file (CSV in UTF-8 or GB18030, or XLSX; English or Chinese headers)."""
    if fmt == "xlsx":
        rows = xlsx_rows(data)  # cached values only: a formula is never run
        table = [["" if v is None else str(v) for v in r] for r in islice(rows, MAX_LINES + 2)]
    elif fmt == "csv":
        table = list(islice(csv_rows(decode_text(data)), MAX_LINES + 2))
    else:
        raise ValidationFailed("只支持 csv 或 xlsx 格式")
    if not table:
        raise ValidationFailed("文件为空")
    header = [HEADERS.get(h.strip(), h.strip()) for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(f"派单目录缺少列：{'、'.join(missing)}（需要 {','.join(COLUMNS)}）")
    body = table[1:]
    while body and not any(str(v).strip() for v in body[-1]):
        body.pop()  # trailing blank rows; blank rows inside stay, so row numbers match the file
    if not body:
        raise ValidationFailed("派单目录没有任何事项")
    if len(body) > MAX_LINES:
        raise ValidationFailed(f"派单目录事项过多（上限 {MAX_LINES} 行）")
    return [dict(zip(header, r, strict=False)) for r in body]


class CatalogueService:
    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    # --- reading -------------------------------------------------------------------------
    def revision(self) -> int:
        """The newest version number (0 before the catalogue is seeded)."""
        with self.db.read() as s:
            return int(s.scalar(select(func.max(CatalogueVersion.id))) or 0)

    def current_rows(self) -> list[dict[str, Any]]:
        with self.db.read() as s:
            return [_line(r) for r in s.scalars(select(CatalogueLineRow).order_by(CatalogueLineRow.position,
                                                                                  CatalogueLineRow.id))]

    def list(self, actor: Actor, *, q: str | None = None, unit_code: str | None = None, level: str | None = None,
             page: int = 1, size: int = 50) -> dict[str, Any]:
        actor.require("admin")
        stmt = select(CatalogueLineRow)
        if q:
            like = f"%{q}%"
            stmt = stmt.where(CatalogueLineRow.matter.like(like) | CatalogueLineRow.basis.like(like))
        if unit_code:
            stmt = stmt.where(CatalogueLineRow.unit_code == unit_code)
        if level:
            stmt = stmt.where(CatalogueLineRow.level == level)
        with self.db.read() as s:
            total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = s.scalars(stmt.order_by(CatalogueLineRow.position, CatalogueLineRow.id)
                             .offset((page - 1) * size).limit(size))
            items = [_public(r) for r in rows]
            revision = int(s.scalar(select(func.max(CatalogueVersion.id))) or 0)
        return {"total": total, "page": page, "size": size, "version": revision, "items": items}

    def get(self, line_id: int, actor: Actor) -> dict[str, Any]:
        actor.require("admin")
        with self.db.read() as s:
            return _public(self._load(s, line_id))

    def versions(self, actor: Actor) -> list[dict[str, Any]]:
        actor.require("admin")
        with self.db.read() as s:
            rows = s.scalars(select(CatalogueVersion).order_by(CatalogueVersion.id.desc()))
            return [{"version": v.id, "at": v.at, "actor": v.actor_name, "action": v.action, "note": v.note,
                     "lines": len(v.lines or []), "changed": len(v.changes or []),
                     "changes": (v.changes or [])[:50]} for v in rows]

    # --- changing ------------------------------------------------------------------------
    def seed(self, path: Path) -> int:
        """Load the county's CSV when the database holds no catalogue yet; returns the lines added."""
        if self.revision() or not Path(path).exists():
            return 0
        rows = read_catalogue_file(Path(path).read_bytes(), "csv")
        with self.db.write() as s:
            if s.scalar(select(func.max(CatalogueVersion.id))):
                return 0  # another process seeded it meanwhile
            lines = self._checked(s, rows)
            changes = self._replace(s, lines, Actor.system())
            self._version(s, Actor.system(), "seed", f"由县级配置 {Path(path).name} 载入", changes)
        return len(lines)

    def create(self, data: CatalogueLineIn, actor: Actor) -> dict[str, Any]:
        actor.require("admin")
        with self.db.write() as s:
            line = self._checked_one(s, data.model_dump(), None)
            last = s.scalar(select(func.max(CatalogueLineRow.position))) or 0
            row = CatalogueLineRow(**line, position=last + 1, updated_at=self.now(), updated_by=actor.display_name)
            s.add(row)
            s.flush()
            self._version(s, actor, "create", f"新增事项：{row.matter}", [{"matter": row.matter, "before": None,
                                                                       "after": line}])
            return _public(row)

    def update(self, line_id: int, data: CatalogueLinePatch, actor: Actor) -> dict[str, Any]:
        actor.require("admin")
        patch = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
        if not patch:
            raise ValidationFailed("没有需要修改的字段")
        with self.db.write() as s:
            row = self._load(s, line_id)
            before = _line(row)
            line = self._checked_one(s, {**before, **patch}, row.id)
            if line == before:
                return _public(row)
            for key, value in line.items():
                setattr(row, key, value)
            row.updated_at, row.updated_by = self.now(), actor.display_name
            s.flush()
            self._version(s, actor, "update", f"修改事项：{before['matter']}",
                          [{"matter": before["matter"], "before": before, "after": line}])
            return _public(row)

    def delete(self, line_id: int, actor: Actor) -> dict[str, Any]:
        actor.require("admin")
        with self.db.write() as s:
            row = self._load(s, line_id)
            if s.scalar(select(func.count(CatalogueLineRow.id))) <= 1:
                raise ValidationFailed("派单目录至少保留一个事项")
            before = _line(row)
            s.delete(row)
            s.flush()
            version = self._version(s, actor, "delete", f"删除事项：{before['matter']}",
                                    [{"matter": before["matter"], "before": before, "after": None}])
            return {"deleted": line_id, "version": version}

    def import_file(self, data: bytes, fmt: str, actor: Actor, *, note: str = "") -> dict[str, Any]:
        """Replace the whole catalogue by a file: every row checked first, nothing changes on any error."""
        actor.require("admin")
        rows = read_catalogue_file(data, fmt)
        with self.db.write() as s:
            lines = self._checked(s, rows)
            changes = self._replace(s, lines, actor)
            version = self._version(s, actor, "import", note or f"导入 {len(lines)} 个事项", changes)
        return {"version": version, "lines": len(lines), "changed": len(changes),
                "added": sum(c["before"] is None for c in changes), "removed": sum(c["after"] is None for c in changes)}

    def rollback(self, version: int, actor: Actor) -> dict[str, Any]:
        """Restore the catalogue as it was after ``version``; recorded as a new version."""
        actor.require("admin")
        with self.db.write() as s:
            target = s.get(CatalogueVersion, version)
            if target is None:
                raise NotFound(f"派单目录第 {version} 版不存在")
            lines = self._checked(s, target.lines or [])
            changes = self._replace(s, lines, actor)
            new = self._version(s, actor, "rollback", f"回滚到第 {version} 版", changes)
        return {"version": new, "restored": version, "lines": len(lines), "changed": len(changes)}

    # --- helpers -------------------------------------------------------------------------
    def _load(self, s: Session, line_id: int) -> CatalogueLineRow:
        row = s.get(CatalogueLineRow, line_id)
        if row is None:
            raise NotFound(f"派单目录事项 {line_id} 不存在")
        return row

    @staticmethod
    def _units(s: Session) -> list[dict[str, Any]]:
        return [{"code": u.code, "name": u.name, "level": u.level} for u in s.scalars(select(Unit))]

    def _checked(self, s: Session, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        try:
            catalogue = Catalogue.from_rows(list(rows), self._units(s))
        except CatalogueInvalid as exc:
            raise ValidationFailed(str(exc), code="catalogue_invalid", details={"problems": exc.problems}) from exc
        return [{"matter": x.matter, "keywords": list(x.keywords), "unit_code": x.unit_code, "level": x.level,
                 "co_units": list(x.co_units), "basis": x.basis} for x in catalogue]

    def _checked_one(self, s: Session, line: Mapping[str, Any], line_id: int | None) -> dict[str, Any]:
        try:
            checked = Catalogue.from_rows([line], self._units(s)).lines[0]
        except CatalogueInvalid as exc:
            problems = [p.split("：", 1)[-1] for p in exc.problems]
            raise ValidationFailed("派单目录事项有误：" + "；".join(problems), code="catalogue_invalid",
                                   details={"problems": problems}) from exc
        other = s.scalar(select(CatalogueLineRow.id).where(CatalogueLineRow.matter == checked.matter))
        if other is not None and other != line_id:
            raise ValidationFailed(f"事项“{checked.matter}”已在派单目录中（编号 {other}）", code="catalogue_invalid")
        return {"matter": checked.matter, "keywords": list(checked.keywords), "unit_code": checked.unit_code,
                "level": checked.level, "co_units": list(checked.co_units), "basis": checked.basis}

    def _replace(self, s: Session, lines: list[dict[str, Any]], actor: Actor) -> list[dict[str, Any]]:
        """Make the stored catalogue equal ``lines`` (kept lines keep their ids); returns the changes."""
        existing = {r.matter: r for r in s.scalars(select(CatalogueLineRow))}
        wanted = {line["matter"] for line in lines}
        changes: list[dict[str, Any]] = []
        for matter, row in existing.items():
            if matter not in wanted:
                changes.append({"matter": matter, "before": _line(row), "after": None})
                s.delete(row)
        s.flush()
        now = self.now()
        for position, line in enumerate(lines, 1):
            row = existing.get(line["matter"])
            if row is None:
                s.add(CatalogueLineRow(**line, position=position, updated_at=now, updated_by=actor.display_name))
                changes.append({"matter": line["matter"], "before": None, "after": line})
                continue
            before = _line(row)
            row.position = position
            if before != line:
                for key, value in line.items():
                    setattr(row, key, value)
                row.updated_at, row.updated_by = now, actor.display_name
                changes.append({"matter": line["matter"], "before": before, "after": line})
        s.flush()
        return changes

    def _version(self, s: Session, actor: Actor, action: str, note: str, changes: list[dict[str, Any]]) -> int:
        lines = [_line(r) for r in s.scalars(select(CatalogueLineRow).order_by(CatalogueLineRow.position,
                                                                               CatalogueLineRow.id))]
        version = CatalogueVersion(at=self.now(), actor_id=actor.user_id, actor_name=actor.display_name,
                                   action=action, note=note, changes=changes, lines=lines)
        s.add(version)
        s.flush()
        return version.id
