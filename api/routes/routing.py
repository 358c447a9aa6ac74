"""智能分类与智能派单：分类、派单建议、分类模型的训练与版本管理（管理员）。"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field

from api.deps import CurrentActor, HotlineDep
from api.routes import catalogue
from assistant.errors import ValidationFailed

router = APIRouter(tags=["智能分类与派单"])
router.include_router(catalogue.router)  # /routing/catalogue… and /routing/corrections…
STAFF = ("agent", "supervisor", "admin")
TRAIN_UPLOAD = 50 * 1024 * 1024


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000, description="诉求内容")
    address: str | None = Field(default=None, max_length=200, description="事发地址（可选）")
    category: str | None = Field(default=None, max_length=64, description="已知分类（可选）")


@router.post("/classify", summary="智能分类", description="诉求类型、紧急程度、分类，各带校准置信度与候选。")
def classify(body: TextIn, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    actor.require(*STAFF)
    return hotline.routing.classify(body.text)


@router.post("/dispatch", summary="智能派单建议",
             description="按派单目录（职权法定）、事发地（属地管理）与办理层级（分级负责）给出主办、协办单位及依据；"
             "无法确定主办单位时返回 escalate（提交县政府协调）；110、综治事项提示转办。")
def dispatch(body: TextIn, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    actor.require(*STAFF)
    return hotline.routing.dispatch(body.text, body.address, body.category)


@router.post("/tickets/{ticket_id}/suggestions", summary="为工单给出分类与派单建议")
def ticket_suggestions(ticket_id: int, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    actor.require(*STAFF)
    t = hotline.tickets.get(ticket_id, actor)
    text = f"{t.title}。{t.content}"
    address = "".join(x for x in (t.township, t.village, t.address_detail) if x) or None
    return {"classification": hotline.routing.classify(text), "dispatch": hotline.routing.dispatch(text, address)}


@router.get("/models/category", summary="分类模型版本（管理员）")
def versions(hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    actor.require("admin")
    return {"current": hotline.routing.models.current() or "cold_start", "versions": hotline.routing.models.versions()}


@router.post("/models/category/train", summary="用本县历史工单训练分类模型（管理员）",
             description="训练数据：上传的 label,text 两列 CSV 或 XLSX（可选），加上库中工单的最终分类与坐席对分类建议的更正"
             "（use_history=false 时不用）；先留出 20% 评估，再用全部数据训练并启用为新版本。")
async def train(hotline: HotlineDep, actor: CurrentActor, file: Annotated[UploadFile | None, File()] = None,
                format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
                use_history: Annotated[bool, Query(description="同时使用工单分类与坐席更正")] = True) -> dict[str, Any]:
    actor.require("admin")
    data = await file.read(TRAIN_UPLOAD + 1) if file is not None else None
    if data is not None and len(data) > TRAIN_UPLOAD:
        raise ValidationFailed("训练数据文件过大（上限 50 MB）")
    return await asyncio.to_thread(hotline.routing.train, data, format, use_history=use_history)


@router.post("/models/category/{version}/use", summary="切换或回滚分类模型版本（管理员）")
def use(version: str, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    actor.require("admin")
    hotline.routing.models.use(version[:16])
    return {"current": version}
