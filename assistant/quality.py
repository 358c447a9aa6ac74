"""Quality inspection workflow: every call scored after it ends (or in batch), routed by
confidence (high-confidence passes accepted automatically, middling ones sampled, low ones and
every fatal error to a person), reviewed item by item by QA staff, appealed by agents."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select

from assistant.access import Actor
from assistant.db.call_models import Call, CallSegment
from assistant.db.engine import Database
from assistant.db.models import Ticket
from assistant.db.qa_models import QaDecision, QaRecord
from assistant.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from classifiers.qa import QaScorer


class QaDecisionPublic(BaseModel):
    item_id: str
    kind: str
    comment: str
    actor: str
    at: datetime


class QaPublic(BaseModel):
    id: int
    call_id: int
    agent_id: int | None
    total: float
    final_total: float | None
    fatal: bool
    confidence: float
    route: str
    route_reason: str
    status: str
    items: list[dict[str, Any]]
    rubric_version: str
    scored_at: datetime
    decisions: list[QaDecisionPublic] = Field(default_factory=list)


class ItemReview(BaseModel):
    decision: Literal["accept", "overrule"] = Field(description="accept 维持扣分 / overrule 推翻")
    comment: str = Field(default="", max_length=1000)


class Appeal(BaseModel):
    item_id: str = Field(min_length=1, max_length=64)
    comment: str = Field(min_length=4, max_length=1000, description="申诉理由")


class ItemStat(BaseModel):
    item_id: str
    name: str
    scored: int
    violated: int
    overruled: int


class AgentStat(BaseModel):
    agent_id: int | None
    calls: int
    average: float
    fatal: int


REVIEWERS = ("qa", "supervisor", "admin")


class QualityService:
    def __init__(self, db: Database, now: Callable[[], datetime], scorer: QaScorer, *,
                 sample_rate: float = 0.1, rng: random.Random | None = None) -> None:
        self.db = db
        self.now = now
        self.scorer = scorer
        self.sample_rate = sample_rate
        self.rng = rng or random.Random()

    def score_call(self, call_id: int, *, kb_answer: str | None = None) -> QaPublic:
        with self.db.read() as s:
            call = s.get(Call, call_id)
            if call is None:
                raise NotFound(f"通话 {call_id} 不存在")
            segs = s.scalars(select(CallSegment).where(CallSegment.call_id == call_id).order_by(CallSegment.seq))
            turns = [{"speaker": x.speaker or "caller", "start": x.start, "end": x.end, "text": x.text} for x in segs]
            ticket = s.get(Ticket, call.ticket_id) if call.ticket_id else None
            ticket_fields = None if ticket is None else {
                "appeal_type": ticket.appeal_type, "township": ticket.township, "village": ticket.village,
                "address_detail": ticket.address_detail, "contact_number": ticket.contact_number,
                "content": ticket.content, "confidential": ticket.confidential,
                "caller_name": ticket.caller_name, "category": "/".join(ticket.category or [])}
            agent_id = call.agent_id
        if not turns:
            raise ValidationFailed("通话没有转写内容，无法质检")
        result = self.scorer.run({"call_id": str(call_id), "turns": turns, "ticket": ticket_fields,
                                  "kb_answer": kb_answer})
        route = result.route
        if route == "sample":  # middling: a share goes to a person, the rest is accepted
            route = "review" if self.rng.random() < self.sample_rate else "auto_accept"
        status = "pending" if route == "review" or result.fatal else "accepted"
        items = [asdict(i) for i in result.items]
        with self.db.write() as s:
            record = s.scalar(select(QaRecord).where(QaRecord.call_id == call_id))
            if record is None:
                record = QaRecord(call_id=call_id)
                s.add(record)
            record.agent_id, record.total, record.fatal = agent_id, result.total, result.fatal
            record.confidence, record.route, record.route_reason = result.confidence, route, result.route_reason
            record.status, record.items, record.rubric_version = status, items, result.rubric_version
            record.scored_at, record.final_total = self.now(), None
            s.flush()
            return self._public(s, record)

    def score_batch(self, *, rescore: bool = False, limit: int = 200) -> dict[str, Any]:
        """Score past calls that have ended (those without a result, or all with ``rescore``)."""
        with self.db.read() as s:
            stmt = select(Call.id).where(Call.status == "ended").order_by(Call.id).limit(limit)
            if not rescore:
                stmt = stmt.where(Call.id.not_in(select(QaRecord.call_id)))
            ids = list(s.scalars(stmt))
        scored, failed = 0, []
        for call_id in ids:
            try:
                self.score_call(call_id)
                scored += 1
            except ValidationFailed as exc:
                failed.append({"call_id": call_id, "reason": str(exc)})
        return {"scored": scored, "failed": failed}

    def _public(self, s, record: QaRecord) -> QaPublic:  # type: ignore[no-untyped-def]
        decisions = s.scalars(select(QaDecision).where(QaDecision.result_id == record.id).order_by(QaDecision.id))
        return QaPublic(id=record.id, call_id=record.call_id, agent_id=record.agent_id, total=record.total,
                        final_total=record.final_total, fatal=record.fatal, confidence=record.confidence,
                        route=record.route, route_reason=record.route_reason, status=record.status,
                        items=list(record.items or []), rubric_version=record.rubric_version,
                        scored_at=record.scored_at,
                        decisions=[QaDecisionPublic(item_id=d.item_id, kind=d.kind, comment=d.comment,
                                                    actor=d.actor, at=d.at) for d in decisions])

    def _record(self, s, result_id: int, actor: Actor) -> QaRecord:  # type: ignore[no-untyped-def]
        record = s.get(QaRecord, result_id)
        if record is None or (actor.role == "agent" and record.agent_id != actor.user_id):
            raise NotFound(f"质检结果 {result_id} 不存在")
        if actor.role not in REVIEWERS + ("agent",):
            raise PermissionDenied("当前账号无权查看质检结果")
        return record

    def get(self, result_id: int, actor: Actor) -> QaPublic:
        with self.db.read() as s:
            return self._public(s, self._record(s, result_id, actor))

    def list(self, actor: Actor, *, status: str | None = None, limit: int = 50) -> list[QaPublic]:
        stmt = select(QaRecord).order_by(QaRecord.id.desc()).limit(max(1, min(limit, 200)))
        if actor.role == "agent":
            stmt = stmt.where(QaRecord.agent_id == actor.user_id)  # agents see their own results
        elif actor.role not in REVIEWERS:
            raise PermissionDenied("当前账号无权查看质检结果")
        if status:
            stmt = stmt.where(QaRecord.status == status)
        with self.db.read() as s:
            return [self._public(s, r) for r in s.scalars(stmt)]

    def review_item(self, result_id: int, item_id: str, body: ItemReview, actor: Actor) -> QaPublic:
        actor.require(*REVIEWERS)
        with self.db.write() as s:
            record = self._record(s, result_id, actor)
            items = [dict(i) for i in record.items]
            item = next((i for i in items if i.get("item_id") == item_id), None)
            if item is None:
                raise NotFound(f"质检项 {item_id} 不存在")
            if body.decision == "overrule" and not body.comment.strip():
                raise ValidationFailed("推翻扣分须填写理由")
            item["review"] = body.decision
            record.items = items
            record.final_total = round(min(100.0, record.total + sum(
                float(i.get("deduction", 0)) for i in items if i.get("review") == "overrule")), 2)
            record.status = "reviewed"
            s.add(QaDecision(result_id=record.id, item_id=item_id, kind=body.decision, comment=body.comment,
                             actor=actor.display_name, at=self.now()))
            s.flush()
            return self._public(s, record)

    def appeal(self, result_id: int, body: Appeal, actor: Actor) -> QaPublic:
        actor.require("agent")
        with self.db.write() as s:
            record = self._record(s, result_id, actor)
            if record.status == "appealed":
                raise InvalidTransition("该质检结果已在申诉中")
            if not any(i.get("item_id") == body.item_id and i.get("violated") for i in record.items):
                raise ValidationFailed("只能对扣分项提出申诉")
            record.status = "appealed"
            s.add(QaDecision(result_id=record.id, item_id=body.item_id, kind="appeal", comment=body.comment,
                             actor=actor.display_name, at=self.now()))
            s.flush()
            return self._public(s, record)

    def stats(self, actor: Actor) -> dict[str, Any]:
        actor.require(*REVIEWERS)
        with self.db.read() as s:
            agents = [AgentStat(agent_id=a, calls=n, average=round(float(avg or 0), 2), fatal=int(f or 0))
                      for a, n, avg, f in s.execute(
                          select(QaRecord.agent_id, func.count(), func.avg(func.coalesce(QaRecord.final_total,
                                                                                           QaRecord.total)),
                                 func.sum(case((QaRecord.fatal.is_(True), 1), else_=0)))
                          .group_by(QaRecord.agent_id))]
            items: dict[str, ItemStat] = {}
            for (rows,) in s.execute(select(QaRecord.items)):
                for i in rows or []:
                    st = items.setdefault(i["item_id"], ItemStat(item_id=i["item_id"], name=i.get("name", ""),
                                                                 scored=0, violated=0, overruled=0))
                    st.scored += 1 if i.get("applicable", True) else 0
                    st.violated += 1 if i.get("violated") else 0
                    st.overruled += 1 if i.get("review") == "overrule" else 0
        return {"agents": [a.model_dump() for a in agents], "items": [v.model_dump() for v in items.values()]}
