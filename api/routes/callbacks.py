"""智能回访：工作列表、回访话术、记录拨打与答复、一键确认结果、各单位回访指标。"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import CurrentActor, HotlineDep
from assistant.callbacks import FORMULAS, AttemptInput, CallbackPublic, OutcomeConfirm, UnitFigures

router = APIRouter(prefix="/callbacks", tags=["智能回访"])


@router.get("", response_model=list[CallbackPublic], summary="回访工作列表",
            description="按回访时限排序；默认只列出现在可拨打的，include_future=true 列出全部待回访（督办员可看超期）。")
def worklist(hotline: HotlineDep, actor: CurrentActor,
             include_future: Annotated[bool, Query()] = False) -> list[CallbackPublic]:
    return hotline.callbacks.worklist(actor, include_future=include_future)


@router.get("/{callback_id}/script", summary="回访话术")
def script(callback_id: int, hotline: HotlineDep, actor: CurrentActor) -> dict[str, str]:
    return {"script": hotline.callbacks.script(callback_id, actor)}


@router.post("/{callback_id}/attempts", summary="记录一次拨打",
             description="未接通则按规定安排下一次（最多 3 次）；接通后根据答复（转写、坐席记录或 IVR 按键）给出解决与满意的建议及置信度。")
def attempt(callback_id: int, body: AttemptInput, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.callbacks.attempt(callback_id, body, actor)


@router.post("/{callback_id}/confirm", response_model=CallbackPublic, summary="确认回访结果",
             description="坐席一键确认。不满意且属承办单位原因的，工单重办并列入督办；非单位原因的记录原因，不重办。")
def confirm(callback_id: int, body: OutcomeConfirm, hotline: HotlineDep, actor: CurrentActor) -> CallbackPublic:
    return hotline.callbacks.confirm(callback_id, body, actor)


@router.get("/figures", response_model=list[UnitFigures], summary="各单位回访指标",
            description="响应率 = " + FORMULAS["response_rate"] + "；解决率 = " + FORMULAS["resolution_rate"]
            + "；满意率 = " + FORMULAS["satisfaction_rate"] + "。按办结时间统计期间 [start, end)。")
def figures(hotline: HotlineDep, actor: CurrentActor, start: datetime, end: datetime) -> list[UnitFigures]:
    return hotline.callbacks.figures(actor, start, end)
