"""Agents' corrections of the classifiers' suggestions (category, appeal type, urgency, lead unit):
stored with the text, what was suggested, what was chosen, who and when, and the ticket; read back
as training data for the next category model and as statistics of where the suggestions go wrong.

Two ways in: the ticket form reports the suggestions it showed (``record_for_ticket``), and a ticket
submitted from a call is compared with the call's draft, whose classifier values the draft keeps
(or, when the agent edited the draft, the value before the first edit, in ``draft_corrections``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from assistant.access import Actor, can_view_ticket
from assistant.db.call_models import Call, DraftCorrection
from assistant.db.catalogue_models import ClassificationCorrection
from assistant.db.engine import Database
from assistant.db.models import Ticket, Unit
from assistant.errors import NotFound, ValidationFailed

FIELDS = ("category", "appeal_type", "urgency", "lead_unit")
FIELD_NAMES = {"category": "分类", "appeal_type": "诉求类型", "urgency": "紧急程度", "lead_unit": "主办单位"}
CENTER_ROLES = ("agent", "supervisor", "admin")


class SuggestionShown(BaseModel):
    """What the ticket form suggested; each given field is compared with the ticket as recorded."""

    category: Annotated[str, Field(max_length=256)] | Annotated[list[Annotated[str, Field(max_length=64)]], Field(
        max_length=4)] | None = Field(default=None, description="建议的分类（路径或名称）")
    appeal_type: str | None = Field(default=None, max_length=8, description="建议的诉求类型")
    urgency: str | None = Field(default=None, max_length=8, description="建议的紧急程度")
    lead_unit: str | None = Field(default=None, max_length=64, description="建议的主办单位编码")


def _norm(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field == "category":
        parts = value if isinstance(value, list | tuple) else str(value).split("/")
        return "/".join(str(p).strip() for p in parts if str(p).strip())[:256]
    return str(value).strip()[:256]


def same(field: str, suggested: str, chosen: str) -> bool:
    """Equal, or (for a category) one path a prefix of the other, e.g. a level-one suggestion the
    agent refined to level two is not a correction."""
    if suggested == chosen:
        return True
    if field == "category":
        a, b = suggested.split("/"), chosen.split("/")
        n = min(len(a), len(b))
        return a[:n] == b[:n] or a[-1] == b[-1]
    return False


def ticket_text(title: str, content: str) -> str:
    return f"{title}。{content}"


class CorrectionService:
    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    def _add(self, s: Any, ticket: Ticket, field: str, suggested: Any, chosen: Any, actor: Actor,
             source: str) -> dict[str, Any] | None:
        sug, cho = _norm(field, suggested), _norm(field, chosen)
        if not sug or not cho or same(field, sug, cho):
            return None
        row = ClassificationCorrection(ticket_id=ticket.id, field=field, text=ticket_text(ticket.title, ticket.content),
                                       suggested=sug, chosen=cho, source=source, actor_id=actor.user_id,
                                       actor_name=actor.display_name, at=self.now())
        s.add(row)
        return {"field": field, "suggested": sug, "chosen": cho}

    @staticmethod
    def _recorded(s: Any, ticket: Ticket) -> dict[str, Any]:
        lead = s.get(Unit, ticket.lead_unit_id).code if ticket.lead_unit_id else None
        return {"category": ticket.category or None, "appeal_type": ticket.appeal_type,
                "urgency": ticket.urgency, "lead_unit": lead}

    def record_for_ticket(self, ticket_id: int, shown: SuggestionShown, actor: Actor) -> list[dict[str, Any]]:
        """Compare the suggestions the form showed with the ticket as saved; store each difference."""
        actor.require(*CENTER_ROLES)
        given = shown.model_dump(exclude_none=True)
        if not given:
            raise ValidationFailed("请至少提供一项建议值（分类、诉求类型、紧急程度或主办单位）")
        with self.db.write() as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None or not can_view_ticket(actor, ticket.lead_unit_id, [c.unit_id for c in ticket.co_units]):
                raise NotFound(f"工单 {ticket_id} 不存在")
            recorded = self._recorded(s, ticket)
            out = [c for f, v in given.items() if (c := self._add(s, ticket, f, v, recorded[f], actor, "form"))]
        return out

    def record_from_call(self, call_id: int, ticket_id: int, actor: Actor) -> list[dict[str, Any]]:
        """A ticket submitted from a call: its category, appeal type and urgency against the draft's."""
        with self.db.write() as s:
            call, ticket = s.get(Call, call_id), s.get(Ticket, ticket_id)
            if call is None or ticket is None:
                return []
            first_before: dict[str, Any] = {}
            for c in s.scalars(select(DraftCorrection).where(DraftCorrection.call_id == call_id)
                               .order_by(DraftCorrection.id)):
                if c.field in FIELDS and c.field not in first_before:
                    first_before[c.field] = json.loads(c.before) if c.before else None
            draft = dict(call.draft or {})
            recorded = self._recorded(s, ticket)
            out = []
            for field in ("category", "appeal_type", "urgency"):
                slot = draft.get(field)
                if field in first_before:
                    suggested = first_before[field]
                elif isinstance(slot, dict) and slot.get("source") == "classifier":
                    suggested = slot.get("value")
                else:
                    continue
                if c := self._add(s, ticket, field, suggested, recorded[field], actor, "call_draft"):
                    out.append(c)
        return out

    def list(self, actor: Actor, *, field: str | None = None, page: int = 1, size: int = 50) -> dict[str, Any]:
        actor.require("supervisor", "admin")
        stmt = select(ClassificationCorrection)
        if field:
            stmt = stmt.where(ClassificationCorrection.field == field)
        with self.db.read() as s:
            total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = s.scalars(stmt.order_by(ClassificationCorrection.id.desc()).offset((page - 1) * size).limit(size))
            items = [{"id": r.id, "ticket_id": r.ticket_id, "field": r.field, "text": r.text, "suggested": r.suggested,
                      "chosen": r.chosen, "source": r.source, "actor": r.actor_name, "at": r.at} for r in rows]
        return {"total": total, "page": page, "size": size, "items": items}

    def stats(self, actor: Actor, *, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
        """Per field: how many corrections, the commonest suggested → chosen pairs, who corrects;
        and the share of tickets created in the period that were corrected."""
        actor.require("supervisor", "admin")
        stmt = select(ClassificationCorrection.field, ClassificationCorrection.suggested,
                      ClassificationCorrection.chosen, ClassificationCorrection.actor_name,
                      ClassificationCorrection.ticket_id)
        tickets = select(func.count(Ticket.id))
        if since:
            stmt, tickets = stmt.where(ClassificationCorrection.at >= since), tickets.where(Ticket.created_at >= since)
        if until:
            stmt, tickets = stmt.where(ClassificationCorrection.at < until), tickets.where(Ticket.created_at < until)
        with self.db.read() as s:
            rows = s.execute(stmt).all()
            n_tickets = s.scalar(tickets) or 0
        fields = {}
        for field in FIELDS:
            mine = [r for r in rows if r.field == field]
            pairs = Counter((r.suggested, r.chosen) for r in mine)
            fields[field] = {
                "name": FIELD_NAMES[field], "corrections": len(mine),
                "tickets_corrected": len({r.ticket_id for r in mine if r.ticket_id}),
                "rate": round(len({r.ticket_id for r in mine if r.ticket_id}) / n_tickets, 4) if n_tickets else None,
                "top": [{"suggested": a, "chosen": b, "count": n} for (a, b), n in pairs.most_common(10)],
                "by_agent": dict(Counter(r.actor_name for r in mine).most_common(20)),
            }
        return {"tickets": n_tickets, "corrections": len(rows), "fields": fields}

    def training_rows(self) -> list[tuple[str, str]]:
        """``(text, category label)`` for the next category model: every ticket's final category (its
        last, most specific level) and every stored category correction; one row per text, the
        newest correction winning over the ticket it was made on."""
        with self.db.read() as s:
            tickets = s.execute(select(Ticket.title, Ticket.content, Ticket.category)).all()
            fixes = s.execute(select(ClassificationCorrection.text, ClassificationCorrection.chosen)
                              .where(ClassificationCorrection.field == "category")
                              .order_by(ClassificationCorrection.id)).all()
        rows: dict[str, str] = {}
        for title, content, category in tickets:
            if category:
                rows[ticket_text(title, content)] = str(category[-1])
        for text, chosen in fixes:
            rows[text] = chosen.split("/")[-1]
        return [(t, label) for t, label in rows.items() if t.strip() and label.strip()]
