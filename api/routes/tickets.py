"""工单：受理、查询、修改、流转与操作记录。"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import CurrentActor, HotlineDep
from api.fast_json import model_response
from assistant.tickets.schemas import (
    ActionInput,
    Page,
    TicketCreate,
    TicketEventPublic,
    TicketFilter,
    TicketPublic,
    TicketUpdate,
)

router = APIRouter(prefix="/tickets", tags=["工单"])

ActionName = Literal[
    "dispatch", "sign", "return", "request_extension", "approve_extension", "reject_extension",
    "reply", "direct_close", "callback", "reopen", "supervise", "archive",
]


@router.post("", response_model=TicketPublic, status_code=201, summary="受理工单",
             description="坐席受理一张工单（可同时派单）。返回 201 即表示工单已持久保存。")
async def create_ticket(body: TicketCreate, hotline: HotlineDep, actor: CurrentActor) -> Response:
    # async: built in the event loop (memory only), the commit awaited, no request thread held
    return model_response(await hotline.tickets.create_async(body, actor), 201)


@router.get("", response_model=Page[TicketPublic], summary="工单列表",
            description="分页查询工单；承办单位只能看到本单位主办或协办的工单。")
def list_tickets(
    hotline: HotlineDep,
    actor: CurrentActor,
    status: Annotated[list[str] | None, Query(description="状态，可多选")] = None,
    lead_unit: Annotated[str | None, Query(max_length=64, description="主办单位编码")] = None,
    township: Annotated[str | None, Query(max_length=32)] = None,
    appeal_type: Annotated[str | None, Query(max_length=8)] = None,
    urgency: Annotated[str | None, Query(max_length=8)] = None,
    caller_number: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=100, description="关键词（标题、内容、编号）")] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    overdue: bool | None = None,
    supervised: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    f = TicketFilter(
        status=status or [], lead_unit=lead_unit, township=township, appeal_type=appeal_type, urgency=urgency,
        caller_number=caller_number, q=q, created_from=created_from, created_to=created_to, overdue=overdue,
        supervised=supervised, page=page, size=size,
    )
    return model_response(hotline.tickets.list(f, actor))


@router.get("/by-number/{number}", response_model=TicketPublic, summary="按编号查询工单")
def get_by_number(number: str, hotline: HotlineDep, actor: CurrentActor) -> TicketPublic:
    return hotline.tickets.get_by_number(number[:32], actor)


@router.get("/{ticket_id}", response_model=TicketPublic, summary="工单详情")
def get_ticket(ticket_id: int, hotline: HotlineDep, actor: CurrentActor) -> Response:
    return model_response(hotline.tickets.get(ticket_id, actor))


@router.patch("/{ticket_id}", response_model=TicketPublic, summary="修改受理信息",
              description="工单派出前（或被退回后），坐席可更正受理信息；每次修改记入操作记录。")
def update_ticket(ticket_id: int, body: TicketUpdate, hotline: HotlineDep, actor: CurrentActor) -> TicketPublic:
    return hotline.tickets.update(ticket_id, body, actor)


@router.post("/{ticket_id}/actions/{action}", response_model=TicketPublic, summary="工单流转",
             description=(
                 "执行流转操作：dispatch 派单、sign 签收、return 退单（2 个工作日内，须填理由）、"
                 "request_extension 申请延期、approve_extension 批准延期、reject_extension 驳回延期、"
                 "reply 答复办结、direct_close 直接办结、callback 回访、reopen 重办、supervise 督办、archive 归档。"
                 "不允许的操作返回 409，违反时限规则返回 422。"))
def act(ticket_id: int, action: ActionName, body: ActionInput, hotline: HotlineDep,
        actor: CurrentActor) -> Response:
    return model_response(hotline.tickets.act(ticket_id, action, body, actor))


@router.get("/{ticket_id}/history", response_model=list[TicketEventPublic], summary="操作记录",
            description="工单的完整操作记录（谁、何时、做了什么、改前改后），只增不改。")
def history(ticket_id: int, hotline: HotlineDep, actor: CurrentActor) -> list[TicketEventPublic]:
    return hotline.tickets.history(ticket_id, actor)
