"""Typed inputs and outputs of governance: cases, caller history, related appeals, transfers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CaseKind = Literal["repeat", "concentrated", "manual"]
TransferTarget = Literal["discipline", "petition"]
TransferGrounds = Literal["misconduct", "unresolved"]
TransferStatus = Literal["sent", "received", "concluded", "rejected"]

KIND_LABELS = {"repeat": "一人多次", "concentrated": "一事多人", "manual": "人工并案"}
TARGET_LABELS = {"discipline": "纪委监委", "petition": "信访部门"}
GROUNDS_LABELS = {"misconduct": "反映公职人员违纪违法问题", "unresolved": "督办后仍未解决"}
TRANSFER_STATUS_LABELS = {"sent": "已移送", "received": "已接收", "concluded": "已办结", "rejected": "已退回"}


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class TicketBrief(BaseModel):
    id: int
    number: str
    title: str
    status: str
    appeal_type: str
    category: list[str]
    township: str
    created_at: datetime
    supervised: bool
    lead_unit: str | None = Field(default=None, description="主办单位名称")
    role: str | None = Field(default=None, description="在案件中的角色：master 主工单 / related 关联工单")
    similarity: float | None = Field(default=None, description="与主工单的相似度")


class CasePublic(BaseModel):
    id: int
    kind: CaseKind
    kind_label: str
    status: Literal["open", "closed"]
    title: str
    township: str
    key_supervision: bool = Field(description="是否列为重点督办")
    master_ticket_id: int
    ticket_count: int
    tickets: list[TicketBrief] = Field(default_factory=list, description="本账号可见的工单")
    reason: dict[str, Any] = Field(default_factory=dict, description="识别依据")
    created_at: datetime
    created_by: str
    updated_at: datetime


class CaseCreate(_In):
    master_ticket_id: int = Field(description="主工单")
    related_ticket_ids: list[int] = Field(default_factory=list, max_length=200, description="关联工单")
    title: str = Field(default="", max_length=100, description="案件名称；为空时取主工单标题")
    comment: str = Field(default="", max_length=500, description="并案说明")


class LinkInput(_In):
    ticket_id: int = Field(description="要并入或移出的工单")
    comment: str = Field(default="", max_length=500, description="说明 / 理由")


class CommentInput(_In):
    comment: str = Field(default="", max_length=500, description="说明 / 理由")


class RelatedQuery(_In):
    phone: str = Field(default="", max_length=20, description="来电号码或联系电话")
    id_number: str = Field(default="", max_length=18, description="身份证号")
    text: str = Field(default="", max_length=5000, description="已记录的诉求内容（草稿）")
    township: str = Field(default="", max_length=32, description="乡镇")
    category: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=4, description="分类路径")


class RelatedTicket(TicketBrief):
    same_caller: bool = Field(description="是否同一来电人")
    case_ids: list[int] = Field(default_factory=list, description="所在的未结案件")


class RelatedAnswer(BaseModel):
    method: str = Field(description="相似度方法：embedding 语义向量 / ngram 字符相似度")
    tickets: list[RelatedTicket]
    cases: list[CasePublic] = Field(description="相关的未结案件（受理前请先查看，避免重复受理）")
    would_trigger: list[str] = Field(description="受理后将达到的阈值：repeat 一人多次 / concentrated 一事多人")
    hint: str = Field(description="给坐席的提示")


class CallerHistory(BaseModel):
    tickets: list[TicketBrief]
    total: int
    last_30_days: int
    open_cases: list[CasePublic]


class TransferCreate(_In):
    ticket_id: int = Field(description="移送的工单")
    target: TransferTarget = Field(description="移送对象：discipline 纪委监委 / petition 信访部门")
    grounds: TransferGrounds = Field(description="移送依据：misconduct 反映公职人员问题 / unresolved 督办后仍未解决")
    reason: str = Field(min_length=4, max_length=2000, description="移送理由")
    attachments: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50,
                                                                     description="随附材料清单（名称或编号）")


class TransferUpdate(_In):
    status: TransferStatus = Field(description="新状态：received 已接收 / concluded 已办结 / rejected 已退回")
    receiver: str = Field(default="", max_length=64, description="接收人或接收单位经办人")
    result: str = Field(default="", max_length=2000, description="接收或办理结果")


class TransferPublic(BaseModel):
    id: int
    ticket_id: int
    ticket_number: str
    case_id: int | None
    target: TransferTarget
    target_label: str
    grounds: TransferGrounds
    grounds_label: str
    reason: str
    attachments: list[str]
    status: TransferStatus
    status_label: str
    receiver: str
    result: str
    created_at: datetime
    created_by: str
    updated_at: datetime


class GovernanceEventPublic(BaseModel):
    id: int
    at: datetime
    actor_name: str
    actor_role: str
    action: str
    ticket_id: int | None
    details: dict[str, Any]
    comment: str
