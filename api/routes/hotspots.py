"""热点与预警、低空感知事件、政警综联动。"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, Field

from api.deps import CurrentActor, HotlineDep
from assistant.hotspots.linkage import ImportReport, LinkageOrderIn, LinkageOrderPublic, read_csv
from assistant.hotspots.sensors import ProactiveTicket, SensorEventCreate, SensorEventPublic
from assistant.hotspots.service import HotEventPublic
from assistant.hotspots.volumes import VolumeTable
from assistant.hotspots.warnings import ScanResult, WarningPublic
from assistant.tickets.schemas import TicketPublic

router = APIRouter(tags=["热点预警与联动"])
PeriodKind = Literal["day", "week", "month"]


class AckInput(BaseModel):
    note: str = Field(default="", max_length=500, description="处置说明")


class OrdersInput(BaseModel):
    orders: list[LinkageOrderIn] = Field(min_length=1, max_length=2000)


@router.get("/hotspots/volumes", response_model=VolumeTable, summary="诉求量：分类 × 乡镇 × 周期",
            description="按本县时间统计；date 所在的日/周（周一起）/月为最后一个周期，periods 为往前取的周期数。")
def volumes(hotline: HotlineDep, actor: CurrentActor, period: PeriodKind = "week",
            date_: Annotated[date | None, Query(alias="date")] = None,
            periods: Annotated[int, Query(ge=1, le=400)] = 1,
            township: Annotated[str | None, Query(max_length=32)] = None,
            category: Annotated[str | None, Query(max_length=32)] = None) -> VolumeTable:
    return hotline.hotspots.volumes(actor, period, date_, periods, township, category)


@router.get("/hotspots/events", response_model=list[HotEventPublic], summary="热点事件排行",
            description="近 days 天的工单中，同一乡镇、内容相近、多人反映的事件，按热度（人数、件数、集中程度）排序，"
                        "每项附说明。")
def hot_events(hotline: HotlineDep, actor: CurrentActor, days: Annotated[int, Query(ge=1, le=92)] = 30,
               top: Annotated[int, Query(ge=1, le=50)] = 10) -> list[HotEventPublic]:
    return hotline.hotspots.events(actor, days, top)


@router.post("/hotspots/scan", response_model=ScanResult, summary="扫描上升热点并生成预警",
             description="每个分类×乡镇的本期数量与其自身基线（前若干周期均值，有去年同期数据时按季节规律调整）比较，"
                         "泊松尾概率足够小且高出预期足够多时生成预警；重复扫描只更新数字，不重复生成。")
def scan(hotline: HotlineDep, actor: CurrentActor, period: PeriodKind = "week",
         date_: Annotated[date | None, Query(alias="date")] = None) -> ScanResult:
    return hotline.hotspots.scan(actor, period, date_)


@router.get("/hotspots/warnings", response_model=list[WarningPublic], summary="预警列表")
def list_warnings(hotline: HotlineDep, actor: CurrentActor,
                  status: Literal["open", "acknowledged"] | None = None,
                  since: datetime | None = None, until: datetime | None = None,
                  township: Annotated[str | None, Query(max_length=32)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[WarningPublic]:
    return hotline.hotspots.warnings(actor, status=status, since=since, until=until, township=township, limit=limit)


@router.post("/hotspots/warnings/{warning_id}/acknowledge", response_model=WarningPublic, summary="督办员确认预警")
def acknowledge(warning_id: int, body: AckInput, hotline: HotlineDep, actor: CurrentActor) -> WarningPublic:
    return hotline.hotspots.acknowledge(actor, warning_id, body.note)


@router.post("/sensor-events", response_model=SensorEventPublic, status_code=201, summary="接收低空感知告警",
             description="无人机、视频、物联网告警（类型、地点、时间）；同一来源的同一告警编号只记一次。"
                         "返回时间地点相近的已有工单。")
def post_sensor_event(body: SensorEventCreate, hotline: HotlineDep, actor: CurrentActor) -> SensorEventPublic:
    return hotline.hotspots.sensors.post(body, actor)


@router.get("/sensor-events", response_model=list[SensorEventPublic], summary="感知事件列表")
def list_sensor_events(hotline: HotlineDep, actor: CurrentActor,
                       township: Annotated[str | None, Query(max_length=32)] = None, open_only: bool = False,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[SensorEventPublic]:
    return hotline.hotspots.sensors.list(actor, township=township, open_only=open_only, limit=limit)


@router.get("/sensor-events/{event_id}", response_model=SensorEventPublic, summary="感知事件详情与相近工单")
def get_sensor_event(event_id: int, hotline: HotlineDep, actor: CurrentActor) -> SensorEventPublic:
    return hotline.hotspots.sensors.get(event_id, actor)


@router.post("/sensor-events/{event_id}/ticket", response_model=TicketPublic, status_code=201,
             summary="据感知事件主动立案（未诉先办）", description="督办员操作；工单经工单中心受理，记入审计轨迹。")
def open_ticket(event_id: int, body: ProactiveTicket, hotline: HotlineDep, actor: CurrentActor) -> TicketPublic:
    return hotline.hotspots.sensors.open_ticket(event_id, body, actor)


@router.post("/linkage/orders", response_model=ImportReport, summary="推送 110 / 综治工单",
             description="逐条校验，任一条有误则全部不导入；导入后按地点、时间与文本相似度匹配热线工单。")
def push_orders(body: OrdersInput, hotline: HotlineDep, actor: CurrentActor) -> ImportReport:
    return hotline.hotspots.linkage.import_orders([o.model_dump() for o in body.orders], actor)


@router.post("/linkage/orders/import", response_model=ImportReport, summary="导入 110 / 综治工单（CSV）",
             description="表头：系统,工单编号,标题,内容,乡镇,村（社区）,详细地址,发生时间,状态（或对应英文字段名）。")
async def import_orders(hotline: HotlineDep, actor: CurrentActor, file: Annotated[UploadFile, File()]) -> ImportReport:
    data = await file.read()
    return hotline.hotspots.linkage.import_orders(read_csv(data), actor)


@router.get("/linkage/orders", response_model=list[LinkageOrderPublic], summary="联动工单列表（含关联热线工单）")
def list_orders(hotline: HotlineDep, actor: CurrentActor, system: Literal["110", "综治"] | None = None,
                since: datetime | None = None, until: datetime | None = None,
                limit: Annotated[int, Query(ge=1, le=2000)] = 500) -> list[LinkageOrderPublic]:
    return hotline.hotspots.linkage.list(actor, system=system, since=since, until=until, limit=limit)


@router.get("/linkage/orders/export", summary="导出联动工单（CSV，含关联热线工单）", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV 文件"}})
def export_orders(hotline: HotlineDep, actor: CurrentActor, system: Literal["110", "综治"] | None = None,
                  since: datetime | None = None, until: datetime | None = None) -> Response:
    data = hotline.hotspots.linkage.export_csv(actor, system=system, since=since, until=until)
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=linkage-orders.csv"})


@router.get("/tickets/{ticket_id}/links", summary="同一事件的联动工单与感知事件")
def ticket_links(ticket_id: int, hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.hotspots.linkage.links_of_ticket(ticket_id, actor)
