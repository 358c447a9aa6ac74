"""Call sessions: a call's speaker-labelled segments are stored the moment they are recognised,
each final caller segment asks the knowledge base for suggestions, and the ticket draft is
updated (agent edits pinned, never overwritten by later segments)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select

from assistant.access import Actor
from assistant.db.call_models import Call, CallSegment, DraftCorrection
from assistant.db.engine import Database
from assistant.errors import AssistantError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from assistant.kb.desk import KnowledgeDesk
from assistant.kb.schemas import AnswerResult

log = logging.getLogger(__name__)
Speaker = Literal["agent", "caller"] | None


class SegmentIn(BaseModel):
    speaker: Speaker = None
    start: float = Field(ge=0, le=86400)
    end: float = Field(ge=0, le=86400)
    text: str = Field(max_length=2000)


class SegmentPublic(SegmentIn):
    seq: int


class CallPublic(BaseModel):
    id: int
    uid: str
    source: str
    status: str
    caller_number: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: float
    ticket_id: int | None
    draft: dict[str, Any]
    pinned: list[str]
    segments: list[SegmentPublic] = Field(default_factory=list)


class CallUpdate(BaseModel):
    call_id: int
    segments: list[SegmentPublic]
    suggestions: AnswerResult | None = None
    draft: dict[str, Any] = Field(default_factory=dict)


Drafter = Callable[[list[dict[str, Any]], datetime], dict[str, Any]]
CALL_ROLES = ("agent", "supervisor", "admin")
# Live suggestions ask the knowledge base with the caller's latest words only: the embedding's cost
# grows with the text, and the latest words say what the caller wants now.
SUGGEST_QUERY_CHARS = 128


class CallService:
    def __init__(self, db: Database, now: Callable[[], datetime], kb_desk: KnowledgeDesk | None = None,
                 drafter: Drafter | None = None) -> None:
        self.db = db
        self.now = now
        self.kb_desk = kb_desk
        self.drafter = drafter  # turns + call time → draft fields (智能填单), when that model is available
        self.on_end: list[Callable[[int], None]] = []  # e.g. quality scoring after each call

    def _call(self, s, call_id: int, actor: Actor) -> Call:  # type: ignore[no-untyped-def]
        call = s.get(Call, call_id)
        if call is None:
            raise NotFound(f"通话 {call_id} 不存在")
        if actor.role not in CALL_ROLES + ("qa", "system"):
            raise PermissionDenied("当前账号无权查看通话")
        return call

    def start(self, actor: Actor, *, caller_number: str = "", source: str = "live", uid: str | None = None) -> CallPublic:
        actor.require(*CALL_ROLES, "system")
        with self.db.write() as s:
            call = Call(uid=uid or uuid.uuid4().hex, source=source, status="live", agent_id=actor.user_id,
                        caller_number=caller_number[:32], started_at=self.now(), draft={}, pinned=[])
            s.add(call)
            s.flush()
            return self._public(call, [])

    def add_segments(self, call_id: int, segments: list[SegmentIn], actor: Actor, *, suggest: bool = True,
                     enrich: bool = True) -> CallUpdate:
        """Store final segments durably, then (unless ``enrich`` is false: see :meth:`enrich`)
        suggest answers and refresh the draft."""
        for seg in segments:
            if seg.end < seg.start:
                raise ValidationFailed("片段结束时间早于开始时间")
        with self.db.write() as s:
            call = self._call(s, call_id, actor)
            if call.status != "live":
                raise InvalidTransition("通话已结束，不能再追加转写")
            seq = s.scalar(select(func.coalesce(func.max(CallSegment.seq), 0)).where(CallSegment.call_id == call_id))
            stored = []
            for seg in segments:
                if not seg.text.strip():
                    continue
                seq += 1
                s.add(CallSegment(call_id=call_id, seq=seq, speaker=seg.speaker, start=seg.start, end=seg.end,
                                  text=seg.text.strip(), created_at=self.now()))
                stored.append(SegmentPublic(seq=seq, **seg.model_dump()))
            call.duration_s = max([call.duration_s] + [x.end for x in stored])
        update = CallUpdate(call_id=call_id, segments=stored)
        return self.enrich(update, suggest=suggest) if enrich else update

    def enrich(self, update: CallUpdate, *, suggest: bool = True, draft: bool = True) -> CallUpdate:
        """Suggested answers and the refreshed draft for segments just stored. Live calls send the
        text to the agent first and this second, so the words never wait for the lookups (and ask
        for the suggestions and the draft apart, so the answers never wait for the draft)."""
        stored = update.segments
        caller_text = " ".join(x.text for x in stored if x.speaker in ("caller", None))
        if suggest and caller_text and self.kb_desk is not None:
            update.suggestions = self.kb_desk.ask(self.recent_caller_text(update.call_id, SUGGEST_QUERY_CHARS),
                                                  channel="agent", k=3)
        if draft and self.drafter is not None and stored:
            update.draft = self.refresh_draft(update.call_id)
        return update

    def recent_caller_text(self, call_id: int, max_chars: int = 200, *, then: str | None = None) -> str:
        """The caller's last 5 turns (``then``: as they will be once this turn is stored)."""
        with self.db.read() as s:
            not_agent = or_(CallSegment.speaker.is_(None), CallSegment.speaker != "agent")
            rows = s.scalars(select(CallSegment.text).where(CallSegment.call_id == call_id, not_agent)
                             .order_by(CallSegment.seq.desc()).limit(4 if then else 5)).all()
        return " ".join([*reversed(rows), *([then.strip()] if then else [])])[-max_chars:]

    def prepare_suggestions(self, call_id: int, caller_text: str) -> None:
        """Look up, ahead of time, the suggestions a caller turn not yet stored will ask for (a live
        utterance recognised speculatively): the knowledge base keeps the query's embedding, so the
        real lookup once the turn is stored costs milliseconds. Nothing is stored or logged."""
        # ahead of time only: never the one to wait for the index's first build
        if self.kb_desk is not None and self.kb_desk.index.ready and caller_text.strip():
            query = self.recent_caller_text(call_id, SUGGEST_QUERY_CHARS, then=caller_text).strip()
            self.kb_desk.index.answer(query[-500:], k=3)

    def provisional_suggestions(self, call_id: int, caller_text: str) -> AnswerResult | None:
        """The suggestions for the caller's words so far while they are still speaking (an interim
        hypothesis, not stored): the query the stored turn would ask, nothing logged."""
        if self.kb_desk is None or not self.kb_desk.index.ready or not caller_text.strip():
            return None  # provisional: never the one to wait for the index's first build
        query = self.recent_caller_text(call_id, SUGGEST_QUERY_CHARS, then=caller_text).strip()
        return self.kb_desk.peek(query, channel="agent", k=3)

    def turns(self, call_id: int) -> list[dict[str, Any]]:
        with self.db.read() as s:
            rows = s.scalars(select(CallSegment).where(CallSegment.call_id == call_id).order_by(CallSegment.seq))
            return [{"speaker": r.speaker or "caller", "start": r.start, "end": r.end, "text": r.text} for r in rows]

    def refresh_draft(self, call_id: int) -> dict[str, Any]:
        assert self.drafter is not None
        with self.db.read() as s:
            call = s.get(Call, call_id)
            started, pinned, current = call.started_at, set(call.pinned or []), dict(call.draft or {})
        fresh = self.drafter(self.turns(call_id), started)
        merged = {k: v for k, v in fresh.items() if k not in pinned} | {k: current[k] for k in pinned if k in current}
        with self.db.write() as s:
            s.get(Call, call_id).draft = merged
        return merged

    def edit_draft(self, call_id: int, field: str, value: Any, actor: Actor) -> dict[str, Any]:
        """An agent's edit: stored as a correction and pinned against later segments."""
        actor.require(*CALL_ROLES)
        if not field or len(field) > 32:
            raise ValidationFailed("字段名无效")
        with self.db.write() as s:
            call = self._call(s, call_id, actor)
            draft = dict(call.draft or {})
            before = draft.get(field, {}).get("value") if isinstance(draft.get(field), dict) else draft.get(field)
            draft[field] = {"value": value, "confidence": 1.0, "source": "agent", "spans": []}
            call.draft = draft
            call.pinned = sorted(set(call.pinned or []) | {field})
            s.add(DraftCorrection(call_id=call_id, field=field, before=json.dumps(before, ensure_ascii=False),
                                  after=json.dumps(value, ensure_ascii=False), actor=actor.display_name,
                                  at=self.now()))
            return draft

    def end(self, call_id: int, actor: Actor) -> CallPublic:
        with self.db.write() as s:
            call = self._call(s, call_id, actor)
            ended_now = call.status == "live"
            if ended_now:
                call.status = "ended"
                call.ended_at = self.now()
        if ended_now:
            for hook in self.on_end:
                try:
                    hook(call_id)
                except AssistantError as exc:  # an expected outcome, e.g. nothing was said to score
                    log.info("after-call step skipped for call %s: %s", call_id, exc)
                except Exception:  # noqa: BLE001 - a failing follow-up must not lose the call
                    log.exception("after-call step failed for call %s", call_id)
        return self.get(call_id, actor)

    def link_ticket(self, call_id: int, ticket_id: int, actor: Actor) -> None:
        with self.db.write() as s:
            self._call(s, call_id, actor).ticket_id = ticket_id

    def prefill(self, call_id: int, actor: Actor) -> dict[str, Any]:
        """The draft as ticket fields (values only), for the agent's form."""
        call = self.get(call_id, actor)
        values = {k: (v.get("value") if isinstance(v, dict) else v) for k, v in call.draft.items()}
        phones = values.get("phones") or []
        out = {
            "caller_name": values.get("caller_name") or "",
            "caller_number": call.caller_number,
            "contact_number": phones[0] if phones else call.caller_number,
            "id_number": values.get("id_number") or "",
            "confidential": bool(values.get("confidential")),
            "callback_ok": values.get("callback_ok") is not False,
            "appeal_type": values.get("appeal_type") or "咨询",
            "title": values.get("title") or "",
            "content": values.get("summary") or "",
            "township": values.get("township") or "",
            "village": values.get("village") or "",
            "address_detail": values.get("address_detail") or "",
            "event_time": values.get("event_time"),
            "urgency": values.get("urgency") or "一般",
            "call_id": call.uid,
        }
        category = values.get("category")
        if category:
            out["category"] = [str(c) for c in category][:4] if isinstance(category, list) else [str(category)]
        return out

    def get(self, call_id: int, actor: Actor) -> CallPublic:
        with self.db.read() as s:
            call = self._call(s, call_id, actor)
            segs = s.scalars(select(CallSegment).where(CallSegment.call_id == call_id).order_by(CallSegment.seq))
            return self._public(call, [SegmentPublic(seq=x.seq, speaker=x.speaker, start=x.start, end=x.end,
                                                     text=x.text) for x in segs])

    @staticmethod
    def _public(call: Call, segments: list[SegmentPublic]) -> CallPublic:
        return CallPublic(id=call.id, uid=call.uid, source=call.source, status=call.status,
                          caller_number=call.caller_number, started_at=call.started_at, ended_at=call.ended_at,
                          duration_s=call.duration_s, ticket_id=call.ticket_id, draft=dict(call.draft or {}),
                          pinned=list(call.pinned or []), segments=segments)
