"""主动治理：重复诉求与集中诉求（一人多次、一事多人）的并案与重点督办、来电人历史、线索移送。"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CurrentActor, HotlineDep
from assistant.governance.schemas import (
    CallerHistory,
    CaseCreate,
    CasePublic,
    CommentInput,
    GovernanceEventPublic,
    LinkInput,
    RelatedAnswer,
    RelatedQuery,
    TransferCreate,
    TransferPublic,
    TransferUpdate,
)

router = APIRouter(prefix="/governance", tags=["主动治理"])


class CasePage(BaseModel):
    items: list[CasePublic]
    total: int
    page: int
    size: int


class BatchInput(BaseModel):
    start: datetime = Field(description="起始时间（含）")
    end: datetime = Field(description="结束时间（不含）")


def _managers(actor: Any) -> None:
    actor.require("supervisor", "admin")


@router.get("/cases", response_model=CasePage, summary="案件列表",
            description="重复诉求（一人多次）、集中诉求（一事多人）和人工并案的案件，按更新时间倒序。承办单位只看到含本单位工单的案件，且只列出本单位可见的工单。")
def list_cases(hotline: HotlineDep, actor: CurrentActor,
               status: Annotated[Literal["open", "closed", ""], Query(description="open 未结 / closed 已结 / 空为全部")] = "open",
               kind: Annotated[Literal["repeat", "concentrated", "manual", ""], Query(description="案件类型")] = "",
               page: Annotated[int, Query(ge=1)] = 1, size: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    return hotline.governance.cases.list(actor, status=status or None, kind=kind or None, page=page, size=size)


@router.post("/cases", response_model=CasePublic, status_code=201, summary="人工并案",
             description="坐席或督办员把相关工单并入一个案件（指定主工单），避免重复受理、多头办理。每张工单的并案记入其操作记录。")
def create_case(body: CaseCreate, hotline: HotlineDep, actor: CurrentActor) -> CasePublic:
    return hotline.governance.cases.create(body, actor)


@router.get("/cases/{case_id}", response_model=CasePublic, summary="案件详情")
def get_case(case_id: int, hotline: HotlineDep, actor: CurrentActor) -> CasePublic:
    return hotline.governance.cases.get(case_id, actor)


@router.get("/cases/{case_id}/history", response_model=list[GovernanceEventPublic], summary="案件操作记录",
            description="建案、并入、移出、重点督办、结案，谁在何时做了什么。")
def case_history(case_id: int, hotline: HotlineDep, actor: CurrentActor) -> list[GovernanceEventPublic]:
    return hotline.governance.cases.events(case_id, actor)


@router.post("/cases/{case_id}/link", response_model=CasePublic, summary="并入工单",
             description="一张工单同一类型只能在一个未结案件中；案件已列为重点督办的，并入的工单随之督办。")
def link(case_id: int, body: LinkInput, hotline: HotlineDep, actor: CurrentActor) -> CasePublic:
    return hotline.governance.cases.link(case_id, body, actor)


@router.post("/cases/{case_id}/unlink", response_model=CasePublic, summary="移出工单",
             description="须填写理由；主工单不能移出。")
def unlink(case_id: int, body: LinkInput, hotline: HotlineDep, actor: CurrentActor) -> CasePublic:
    return hotline.governance.cases.unlink(case_id, body, actor)


@router.post("/cases/{case_id}/supervise", response_model=CasePublic, summary="列为重点督办",
             description="督办员对案件发起重点督办：案件中可督办的工单（已派单、办理中、已退单）逐一督办，记入工单操作记录。")
def supervise(case_id: int, body: CommentInput, hotline: HotlineDep, actor: CurrentActor) -> CasePublic:
    return hotline.governance.cases.supervise(case_id, body, actor)


@router.post("/cases/{case_id}/close", response_model=CasePublic, summary="结案", description="督办员或管理员结案。")
def close(case_id: int, body: CommentInput, hotline: HotlineDep, actor: CurrentActor) -> CasePublic:
    return hotline.governance.cases.close(case_id, body, actor)


@router.get("/callers/history", response_model=CallerHistory, summary="来电人历史",
            description="坐席接听时按来电号码（来电号码或联系电话）和/或身份证号查看该来电人的历史工单、近 30 日件数和未结案件。")
def caller_history(hotline: HotlineDep, actor: CurrentActor,
                   phone: Annotated[str, Query(max_length=20, description="来电号码")] = "",
                   id_number: Annotated[str, Query(max_length=18, description="身份证号")] = "",
                   limit: Annotated[int, Query(ge=1, le=100)] = 20) -> CallerHistory:
    return hotline.governance.desk.history(actor, phone=phone, id_number=id_number, limit=limit)


@router.post("/related", response_model=RelatedAnswer, summary="通话中的相关工单与案件",
             description="坐席录入草稿时调用：按号码、身份证号和诉求内容找出该来电人近期的工单和近几日他人反映的相同事件，"
                         "列出相关的未结案件，并提示受理后是否将达到一人多次或一事多人的阈值。")
def related(body: RelatedQuery, hotline: HotlineDep, actor: CurrentActor) -> RelatedAnswer:
    return hotline.governance.desk.related(actor, body)


@router.post("/detect/{ticket_id}", summary="对一张工单重新识别",
             description="督办员手动触发（新工单在受理时已自动识别）。返回发现的情形及其案件。")
def detect_one(ticket_id: int, hotline: HotlineDep, actor: CurrentActor) -> list[dict[str, Any]]:
    _managers(actor)
    hotline.tickets.get(ticket_id, actor)
    return hotline.governance.monitor.detect_ticket(ticket_id)


@router.post("/detect", summary="批量识别",
             description="按受理时间顺序重放 [start, end) 内的工单，每张与此前的工单比对；并对重点督办案件中尚未督办的工单补发督办。")
def detect_batch(body: BatchInput, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    _managers(actor)
    tz = hotline.county.timezone
    start = body.start if body.start.tzinfo else body.start.replace(tzinfo=tz)
    end = body.end if body.end.tzinfo else body.end.replace(tzinfo=tz)
    return hotline.governance.monitor.run_batch(start, end)


@router.post("/transfers", response_model=TransferPublic, status_code=201, summary="线索移送",
             description="督办员把反映公职人员违纪违法问题、或督办后仍未解决的工单移送纪委监委或信访部门：记录移送人、对象、理由、时间和随附材料，并记入工单操作记录。")
def create_transfer(body: TransferCreate, hotline: HotlineDep, actor: CurrentActor) -> TransferPublic:
    return hotline.governance.transfers.create(body, actor)


@router.get("/transfers", response_model=list[TransferPublic], summary="移送记录列表")
def list_transfers(hotline: HotlineDep, actor: CurrentActor,
                   status: Annotated[Literal["sent", "received", "concluded", "rejected", ""], Query()] = "",
                   target: Annotated[Literal["discipline", "petition", ""], Query()] = "",
                   ticket_id: Annotated[int | None, Query()] = None) -> list[TransferPublic]:
    return hotline.governance.transfers.list(actor, status=status or None, target=target or None, ticket_id=ticket_id)


@router.get("/transfers/{transfer_id}", response_model=TransferPublic, summary="移送记录详情")
def get_transfer(transfer_id: int, hotline: HotlineDep, actor: CurrentActor) -> TransferPublic:
    return hotline.governance.transfers.get(transfer_id, actor)


@router.post("/transfers/{transfer_id}/status", response_model=TransferPublic, summary="登记接收与办理结果",
             description="已移送 → 已接收（须填接收人）→ 已办结；或退回（须填理由）。")
def update_transfer(transfer_id: int, body: TransferUpdate, hotline: HotlineDep, actor: CurrentActor) -> TransferPublic:
    return hotline.governance.transfers.update(transfer_id, body, actor)


@router.get("/transfers/{transfer_id}/history", response_model=list[GovernanceEventPublic], summary="移送操作记录")
def transfer_history(transfer_id: int, hotline: HotlineDep, actor: CurrentActor) -> list[GovernanceEventPublic]:
    return hotline.governance.transfers.events(transfer_id, actor)
