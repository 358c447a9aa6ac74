"""催办提醒与超期通报。"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import CurrentActor, HotlineDep
from assistant.notices import NoticePublic, UnitOverdue, list_notices, overdue_by_unit

router = APIRouter(prefix="/notices", tags=["催办与通报"])


@router.get("", response_model=list[NoticePublic], summary="提醒与通报",
            description="时限到期前的催办提醒（reminder）与超期通报（overdue）；承办单位只看到本单位的。")
def notices(
    hotline: HotlineDep,
    actor: CurrentActor,
    kind: Annotated[Literal["reminder", "overdue"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NoticePublic]:
    return list_notices(hotline.db, actor, kind=kind, limit=limit)


@router.get("/by-unit", response_model=list[UnitOverdue], summary="各单位超期通报统计")
def by_unit(hotline: HotlineDep, actor: CurrentActor) -> list[UnitOverdue]:
    return overdue_by_unit(hotline.db, actor)
