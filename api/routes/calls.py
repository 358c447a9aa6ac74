"""通话：开始、追加转写片段（触发答案推荐与工单草稿）、坐席修改草稿、结束。"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CurrentActor, HotlineDep
from assistant.calls import CallPublic, CallUpdate, SegmentIn
from assistant.errors import ValidationFailed
from assistant.tickets.schemas import TicketCreate, TicketPublic

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


class DraftRequest(BaseModel):
    text: str | None = Field(default=None, max_length=20000, description="书面诉求（短信、网站留言）")
    turns: list[SegmentIn] | None = Field(default=None, max_length=2000, description="通话转写（分角色、带时间）")
    call_time: datetime = Field(description="来电或留言时间（带时区）")


@router.post("/drafts", summary="由文字或转写生成工单草稿", response_model=dict[str, Any],
             description="智能填单：来电人、联系电话、身份证号、地址（乡镇/村/详细）、事件时间、标题、摘要、是否保密、是否接受回访，"
             "每个字段带置信度与出处；未提及的字段留空。")
def draft_from_text(body: DraftRequest, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    actor.require("agent", "supervisor", "admin")
    if (body.text is None) == (body.turns is None):
        raise ValidationFailed("请提供书面诉求 text 或通话转写 turns 之一")
    source = body.text if body.text is not None else [t.model_dump() for t in body.turns or []]
    return hotline.draft(source, body.call_time)


@router.get("/{call_id}/ticket-form", summary="按草稿预填的工单表单", response_model=dict[str, Any])
def ticket_form(call_id: int, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.calls.prefill(call_id, actor)


@router.post("/{call_id}/ticket", response_model=TicketPublic, status_code=201, summary="提交工单",
             description="坐席核对草稿后提交，工单与通话关联。")
def submit_ticket(call_id: int, body: TicketCreate, hotline: HotlineDep, actor: CurrentActor) -> TicketPublic:
    call = hotline.calls.get(call_id, actor)
    ticket = hotline.tickets.create(body.model_copy(update={"call_id": call.uid}), actor)
    hotline.calls.link_ticket(call_id, ticket.id, actor)
    hotline.corrections.record_from_call(call_id, ticket.id, actor)  # the draft's suggestions the agent changed
    return ticket
