"""Weekly and monthly reports: figures from the tickets, charts, and the file in the asked format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from assistant.access import Actor
from assistant.county import County
from assistant.db.engine import Database
from assistant.errors import ValidationFailed
from assistant.hotspots.detect import HotspotPolicy
from assistant.hotspots.periods import parse_day, period_of
from assistant.reports.figures import ReportData, collect
from assistant.reports.fonts import cjk_font

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class ReportFile:
    content: bytes
    filename: str
    media_type: str
    data: ReportData


class ReportService:
    def __init__(self, db: Database, county: County, policy: HotspotPolicy, now: Callable[[], datetime],
                 font: str | Path | None = None) -> None:
        self.db, self.county, self.policy, self.now, self.font = db, county, policy, now, font

    def figures(self, kind: str, day: str | date | None) -> ReportData:
        if kind not in ("week", "month"):
            raise ValidationFailed(f"报表周期只能是 week（周报）或 month（月报），收到“{kind}”")
        today = self.now().astimezone(self.county.timezone).date()
        period = period_of(kind, parse_day(day, today), self.county.timezone)
        with self.db.read() as s:
            return collect(s, period, self.policy, self.county.name, self.now())

    def build(self, actor: Actor, kind: str, day: str | date | None, fmt: str) -> ReportFile:
        actor.require("supervisor", "admin", "system")
        if fmt not in FORMATS:
            raise ValidationFailed(f"报表格式只能是 html、pdf 或 xlsx，收到“{fmt}”")
        data = self.figures(kind, day)
        if fmt == "xlsx":
            from assistant.reports.xlsx import render_xlsx

            content = render_xlsx(data)
        else:
            from assistant.reports.charts import render_charts

            font = cjk_font(self.font)
            charts = render_charts(data, font)
            if fmt == "html":
                from assistant.reports.html import render_html

                content = render_html(data, charts)
            else:
                from assistant.reports.pdf import render_pdf

                content = render_pdf(data, charts, font)
        name = f"{self.county.ticket_prefix}-{'weekly' if kind == 'week' else 'monthly'}-{data.first:%Y%m%d}.{fmt}"
        return ReportFile(content=content, filename=name, media_type=FORMATS[fmt], data=data)
