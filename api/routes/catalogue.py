"""派单目录管理（管理员）与坐席更正记录：目录的增删改查、CSV/XLSX 导入、版本与回滚；分类与派单建议被坐席改正的记录与统计。"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile

from api.deps import CurrentActor, HotlineDep
from assistant.catalogue import CatalogueLineIn, CatalogueLinePatch
from assistant.corrections import SuggestionShown
from assistant.errors import ValidationFailed

router = APIRouter(prefix="/routing", tags=["派单目录与坐席更正"])
MAX_UPLOAD = 10 * 1024 * 1024


@router.get("/catalogue", summary="派单目录列表（管理员）",
            description="按关键词（事项名称或依据）、牵头单位编码、办理层级筛选；返回当前目录版本号。")
def list_lines(
    hotline: HotlineDep,
    actor: CurrentActor,
    q: Annotated[str | None, Query(max_length=64, description="事项名称或依据中的关键词")] = None,
    unit_code: Annotated[str | None, Query(max_length=64, description="牵头单位编码")] = None,
    level: Annotated[Literal["county", "township", "village"] | None, Query(description="办理层级")] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    return hotline.catalogue.list(actor, q=q, unit_code=unit_code, level=level, page=page, size=size)


@router.get("/catalogue/versions", summary="派单目录版本记录（管理员）",
            description="每次新增、修改、删除、导入、回滚都形成一个版本：操作人、时间、改动前后。")
def versions(hotline: HotlineDep, actor: CurrentActor) -> list[dict[str, Any]]:
    return hotline.catalogue.versions(actor)


@router.post("/catalogue/import", summary="导入派单目录（管理员）",
             description="上传 CSV 或 XLSX（列：matter,keywords,unit_code,level,co_units,basis，或对应中文列名），"
             "整体替换当前目录。每一行都先校验（牵头/协办单位编码、办理层级、事项名称、依据、重复），"
             "任何一行有误则不导入，并逐行说明错误。导入形成新版本，可回滚。")
async def import_catalogue(hotline: HotlineDep, actor: CurrentActor, file: Annotated[UploadFile, File()],
                           format: Annotated[Literal["csv", "xlsx"] | None, Query(description="缺省按文件名判断")] = None,
                           note: Annotated[str, Query(max_length=200, description="导入说明")] = "") -> dict[str, Any]:
    actor.require("admin")
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed(f"派单目录文件过大（上限 {MAX_UPLOAD // 1024 // 1024} MB）")
    fmt = format or ("xlsx" if (file.filename or "").lower().endswith(".xlsx") else "csv")
    return hotline.catalogue.import_file(data, fmt, actor, note=note)


@router.post("/catalogue/versions/{version}/rollback", summary="回滚派单目录（管理员）",
             description="把目录恢复为指定版本的内容；回滚本身也记为一个新版本。派单即时使用新目录，无需重启。")
def rollback(version: int, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.catalogue.rollback(version, actor)


@router.get("/catalogue/{line_id}", summary="派单目录事项详情（管理员）")
def get_line(line_id: int, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.catalogue.get(line_id, actor)


@router.post("/catalogue", status_code=201, summary="新增派单目录事项（管理员）")
def create_line(body: CatalogueLineIn, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.catalogue.create(body, actor)


@router.patch("/catalogue/{line_id}", summary="修改派单目录事项（管理员）")
def update_line(line_id: int, body: CatalogueLinePatch, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.catalogue.update(line_id, body, actor)


@router.delete("/catalogue/{line_id}", summary="删除派单目录事项（管理员）")
def delete_line(line_id: int, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.catalogue.delete(line_id, actor)


@router.post("/corrections/tickets/{ticket_id}", summary="记录坐席对建议的改正",
             description="工单表单提交后，报告当时给出的建议（分类、诉求类型、紧急程度、主办单位）；"
             "与工单实际填写不同的每一项都记为一条更正，供下次训练分类模型使用。返回记下的更正。")
def record_corrections(ticket_id: int, body: SuggestionShown, hotline: HotlineDep,
                       actor: CurrentActor) -> list[dict[str, Any]]:
    return hotline.corrections.record_for_ticket(ticket_id, body, actor)


@router.get("/corrections", summary="坐席更正记录（督办员、管理员）")
def list_corrections(
    hotline: HotlineDep,
    actor: CurrentActor,
    field: Annotated[Literal["category", "appeal_type", "urgency", "lead_unit"] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    return hotline.corrections.list(actor, field=field, page=page, size=size)


@router.get("/corrections/stats", summary="坐席更正统计（督办员、管理员）",
            description="按项目（分类、诉求类型、紧急程度、主办单位）统计更正次数、被改正的工单占比、"
            "最常见的“建议 → 实际”组合与各坐席的更正次数。")
def correction_stats(hotline: HotlineDep, actor: CurrentActor, since: datetime | None = None,
                     until: datetime | None = None) -> dict[str, Any]:
    return hotline.corrections.stats(actor, since=since, until=until)
