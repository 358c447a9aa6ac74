"""通话：开始、追加转写片段（触发答案推荐与工单草稿）、坐席修改草稿、结束。"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CurrentActor, HotlineDep
from assistant.calls import CallPublic, CallUpdate, SegmentIn

router = APIRouter(prefix="/calls", tags=["通话"])


class CallStart(BaseModel):
    caller_number: str = Field(default="", max_length=32, description="来电号码")
    uid: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_\-.]+$",
                            description="话务系统的通话编号（可选）")


class SegmentsIn(BaseModel):
    segments: list[SegmentIn] = Field(min_length=1, max_length=200)


class DraftEdit(BaseModel):
    field: str = Field(min_length=1, max_length=32, description="草稿字段名")
    value: Any = Field(description="坐席填写的值")


@router.post("", response_model=CallPublic, status_code=201, summary="开始通话")
def start_call(body: CallStart, hotline: HotlineDep, actor: CurrentActor) -> CallPublic:
    return hotline.calls.start(actor, caller_number=body.caller_number, uid=body.uid)


@router.get("/{call_id}", response_model=CallPublic, summary="通话详情（含转写）")
def get_call(call_id: int, hotline: HotlineDep, actor: CurrentActor) -> CallPublic:
    return hotline.calls.get(call_id, actor)


@router.post("/{call_id}/segments", response_model=CallUpdate, summary="追加识别结果",
             description="追加最终识别片段（分坐席/来电人），立即持久保存，并返回答案推荐与更新后的工单草稿。")
def add_segments(call_id: int, body: SegmentsIn, hotline: HotlineDep, actor: CurrentActor) -> CallUpdate:
    return hotline.calls.add_segments(call_id, body.segments, actor)


@router.put("/{call_id}/draft", summary="坐席修改草稿字段",
            description="记录修改前后（用于评测与训练），该字段此后不再被新片段覆盖。")
def edit_draft(call_id: int, body: DraftEdit, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.calls.edit_draft(call_id, body.field, body.value, actor)


@router.post("/{call_id}/end", response_model=CallPublic, summary="结束通话")
def end_call(call_id: int, hotline: HotlineDep, actor: CurrentActor) -> CallPublic:
    return hotline.calls.end(call_id, actor)
