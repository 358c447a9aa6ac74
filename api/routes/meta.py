"""服务状态、县情（乡镇、单位）与字典。"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import CurrentActor, HotlineDep
from assistant.db.models import Unit
from assistant.tickets.vocab import (
    APPEAL_TYPES,
    CHANNEL_LABELS,
    LEVEL_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    URGENCIES,
)
from assistant.tickets.workflow import ACTIONS

router = APIRouter(tags=["服务与字典"])


class UnitPublic(BaseModel):
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    township: str | None
    duties: str
    phone: str


@router.get("/health", summary="健康检查", description="服务与各项能力的状态；不可用的能力会说明原因。")
def health(hotline: HotlineDep) -> dict[str, Any]:
    caps = hotline.capabilities()
    return {"status": "ok" if caps["database"]["ok"] else "degraded", "county": hotline.county.name,
            "worker": os.getpid(),  # which worker process answered (hotline serve --workers N)
            "capabilities": caps}


@router.get("/vocab", summary="字典", description="诉求类型、紧急程度、渠道、状态、角色与操作的中文名称。")
def vocab() -> dict[str, Any]:
    return {
        "appeal_types": list(APPEAL_TYPES),
        "urgencies": list(URGENCIES),
        "channels": CHANNEL_LABELS,
        "statuses": STATUS_LABELS,
        "roles": ROLE_LABELS,
        "levels": LEVEL_LABELS,
        "actions": {a.name: a.label for a in ACTIONS.values()},
    }


@router.get("/regions", summary="乡镇与村（社区）")
def regions(hotline: HotlineDep) -> dict[str, Any]:
    c = hotline.county
    return {"county": c.name, "code": c.code,
            "townships": [{"name": t.name, "aliases": t.aliases, "villages": t.villages} for t in c.townships]}


@router.get("/units", response_model=list[UnitPublic], summary="承办单位")
def units(hotline: HotlineDep, actor: CurrentActor) -> list[UnitPublic]:
    with hotline.db.read() as s:
        return [
            UnitPublic(code=u.code, name=u.name, short_name=u.short_name, kind=u.kind, level=u.level,
                       township=u.township, duties=u.duties, phone=u.phone)
            for u in s.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.level, Unit.code))
        ]
