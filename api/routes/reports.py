"""周报、月报：HTML、PDF、XLSX 文件（含图表），以及报表数据。"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from api.deps import CurrentActor, HotlineDep
from assistant.reports.figures import ReportData

router = APIRouter(prefix="/reports", tags=["统计报表"])


@router.get("/{period}", summary="下载周报 / 月报",
            description="period：week 周报（周一至周日）或 month 月报；date 为期间内任一天（默认今天，本县时间）；"
                        "format：html、pdf 或 xlsx。内容：受理量与分类、乡镇分布、各承办单位签收率、按期办结率、"
                        "延期率、退单率、满意率，重点督办工单，热点预警。督办员、管理员可用。",
            responses={200: {"content": {"text/html": {}, "application/pdf": {},
                                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def download(period: Literal["week", "month"], hotline: HotlineDep, actor: CurrentActor,
             date_: Annotated[date | None, Query(alias="date")] = None,
             format_: Annotated[Literal["html", "pdf", "xlsx"], Query(alias="format")] = "html") -> Response:
    out = hotline.reports.build(actor, period, date_, format_)
    return Response(out.content, media_type=out.media_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(out.filename)}"})


@router.get("/{period}/data", response_model=ReportData, summary="报表数据（JSON）")
def data(period: Literal["week", "month"], hotline: HotlineDep, actor: CurrentActor,
         date_: Annotated[date | None, Query(alias="date")] = None) -> ReportData:
    actor.require("supervisor", "admin")
    return hotline.reports.figures(period, date_)
