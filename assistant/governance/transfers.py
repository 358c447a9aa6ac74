"""Clue transfer (线索移送): a ticket that points to misconduct by officials, or that stays
unresolved after supervision, handed over to 纪委监委 or 信访 — who, to whom, why, when and with
which materials, then the receiving body's acknowledgement and result, all logged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.access import Actor
from assistant.db.engine import Database
from assistant.db.governance_models import ClueTransfer, GovernanceEvent
from assistant.db.models import Ticket
from assistant.errors import InvalidTransition, NotFound, RuleViolation, ValidationFailed
from assistant.governance.cases import MANAGERS, CaseService
from assistant.governance.schemas import (
    GROUNDS_LABELS,
    TARGET_LABELS,
    TRANSFER_STATUS_LABELS,
    GovernanceEventPublic,
    TransferCreate,
    TransferPublic,
    TransferUpdate,
)
from assistant.tickets.service import TicketService

NEXT = {"sent": {"received", "rejected"}, "received": {"concluded", "rejected"}, "concluded": set(), "rejected": set()}
ACTIVE = ("sent", "received")


class TransferService:
    def __init__(self, db: Database, tickets: TicketService, cases: CaseService, now: Callable[[], datetime]) -> None:
        self.db = db
        self.tickets = tickets
        self.cases = cases
        self.now = now

    def _public(self, t: ClueTransfer, number: str) -> TransferPublic:
        return TransferPublic(id=t.id, ticket_id=t.ticket_id, ticket_number=number, case_id=t.case_id,
                              target=t.target, target_label=TARGET_LABELS[t.target], grounds=t.grounds,
                              grounds_label=GROUNDS_LABELS[t.grounds], reason=t.reason,
                              attachments=list(t.attachments or []), status=t.status,
                              status_label=TRANSFER_STATUS_LABELS[t.status], receiver=t.receiver, result=t.result,
                              created_at=t.created_at, created_by=t.created_by, updated_at=t.updated_at)

    def _get(self, s: Session, transfer_id: int, *, lock: bool = False) -> tuple[ClueTransfer, str]:
        stmt = select(ClueTransfer, Ticket.number).join(Ticket, Ticket.id == ClueTransfer.ticket_id) \
            .where(ClueTransfer.id == transfer_id)
        row = s.execute(stmt.with_for_update(of=ClueTransfer) if lock else stmt).first()
        if row is None:
            raise NotFound(f"移送记录 {transfer_id} 不存在")
        return row[0], row[1]

    def create(self, data: TransferCreate, actor: Actor) -> TransferPublic:
        actor.require(*MANAGERS)
        attachments = [a.strip() for a in data.attachments if a.strip()]
        if any(len(a) > 200 for a in attachments):
            raise ValidationFailed("附件名称过长（每项不超过 200 字）")
        now = self.now()
        with self.db.write() as s:
            ticket = self.tickets._load(s, data.ticket_id, actor, lock=True)
            if data.grounds == "unresolved":
                if not ticket.supervised:
                    raise RuleViolation("该工单尚未督办；“督办后仍未解决”的移送须在督办之后")
                if ticket.resolution == "解决":
                    raise RuleViolation("回访结果为已解决，不能以“督办后仍未解决”为由移送")
            dup = s.scalar(select(ClueTransfer.id).where(ClueTransfer.ticket_id == ticket.id,
                                                         ClueTransfer.target == data.target,
                                                         ClueTransfer.status.in_(ACTIVE)))
            if dup is not None:
                raise RuleViolation(f"该工单已移送{TARGET_LABELS[data.target]}（移送记录 {dup}），请勿重复移送",
                                    details={"transfer_id": dup})
            case = self.cases.open_case_of(s, ticket.id)
            t = ClueTransfer(ticket_id=ticket.id, case_id=case.id if case else None, target=data.target,
                             grounds=data.grounds, reason=data.reason, attachments=attachments, status="sent",
                             receiver="", result="", created_at=now, created_by_id=actor.user_id,
                             created_by=actor.display_name, updated_at=now)
            s.add(t)
            s.flush()
            label = TARGET_LABELS[data.target]
            self.tickets.note(s, ticket.id, actor, "clue_transfer",
                              f"线索移送{label}（{GROUNDS_LABELS[data.grounds]}）：{data.reason}",
                              {"transfer_id": [None, t.id], "transfer_target": [None, data.target]})
            self.cases.log(s, "transfer", t.id, actor, "create", ticket_id=ticket.id,
                           details={"target": data.target, "grounds": data.grounds, "attachments": attachments},
                           comment=data.reason)
            return self._public(t, ticket.number)

    def update(self, transfer_id: int, data: TransferUpdate, actor: Actor) -> TransferPublic:
        """Record the receiving body's acknowledgement (received), result (concluded) or refusal (rejected)."""
        actor.require(*MANAGERS)
        with self.db.write() as s:
            t, number = self._get(s, transfer_id, lock=True)
            if data.status not in NEXT[t.status]:
                raise InvalidTransition(f"移送记录当前为“{TRANSFER_STATUS_LABELS[t.status]}”，"
                                        f"不能改为“{TRANSFER_STATUS_LABELS[data.status]}”")
            if data.status == "received" and not data.receiver:
                raise ValidationFailed("请填写接收人")
            if data.status in {"concluded", "rejected"} and len(data.result) < 2:
                raise ValidationFailed("请填写办理结果或退回理由")
            before = t.status
            t.status = data.status
            t.receiver = data.receiver or t.receiver
            t.result = data.result or t.result
            t.updated_at = self.now()
            self.tickets.note(s, t.ticket_id, actor, "clue_transfer_status",
                              f"移送记录 {t.id}：{TRANSFER_STATUS_LABELS[data.status]}" + (f"，{data.result}" if data.result else ""),
                              {"transfer_status": [before, data.status]})
            self.cases.log(s, "transfer", t.id, actor, data.status, ticket_id=t.ticket_id,
                           details={"from": before, "to": data.status, "receiver": t.receiver}, comment=data.result)
            return self._public(t, number)

    def get(self, transfer_id: int, actor: Actor) -> TransferPublic:
        actor.require(*MANAGERS)
        with self.db.read() as s:
            return self._public(*self._get(s, transfer_id))

    def list(self, actor: Actor, *, status: str | None = None, target: str | None = None,
             ticket_id: int | None = None) -> list[TransferPublic]:
        actor.require(*MANAGERS)
        stmt = select(ClueTransfer, Ticket.number).join(Ticket, Ticket.id == ClueTransfer.ticket_id)
        if status:
            stmt = stmt.where(ClueTransfer.status == status)
        if target:
            stmt = stmt.where(ClueTransfer.target == target)
        if ticket_id:
            stmt = stmt.where(ClueTransfer.ticket_id == ticket_id)
        with self.db.read() as s:
            return [self._public(t, n) for t, n in s.execute(stmt.order_by(ClueTransfer.id.desc()))]

    def events(self, transfer_id: int, actor: Actor) -> list[GovernanceEventPublic]:
        actor.require(*MANAGERS)
        with self.db.read() as s:
            self._get(s, transfer_id)
            rows = s.scalars(select(GovernanceEvent).where(GovernanceEvent.subject == "transfer",
                                                           GovernanceEvent.subject_id == transfer_id)
                             .order_by(GovernanceEvent.id))
            return [GovernanceEventPublic(id=e.id, at=e.at, actor_name=e.actor_name, actor_role=e.actor_role,
                                          action=e.action, ticket_id=e.ticket_id, details=dict(e.details or {}),
                                          comment=e.comment) for e in rows]
