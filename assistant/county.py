"""A county's configuration as data: divisions (gazetteer), handling units, users, time policy.

The county edits these files; the code only reads them. ``load_county(dir)`` checks them and
``seed_county`` writes units and users into the database (idempotent).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from assistant.auth import hash_password
from assistant.callbacks import CallbackPolicy
from assistant.db.engine import Database
from assistant.db.models import Unit, User
from assistant.errors import ValidationFailed
from assistant.policy import TimePolicy
from assistant.tickets.vocab import ROLE_LABELS


@dataclass
class Township:
    name: str
    aliases: list[str] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)


@dataclass
class County:
    code: str
    name: str
    ticket_prefix: str
    timezone: ZoneInfo
    townships: list[Township]
    units: list[dict[str, Any]]
    users: list[dict[str, Any]]
    policy: TimePolicy
    callback_policy: CallbackPolicy
    directory: Path
    raw: dict[str, Any] = field(default_factory=dict)

    def township_names(self) -> set[str]:
        return {t.name for t in self.townships}

    def lexicon(self) -> list[str]:
        """Place names and unit names of the county, for the tokenizer's user dictionary."""
        words: set[str] = {self.name, self.name.removesuffix("县")}
        for t in self.townships:
            words.update([t.name, *t.aliases, *t.villages])
        for place in self.raw.get("places", []):
            words.update([place["name"], *place.get("aliases", [])])
        for unit in self.units:
            words.update(w for w in (unit.get("name"), unit.get("short_name")) if w)
        return sorted(w for w in words if len(w) >= 2)

    def resolve_township(self, name: str) -> str:
        """The township's official name for a name or alias; raises for an unknown one."""
        name = name.strip()
        for t in self.townships:
            if name == t.name or name in t.aliases:
                return t.name
        raise ValidationFailed(f"“{name}”不是{self.name}的乡镇")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationFailed(f"县级配置缺少文件：{path.name}") from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"县级配置文件 {path.name} 不是合法的 JSON：第 {exc.lineno} 行") from None


def load_county(directory: Path) -> County:
    directory = Path(directory)
    info = _read_json(directory / "county.json")
    units = _read_json(directory / "units.json")
    users = _read_json(directory / "users.json") if (directory / "users.json").exists() else []
    policy = TimePolicy.load(directory / "policy.json")
    townships = [
        Township(
            name=t["name"],
            aliases=list(t.get("aliases", [])),
            villages=[v["name"] if isinstance(v, dict) else v for v in t.get("villages", [])],
        )
        for t in info.get("townships", [])
    ]
    return County(
        code=str(info.get("code", "")),
        name=info["name"],
        ticket_prefix=info.get("ticket_prefix", "GD"),
        timezone=ZoneInfo(info.get("timezone", "Asia/Shanghai")),
        townships=townships,
        units=units,
        users=users,
        policy=policy,
        callback_policy=CallbackPolicy.load(directory / "callback_policy.json"),
        directory=directory,
        raw=info,
    )


def seed_county(db: Database, county: County, now: Callable[[], datetime], *, with_users: bool = True) -> dict[str, int]:
    """Insert or update the county's units (and demo users); returns counts."""
    added_units = added_users = 0
    with db.write() as s:
        existing = {u.code: u for u in s.scalars(select(Unit))}
        for row in county.units:
            unit = existing.get(row["code"])
            if unit is None:
                unit = Unit(code=row["code"])
                s.add(unit)
                added_units += 1
            unit.name = row["name"]
            unit.short_name = row.get("short_name", "")
            unit.kind = row.get("kind", "county_department")
            unit.level = row.get("level", "county")
            unit.township = row.get("township")
            unit.village = row.get("village")
            unit.duties = row.get("duties", "")
            unit.keywords = list(row.get("keywords", []))
            unit.phone = row.get("phone", "")
        s.flush()
        if with_users:
            units = {u.code: u.id for u in s.scalars(select(Unit))}
            known = set(s.scalars(select(User.username)))
            for row in county.users:
                if row["username"] in known:
                    continue
                if row["role"] not in ROLE_LABELS:
                    raise ValidationFailed(f"用户 {row['username']} 的角色无效：{row['role']}")
                unit_id = units.get(row["unit_code"]) if row.get("unit_code") else None
                if row["role"] == "unit_staff" and unit_id is None:
                    raise ValidationFailed(f"承办单位用户 {row['username']} 缺少有效的单位编码")
                s.add(
                    User(
                        username=row["username"],
                        display_name=row.get("display_name", row["username"]),
                        role=row["role"],
                        unit_id=unit_id,
                        password_hash=hash_password(row["password"]),
                        created_at=now(),
                    )
                )
                added_users += 1
    return {"units_added": added_units, "users_added": added_users}


def seed_knowledge_base(service: Any, county: County) -> int:
    """Load the county's own knowledge base (``knowledge_base.jsonl``), published; idempotent."""
    from assistant.access import Actor
    from assistant.db.kb_models import KbArticle
    from assistant.kb.io import read_rows, validate_rows

    path = county.directory / "knowledge_base.jsonl"
    if not path.exists():
        return 0
    articles, errors = validate_rows(read_rows(path.read_bytes(), "jsonl"))
    if errors:
        first = errors[0]
        raise ValidationFailed(f"演示知识库第 {first.row} 条有误：{first.field} {first.message}")
    system = Actor.system()
    added = 0
    with service.db.write() as s:
        existing = set(s.scalars(select(KbArticle.code)))
        for article in articles:
            if article.code in existing:
                continue
            service.create_in(s, article, system, publish=True)
            added += 1
    return added
