"""Cases (并案): a master ticket and the tickets linked to it, so one matter is accepted and
handled once. Cases come from detection (一人多次、一事多人) or from an agent or supervisor; every
link, unlink, supervision and closing is logged on the case and in each ticket's audit trail."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.access import Actor, can_view_ticket
from assistant.db.engine import Database
from assistant.db.governance_models import CaseLink, GovernanceCase, GovernanceEvent
from assistant.db.models import Ticket, TicketCoUnit
from assistant.errors import InvalidTransition, NotFound, PermissionDenied, RuleViolation, ValidationFailed
from assistant.governance.detector import Finding
from assistant.governance.findings import (
    INSERT_CASE_EVENT,
    INSERT_LINK,
    SUPERVISABLE,
    ChunkWriter,
)
from assistant.governance.policy import GovernancePolicy
from assistant.governance.schemas import (
    KIND_LABELS,
    CaseCreate,
    CasePublic,
    CommentInput,
    GovernanceEventPublic,
    LinkInput,
    TicketBrief,
)
from assistant.tickets.schemas import ActionInput
from assistant.tickets.service import TicketService

log = logging.getLogger(__name__)

CENTER = ("agent", "supervisor", "admin")
MANAGERS = ("supervisor", "admin")
VIEWERS = ("agent", "supervisor", "admin", "qa", "unit_staff")
# detection acts with a supervisor's rights (督办 is theirs), and says in the audit trail that it was the system
# findings written per transaction: in a surge each chunk looks up the open cases of all its
# findings' tickets (the surge's tickets, over and over), so larger chunks hold the write lock for
# less in all — 64: 0.9 ms of case writes a ticket vs 1.3 ms with 16, one chunk ~60 ms
FINDINGS_CHUNK = 64
MONITOR = Actor(user_id=None, username="system", display_name="系统（重复诉求监测）", role="supervisor")


def brief(ticket: Ticket, link: CaseLink | None = None) -> TicketBrief:
    return TicketBrief(id=ticket.id, number=ticket.number, title=ticket.title, status=ticket.status,
                       appeal_type=ticket.appeal_type, category=list(ticket.category or []),
                       township=ticket.township, created_at=ticket.created_at, supervised=ticket.supervised,
                       lead_unit=ticket.lead_unit.name if ticket.lead_unit else None,
                       role=link.role if link else None, similarity=link.similarity if link else None)


def visible(actor: Actor, ticket: Ticket) -> bool:
    return can_view_ticket(actor, ticket.lead_unit_id, [c.unit_id for c in ticket.co_units])


class CaseService:
    def __init__(self, db: Database, tickets: TicketService, now: Callable[[], datetime],
                 policy: GovernancePolicy) -> None:
        self.db = db
        self.tickets = tickets
        self.now = now
        self.policy = policy

    # --- helpers -------------------------------------------------------------------------
    def log(self, s: Session, subject: str, subject_id: int, actor: Actor, action: str, *,
            ticket_id: int | None = None, details: dict[str, Any] | None = None, comment: str = "") -> None:
        s.flush()  # pending rows first: the trail keeps the order things happened in
        s.connection().execute(INSERT_CASE_EVENT, {"subject": subject, "subject_id": subject_id, "ticket_id": ticket_id, "at": self.now(),
                                  "actor_id": actor.user_id, "actor_name": actor.display_name, "actor_role": actor.role,
                                  "action": action, "details": details or {}, "comment": comment})

    def _case(self, s: Session, case_id: int, actor: Actor, *, lock: bool = False) -> GovernanceCase:
        stmt = select(GovernanceCase).where(GovernanceCase.id == case_id)
        case = s.scalar(stmt.with_for_update() if lock else stmt)
        if case is None or (actor.role == "unit_staff" and not self._rows(s, case, actor)):
            raise NotFound(f"案件 {case_id} 不存在")
        return case

    def _rows(self, s: Session, case: GovernanceCase, actor: Actor) -> list[tuple[CaseLink, Ticket]]:
        rows = s.execute(select(CaseLink, Ticket).join(Ticket, Ticket.id == CaseLink.ticket_id)
                         .where(CaseLink.case_id == case.id).order_by(CaseLink.role.desc(), Ticket.id)).all()
        return [(link, t) for link, t in rows if visible(actor, t)]

    def public(self, s: Session, case: GovernanceCase, actor: Actor) -> CasePublic:
        rows = self._rows(s, case, actor)
        total = s.scalar(select(func.count(CaseLink.id)).where(CaseLink.case_id == case.id)) or 0
        return CasePublic(id=case.id, kind=case.kind, kind_label=KIND_LABELS[case.kind], status=case.status,
                          title=case.title, township=case.township, key_supervision=case.key_supervision,
                          master_ticket_id=case.master_ticket_id, ticket_count=total,
                          tickets=[brief(t, link) for link, t in rows], reason=dict(case.reason or {}),
                          created_at=case.created_at, created_by=case.created_by, updated_at=case.updated_at)

    def open_case_of(self, s: Session, ticket_id: int, kind: str | None = None) -> GovernanceCase | None:
        stmt = (select(GovernanceCase).join(CaseLink, CaseLink.case_id == GovernanceCase.id)
                .where(CaseLink.ticket_id == ticket_id, GovernanceCase.status == "open"))
        if kind is not None:
            stmt = stmt.where(GovernanceCase.kind == kind)
        return s.scalars(stmt.order_by(GovernanceCase.id)).first()

    def open_cases_for(self, s: Session, ticket_ids: list[int], actor: Actor) -> list[CasePublic]:
        if not ticket_ids:
            return []
        # ids first: DISTINCT over whole rows fails on PostgreSQL's json columns (no equality)
        linked = select(CaseLink.case_id).where(CaseLink.ticket_id.in_(ticket_ids))
        cases = s.scalars(select(GovernanceCase).where(GovernanceCase.id.in_(linked), GovernanceCase.status == "open")
                          .order_by(GovernanceCase.id)).all()
        return [self.public(s, c, actor) for c in cases]

    def _link(self, s: Session, case: GovernanceCase, ticket_id: int, actor: Actor, *, role: str = "related",
              similarity: float = 0.0, source: str = "manual", comment: str = "") -> None:
        other = self.open_case_of(s, ticket_id, case.kind)
        if other is not None:
            if other.id == case.id:
                raise ValidationFailed(f"工单 {ticket_id} 已在本案件中")
            raise RuleViolation(f"工单 {ticket_id} 已并入案件 {other.id}，不能重复并案",
                                details={"case_id": other.id})
        self._link_rows(s, case.id, case.kind, ticket_id, actor, role=role, similarity=similarity, source=source,
                        comment=comment)
        case.updated_at = self.now()

    def _link_rows(self, s: Session, case_id: int, kind: str, ticket_id: int, actor: Actor, *, role: str,
                   similarity: float, source: str, comment: str) -> None:
        """The link itself: the ticket's audit event, the link row and the case's event."""
        self.tickets.note(s, ticket_id, actor, "case_link", comment or f"并入案件 {case_id}（{KIND_LABELS[kind]}）",
                          {"case_id": [None, case_id]})
        s.connection().execute(INSERT_LINK, {"case_id": case_id, "ticket_id": ticket_id, "role": role, "similarity": similarity,
                                 "source": source, "linked_at": self.now(), "linked_by": actor.display_name})
        self.log(s, "case", case_id, actor, "link", ticket_id=ticket_id,
                 details={"role": role, "similarity": similarity, "source": source}, comment=comment)

    def _new_case(self, s: Session, kind: str, master: Ticket, actor: Actor, *, title: str = "",
                  caller_key: str = "", reason: dict[str, Any] | None = None, comment: str = "") -> GovernanceCase:
        now = self.now()
        case = GovernanceCase(kind=kind, status="open", master_ticket_id=master.id, title=(title or master.title)[:128],
                              township=master.township, caller_key=caller_key, key_supervision=False,
                              reason=reason or {}, created_at=now, created_by=actor.display_name, updated_at=now)
        s.add(case)
        s.flush()
        self.log(s, "case", case.id, actor, "create", ticket_id=master.id, details={"kind": kind}, comment=comment)
        self._link(s, case, master.id, actor, role="master", similarity=1.0,
                   source="manual" if kind == "manual" else "auto", comment=comment)
        return case

    def supervise_tickets(self, ticket_ids: list[int], comment: str, actor: Actor = MONITOR) -> list[int]:
        """督办 through the ticket workflow for each ticket that can take it now (and is not yet supervised)."""
        with self.db.read() as s:
            ids = list(s.scalars(select(Ticket.id).where(Ticket.id.in_(ticket_ids), Ticket.status.in_(SUPERVISABLE),
                                                         Ticket.supervised.is_(False))))
        done = []
        for tid in sorted(ids):
            try:
                self.tickets.act(tid, "supervise", ActionInput(comment=comment), actor)
                done.append(tid)
            except (InvalidTransition, PermissionDenied, RuleViolation) as exc:  # moved on meanwhile
                log.info("ticket %s not supervised: %s", tid, exc)
        return done

    # --- detection -----------------------------------------------------------------------
    def apply_findings(self, findings: list[Finding], actor: Actor = MONITOR, chunk: int = FINDINGS_CHUNK,
                       batched: bool = True) -> list[tuple[int, list[int]] | Exception]:
        """Apply a detection batch's findings in order: link each finding's tickets into the open
        case of its kind (a new one, master = the earliest ticket, when none) and put the case
        under key supervision as the policy says. Returns, per finding, the case id and the tickets
        newly linked, or its error. A chunk shares one transaction (on SQLite also the commit of
        the creations queued with it); ``batched``: its findings are written together
        (``findings.ChunkWriter``), and if that fails (or without ``batched``) each finding is
        written as a chunk of one in its own savepoint, so a failing one is rolled back alone."""
        out: list[tuple[int, list[int]] | Exception] = []

        def run(s: Session, part: list[Finding]) -> list[tuple[int, list[int]] | Exception]:
            if batched:  # the chunk in few statements; if it fails, one finding at a time
                try:
                    with self.db.guard(), s.begin_nested():
                        return list(ChunkWriter(self, s, actor).run(part))
                except Exception as exc:  # noqa: BLE001 - retried below, each finding on its own
                    log.warning("governance: chunk of %d findings retried one by one: %s", len(part), exc)
            done: list[tuple[int, list[int]] | Exception] = []
            for finding in part:
                try:
                    with self.db.guard(), s.begin_nested():
                        done.extend(ChunkWriter(self, s, actor).run([finding]))
                except Exception as exc:  # noqa: BLE001 - this finding's own failure; the rest go on
                    done.append(exc)
            return done

        for i in range(0, len(findings), chunk):
            part = findings[i:i + chunk]
            out += self.db.write_grouped(lambda s, part=part: run(s, part))  # type: ignore[misc]
        return out

    # --- commands by people ----------------------------------------------------------------
    def create(self, data: CaseCreate, actor: Actor) -> CasePublic:
        actor.require(*CENTER)
        related = [t for t in dict.fromkeys(data.related_ticket_ids) if t != data.master_ticket_id]
        with self.db.write() as s:
            master = self.tickets._load(s, data.master_ticket_id, actor)
            for tid in related:
                self.tickets._load(s, tid, actor)
            case = self._new_case(s, "manual", master, actor, title=data.title, comment=data.comment or "人工并案")
            for tid in related:
                self._link(s, case, tid, actor, comment=data.comment)
            s.flush()
            return self.public(s, case, actor)

    def link(self, case_id: int, data: LinkInput, actor: Actor) -> CasePublic:
        actor.require(*CENTER)
        with self.db.write() as s:
            case = self._open(s, case_id, actor)
            self._link(s, case, data.ticket_id, actor, comment=data.comment)
            s.flush()
            out = self.public(s, case, actor)
            key = case.key_supervision
        if key:
            self.supervise_tickets([data.ticket_id], f"重点督办：并入案件 {case_id}", MONITOR)
        return out

    def unlink(self, case_id: int, data: LinkInput, actor: Actor) -> CasePublic:
        actor.require(*CENTER)
        if len(data.comment) < 2:
            raise ValidationFailed("请填写移出理由")
        with self.db.write() as s:
            case = self._open(s, case_id, actor)
            link = s.scalar(select(CaseLink).where(CaseLink.case_id == case.id, CaseLink.ticket_id == data.ticket_id))
            if link is None:
                raise NotFound(f"工单 {data.ticket_id} 不在案件 {case_id} 中")
            if link.role == "master":
                raise RuleViolation("主工单不能移出案件；如并案有误，请结案")
            self.tickets.note(s, data.ticket_id, actor, "case_unlink", data.comment, {"case_id": [case.id, None]})
            s.delete(link)
            self.log(s, "case", case.id, actor, "unlink", ticket_id=data.ticket_id, comment=data.comment)
            case.updated_at = self.now()
            s.flush()
            return self.public(s, case, actor)

    def supervise(self, case_id: int, data: CommentInput, actor: Actor) -> CasePublic:
        actor.require(*MANAGERS)
        if len(data.comment) < 4:
            raise ValidationFailed("请填写督办意见")
        with self.db.write() as s:
            case = self._open(s, case_id, actor)
            case.key_supervision = True
            case.updated_at = self.now()
            self.log(s, "case", case.id, actor, "key_supervision", comment=data.comment)
            ids = [link.ticket_id for link in s.scalars(select(CaseLink).where(CaseLink.case_id == case.id))]
        self.supervise_tickets(ids, data.comment, actor)
        return self.get(case_id, actor)

    def close(self, case_id: int, data: CommentInput, actor: Actor) -> CasePublic:
        actor.require(*MANAGERS)
        with self.db.write() as s:
            case = self._open(s, case_id, actor)
            case.status = "closed"
            case.updated_at = self.now()
            self.log(s, "case", case.id, actor, "close", comment=data.comment)
            s.flush()
            return self.public(s, case, actor)

    def _open(self, s: Session, case_id: int, actor: Actor) -> GovernanceCase:
        case = self._case(s, case_id, actor, lock=True)
        if case.status != "open":
            raise InvalidTransition(f"案件 {case_id} 已结案，不能再修改")
        return case

    # --- queries ---------------------------------------------------------------------------
    def get(self, case_id: int, actor: Actor) -> CasePublic:
        actor.require(*VIEWERS)
        with self.db.read() as s:
            return self.public(s, self._case(s, case_id, actor), actor)

    def list(self, actor: Actor, *, status: str | None = "open", kind: str | None = None,
             page: int = 1, size: int = 20) -> dict[str, Any]:
        """One page of cases, newest activity first, filtered and counted in the database (only
        the page's cases are built); a unit sees the cases that hold one of its tickets."""
        actor.require(*VIEWERS)
        stmt = select(GovernanceCase)
        if status:
            stmt = stmt.where(GovernanceCase.status == status)
        if kind:
            stmt = stmt.where(GovernanceCase.kind == kind)
        if actor.role == "unit_staff":
            stmt = stmt.where(GovernanceCase.id.in_(self._unit_case_ids(actor.unit_id)))
        with self.db.read() as s:
            total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            page_rows = s.scalars(stmt.order_by(GovernanceCase.updated_at.desc(), GovernanceCase.id.desc())
                                  .offset((page - 1) * size).limit(size))
            cases = [self.public(s, c, actor) for c in page_rows]
        return {"items": cases, "total": total, "page": page, "size": size}

    @staticmethod
    def _unit_case_ids(unit_id: int | None) -> Any:
        """Ids of cases linking a ticket that ``unit_id`` leads or co-handles (what it may see)."""
        co = select(TicketCoUnit.ticket_id).where(TicketCoUnit.unit_id == unit_id)
        return (select(CaseLink.case_id).join(Ticket, Ticket.id == CaseLink.ticket_id)
                .where((Ticket.lead_unit_id == unit_id) | Ticket.id.in_(co)))

    def events(self, case_id: int, actor: Actor) -> list[GovernanceEventPublic]:
        actor.require(*CENTER)
        with self.db.read() as s:
            self._case(s, case_id, actor)
            rows = s.scalars(select(GovernanceEvent).where(GovernanceEvent.subject == "case",
                                                           GovernanceEvent.subject_id == case_id)
                             .order_by(GovernanceEvent.id))
            return [GovernanceEventPublic(id=e.id, at=e.at, actor_name=e.actor_name, actor_role=e.actor_role,
                                          action=e.action, ticket_id=e.ticket_id, details=dict(e.details or {}),
                                          comment=e.comment) for e in rows]
