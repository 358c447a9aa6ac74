"""政警综 linkage: 110 police and 综治 work orders imported (CSV or API) and exported (CSV), each
matched against hotline tickets (place + time + text) so that one event is seen once."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from assistant.access import Actor
from assistant.county import County
from assistant.db.engine import Database
from assistant.db.hotspot_models import LinkageOrder, SensorEvent
from assistant.db.models import Ticket
from assistant.errors import NotFound, ValidationFailed
from assistant.hotspots.matching import LINKAGE_WEIGHTS, TicketMatch, nearby
from assistant.spreadsheet import decode_text

HEADERS = {  # Chinese column → field
    "系统": "system", "工单编号": "external_no", "编号": "external_no", "标题": "title", "内容": "content",
    "乡镇": "township", "村": "village", "村（社区）": "village", "详细地址": "address_detail",
    "发生时间": "occurred_at", "状态": "status",
}
EXPORT_COLUMNS = [("system", "系统"), ("external_no", "工单编号"), ("title", "标题"), ("content", "内容"),
                  ("township", "乡镇"), ("village", "村（社区）"), ("address_detail", "详细地址"),
                  ("occurred_at", "发生时间"), ("status", "状态"), ("ticket_number", "关联热线工单"),
                  ("match_score", "匹配得分"), ("match_reason", "匹配说明")]


class LinkageOrderIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    system: Literal["110", "综治"] = Field(description="来源：110 公安警情 / 综治 综治工单")
    external_no: str = Field(min_length=1, max_length=64, description="对方系统工单编号")
    title: str = Field(min_length=2, max_length=128)
    content: str = Field(default="", max_length=5000)
    township: str = Field(default="", max_length=32)
    village: str = Field(default="", max_length=32)
    address_detail: str = Field(default="", max_length=200)
    occurred_at: datetime = Field(description="发生时间（ISO 8601；无时区按本县时间）")
    status: str = Field(default="", max_length=32)


class LinkageOrderPublic(BaseModel):
    id: int
    system: str
    external_no: str
    title: str
    content: str
    township: str
    village: str
    address_detail: str
    occurred_at: datetime
    status: str
    imported_at: datetime
    ticket_id: int | None
    ticket_number: str | None = Field(description="关联的热线工单（同一事件）")
    match_score: float | None
    match_reason: str
    candidates: list[TicketMatch] = Field(default_factory=list)


class ImportReport(BaseModel):
    imported: int
    updated: int
    linked: int
    orders: list[LinkageOrderPublic]


def _public(o: LinkageOrder, number: str | None, candidates: list[TicketMatch] | None = None) -> LinkageOrderPublic:
    data = {c: getattr(o, c) for c in LinkageOrderPublic.model_fields if hasattr(o, c)}
    return LinkageOrderPublic(**data, ticket_number=number, candidates=candidates or [])


def read_csv(data: bytes) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(decode_text(data)))
    if not reader.fieldnames:
        raise ValidationFailed("文件为空或缺少表头")
    return [{HEADERS.get(k.strip(), k.strip()): (v or "").strip() for k, v in row.items() if k} for row in reader]


class LinkageDesk:
    def __init__(self, db: Database, county: County, now) -> None:  # type: ignore[no-untyped-def]
        self.db, self.county, self.now = db, county, now

    def _check(self, rows: list[dict[str, Any]]) -> list[LinkageOrderIn]:
        ok, errors = [], []
        for i, row in enumerate(rows, start=2):  # row 1 is the header in a CSV
            try:
                item = LinkageOrderIn.model_validate(row)
                if item.township:
                    item.township = self.county.resolve_township(item.township)
                if item.occurred_at.tzinfo is None:
                    item.occurred_at = item.occurred_at.replace(tzinfo=self.county.timezone)
                ok.append(item)
            except ValidationError as exc:
                for err in exc.errors():
                    field = ".".join(str(p) for p in err["loc"])
                    msg = "缺少必填字段" if err["type"] == "missing" else "取值不符合要求"
                    errors.append({"row": i, "field": field, "message": msg})
            except ValidationFailed as exc:
                errors.append({"row": i, "field": "township", "message": str(exc)})
        if errors:
            raise ValidationFailed(f"导入失败：{len(errors)} 处错误，未导入任何工单", details={"errors": errors})
        if not ok:
            raise ValidationFailed("没有可导入的工单")
        return ok

    def import_orders(self, rows: list[dict[str, Any]], actor: Actor) -> ImportReport:
        actor.require("agent", "supervisor", "admin", "system")
        items = self._check(rows)
        now = self.now()
        imported = updated = linked = 0
        out = []
        with self.db.write() as s:
            for item in items:
                o = s.scalar(select(LinkageOrder).where(LinkageOrder.system == item.system,
                                                        LinkageOrder.external_no == item.external_no))
                if o is None:
                    o = LinkageOrder(**item.model_dump(), imported_at=now, imported_by=actor.display_name,
                                     match_reason="")
                    s.add(o)
                    imported += 1
                else:
                    for k, v in item.model_dump().items():
                        setattr(o, k, v)
                    updated += 1
                s.flush()
                cands = nearby(s, o.township, o.village, o.occurred_at, f"{o.title}{o.content}", LINKAGE_WEIGHTS,
                               limit=5)
                best = cands[0] if cands and cands[0].score >= LINKAGE_WEIGHTS.threshold else None
                o.ticket_id = best.ticket_id if best else None
                o.match_score = best.score if best else (cands[0].score if cands else None)
                o.match_reason = best.reason if best else "未找到同一事件的热线工单"
                linked += best is not None
                out.append(_public(o, best.number if best else None, cands))
        return ImportReport(imported=imported, updated=updated, linked=linked, orders=out)

    def list(self, actor: Actor, *, system: str | None = None, since: datetime | None = None,
             until: datetime | None = None, limit: int = 500) -> list[LinkageOrderPublic]:
        actor.require("agent", "supervisor", "admin")
        stmt = (select(LinkageOrder, Ticket.number).outerjoin(Ticket, Ticket.id == LinkageOrder.ticket_id)
                .order_by(LinkageOrder.occurred_at.desc(), LinkageOrder.id.desc()).limit(limit))
        if system:
            stmt = stmt.where(LinkageOrder.system == system)
        if since:
            stmt = stmt.where(LinkageOrder.occurred_at >= since)
        if until:
            stmt = stmt.where(LinkageOrder.occurred_at < until)
        with self.db.read() as s:
            return [_public(o, number) for o, number in s.execute(stmt)]

    def export_csv(self, actor: Actor, **filters: Any) -> bytes:
        orders = self.list(actor, limit=100000, **filters)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([label for _k, label in EXPORT_COLUMNS])
        for o in orders:
            row = o.model_dump()
            row["occurred_at"] = o.occurred_at.astimezone(self.county.timezone).strftime("%Y-%m-%d %H:%M")
            w.writerow([_cell(row.get(k)) for k, _label in EXPORT_COLUMNS])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")

    def links_of_ticket(self, ticket_id: int, actor: Actor) -> dict[str, Any]:
        """What else points at this ticket's event: linked 110/综治 orders and sensor events."""
        actor.require("agent", "supervisor", "admin")
        with self.db.read() as s:
            number = s.scalar(select(Ticket.number).where(Ticket.id == ticket_id))
            if number is None:
                raise NotFound(f"工单 {ticket_id} 不存在")
            orders = [_public(o, number) for o in s.scalars(
                select(LinkageOrder).where(LinkageOrder.ticket_id == ticket_id).order_by(LinkageOrder.id))]
            sensors = [{"id": e.id, "source": e.source, "kind": e.kind, "occurred_at": e.occurred_at}
                       for e in s.scalars(select(SensorEvent).where(SensorEvent.ticket_id == ticket_id))]
        return {"ticket_id": ticket_id, "number": number, "linkage_orders": orders, "sensor_events": sensors}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a spreadsheet must show it, not run it
    return value
