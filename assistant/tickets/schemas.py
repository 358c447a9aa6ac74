"""Typed inputs and outputs of the ticket center (Create / Update / Public families)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.tickets.vocab import AppealType, Channel, HandlingLevel, Resolution, Satisfaction, Urgency

_PHONE = re.compile(r"^\+?[0-9][0-9\-]{2,19}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_id_number(value: str) -> bool:
    """GB 11643 check digit of an 18-character resident ID number."""
    v = value.upper()
    if not re.fullmatch(r"\d{17}[\dX]", v):
        return False
    total = sum(int(c) * w for c, w in zip(v[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == v[17]


def _phone(value: str) -> str:
    value = value.strip().replace(" ", "")
    if value and not _PHONE.fullmatch(value):
        raise ValueError("电话号码格式不正确")
    return value


class TicketFields(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    caller_name: str = Field(default="", max_length=32, description="来电人姓名或称呼")
    caller_number: str = Field(default="", max_length=20, description="来电号码")
    contact_number: str = Field(default="", max_length=20, description="联系电话")
    id_number: str = Field(default="", max_length=18, description="身份证号（校验位校验）")
    confidential: bool = Field(default=False, description="来电人要求保密")
    callback_ok: bool = Field(default=True, description="是否接受回访")
    appeal_type: AppealType = Field(description="诉求类型")
    category: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=4, description="分类路径（多级）")
    title: str = Field(min_length=1, max_length=60, description="标题")
    content: str = Field(min_length=1, max_length=5000, description="诉求内容")
    township: str = Field(default="", max_length=32, description="乡镇")
    village: str = Field(default="", max_length=32, description="村（社区）")
    address_detail: str = Field(default="", max_length=200, description="详细地址")
    event_time: datetime | None = Field(default=None, description="事件发生时间")
    urgency: Urgency = Field(default="一般", description="紧急程度")

    @field_validator("caller_number", "contact_number")
    @classmethod
    def _check_phone(cls, v: str) -> str:
        return _phone(v)

    @field_validator("id_number")
    @classmethod
    def _check_id(cls, v: str) -> str:
        v = v.strip().upper()
        if v and not valid_id_number(v):
            raise ValueError("身份证号码校验不通过")
        return v

    @field_validator("category")
    @classmethod
    def _check_category(cls, v: list[str]) -> list[str]:
        v = [c.strip() for c in v if c.strip()]
        if any(len(c) > 32 for c in v):
            raise ValueError("分类名称过长")
        return v


class DispatchInput(BaseModel):
    lead_unit: str = Field(max_length=64, description="主办单位编码")
    co_units: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=10, description="协办单位编码")
    handling_level: HandlingLevel | None = Field(default=None, description="办理层级；为空时取主办单位层级")
    comment: str = Field(default="", max_length=500, description="派单说明")


class TicketCreate(TicketFields):
    channel: Channel = Field(default="phone", description="受理渠道")
    call_id: str = Field(default="", max_length=64, description="通话编号（录音与转写）")
    recording_uri: str = Field(default="", max_length=256)
    dispatch: DispatchInput | None = Field(default=None, description="受理同时派单")


class TicketUpdate(BaseModel):
    """Fields an agent may correct while the ticket is still at the center."""

    model_config = ConfigDict(str_strip_whitespace=True)

    caller_name: str | None = Field(default=None, max_length=32)
    caller_number: str | None = Field(default=None, max_length=20)
    contact_number: str | None = Field(default=None, max_length=20)
    id_number: str | None = Field(default=None, max_length=18)
    confidential: bool | None = None
    callback_ok: bool | None = None
    appeal_type: AppealType | None = None
    category: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=4)
    title: str | None = Field(default=None, min_length=1, max_length=60)
    content: str | None = Field(default=None, min_length=1, max_length=5000)
    township: str | None = Field(default=None, max_length=32)
    village: str | None = Field(default=None, max_length=32)
    address_detail: str | None = Field(default=None, max_length=200)
    event_time: datetime | None = None
    urgency: Urgency | None = None
    comment: str = Field(default="", max_length=500)

    _v_phone = field_validator("caller_number", "contact_number")(lambda cls, v: v if v is None else _phone(v))

    @field_validator("id_number")
    @classmethod
    def _check_id(cls, v: str | None) -> str | None:
        if v:
            v = v.strip().upper()
            if not valid_id_number(v):
                raise ValueError("身份证号码校验不通过")
        return v


class ActionInput(BaseModel):
    """Payload of a workflow action; which fields are required depends on the action."""

    model_config = ConfigDict(str_strip_whitespace=True)

    comment: str = Field(default="", max_length=1000, description="说明 / 理由")
    lead_unit: str | None = Field(default=None, max_length=64, description="派单：主办单位编码")
    co_units: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=10, description="派单：协办单位编码")
    handling_level: HandlingLevel | None = None
    reply: str = Field(default="", max_length=5000, description="答复 / 办结内容")
    extension_days: int | None = Field(default=None, ge=1, le=10, description="申请延期的工作日数")
    resolution: Resolution | None = Field(default=None, description="回访：是否解决")
    satisfaction: Satisfaction | None = Field(default=None, description="回访：是否满意")


class UnitRef(BaseModel):
    code: str
    name: str
    level: str


class TicketPublic(BaseModel):
    id: int
    number: str
    channel: str
    caller_name: str
    caller_number: str
    contact_number: str
    id_number: str
    confidential: bool
    callback_ok: bool
    appeal_type: str
    category: list[str]
    title: str
    content: str
    township: str
    village: str
    address_detail: str
    event_time: datetime | None
    urgency: str
    status: str
    status_label: str
    lead_unit: UnitRef | None
    co_units: list[UnitRef]
    handling_level: str | None
    direct_answer: bool
    supervised: bool
    dispatched_at: datetime | None
    sign_by: datetime | None
    signed_at: datetime | None
    close_by: datetime | None
    return_by: datetime | None
    max_close_by: datetime | None
    closed_at: datetime | None
    extension_count: int
    extension_status: str
    extension_days: int
    extension_reason: str
    reply: str
    return_count: int
    reopen_count: int
    resolution: str
    satisfaction: str
    callback_at: datetime | None
    call_id: str
    recording_uri: str
    created_at: datetime
    updated_at: datetime
    version: int
    allowed_actions: list[str] = Field(default_factory=list, description="当前账号可执行的操作")


class TicketEventPublic(BaseModel):
    id: int
    at: datetime
    actor_name: str
    actor_role: str
    action: str
    from_status: str | None
    to_status: str | None
    changes: dict[str, Any]
    comment: str


class TicketFilter(BaseModel):
    status: list[str] = Field(default_factory=list)
    lead_unit: str | None = None
    township: str | None = None
    appeal_type: str | None = None
    urgency: str | None = None
    caller_number: str | None = None
    q: str | None = Field(default=None, max_length=100)
    created_from: datetime | None = None
    created_to: datetime | None = None
    overdue: bool | None = None
    supervised: bool | None = None
    page: int = Field(default=1, ge=1, le=100000)
    size: int = Field(default=20, ge=1, le=100)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int
