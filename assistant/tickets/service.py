"""The ticket center's service: create, read, list, correct, act on and audit tickets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from assistant.access import Actor, can_view_ticket
from assistant.callbacks import schedule_in
from assistant.county import County
from assistant.db.engine import Database
from assistant.db.models import Ticket, TicketCoUnit, TicketEvent, Unit
from assistant.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from assistant.tickets import actions, reading
from assistant.tickets.intake import NewTicket, insert_many, insert_new, ticket_row, with_defaults
from assistant.tickets.numbering import day_key
from assistant.tickets.present import diff, event_public, snapshot, to_public
from assistant.tickets.schemas import (
    ActionInput,
    Page,
    TicketCreate,
    TicketEventPublic,
    TicketFilter,
    TicketPublic,
    TicketUpdate,
)
from assistant.tickets.units import UnitDirectory
from assistant.tickets.workflow import STATUSES, check_transition, get_action
from assistant.workcalendar import WorkCalendar

log = logging.getLogger(__name__)

EDITABLE_STATUSES = {"accepted", "returned"}
_BY_ID = select(Ticket).where(Ticket.id == bindparam("ticket_id"))  # built once, compiled once
_BY_ID_LOCKED = _BY_ID.with_for_update(of=Ticket)
_STATUS_BY_ID = select(Ticket.status, Ticket.lead_unit_id).where(Ticket.id == bindparam("ticket_id"))
_CO_UNIT_IDS = select(TicketCoUnit.unit_id).where(TicketCoUnit.ticket_id == bindparam("ticket_id"))
_INSERT_EVENT = insert(TicketEvent.__table__)
_SUPERVISE_ROWS = (select(Ticket.id, Ticket.status, Ticket.supervised, Ticket.lead_unit_id, Ticket.version)
                   .where(Ticket.id.in_(bindparam("ids", expanding=True))).order_by(Ticket.id))
_SUPERVISE = (update(Ticket.__table__).where(Ticket.id == bindparam("ticket_id"), Ticket.version == bindparam("version"))
              .values(supervised=True, updated_at=bindparam("now"), version=Ticket.version + 1))
CENTER_ROLES = ("agent", "supervisor", "admin")


class TicketService:
    def __init__(self, db: Database, county: County, calendar: WorkCalendar, now: Callable[[], datetime]) -> None:
        self.db = db
        self.county = county
        self.calendar = calendar
        self.now = now
        self.units = UnitDirectory(db)
        # called after a ticket's creation has committed (governance detection …); a failing hook
        # is logged and never undoes the ticket
        self.after_create: list[Callable[[TicketPublic, Actor], None]] = []

    # --- helpers -------------------------------------------------------------------------
    def _aware(self, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=self.county.timezone)
        return value

    def _check_place(self, township: str, village: str) -> tuple[str, str]:
        if not township:
            if village:
                raise ValidationFailed("填写村（社区）时须同时填写所属乡镇")
            return "", ""
        township = self.county.resolve_township(township)
        return township, village

    def _load(self, s: Session, ticket_id: int, actor: Actor, *, lock: bool = False) -> Ticket:
        ticket = s.scalar(_BY_ID_LOCKED if lock else _BY_ID, {"ticket_id": ticket_id})
        if ticket is None or not can_view_ticket(actor, ticket.lead_unit_id, [c.unit_id for c in ticket.co_units]):
            # a unit must not even learn that another unit's ticket exists
            raise NotFound(f"工单 {ticket_id} 不存在")
        return ticket

    def _record(self, s: Session, ticket: Ticket, actor: Actor, action: str, before: dict[str, Any] | None,
                from_status: str | None, comment: str = "") -> None:
        row = self._event_row(self.now(), actor, action, before or {}, snapshot(ticket), from_status, ticket.status,
                              comment)
        s.add(TicketEvent(ticket_id=ticket.id, **row))

    # --- commands ------------------------------------------------------------------------
    def create(self, data: TicketCreate, actor: Actor) -> TicketPublic:
        """Accept a ticket (and dispatch it at once when ``data.dispatch`` says so).

        The ticket is built as a plain object first and the state machine applies the dispatch to
        it exactly as it would to a stored ticket (its units from memory); its audit
        events are computed then too. Only the number, the ticket row, its co-handlers and both
        events go in inside the write transaction: on SQLite writers queue on one lock (across
        worker processes too), so what a creation holds it for is a few statements, not the
        Python that builds them."""
        ticket, item = self._prepare(data, actor)
        # answered only once committed; creations that queue together go in with one statement a table
        ticket.id, ticket.number = self.db.write_grouped(lambda s: insert_new(s, item), bulk=insert_many, item=item)
        return self._created(ticket, actor)

    async def create_async(self, data: TicketCreate, actor: Actor) -> TicketPublic:
        """``create`` for the API's event loop: the ticket is built in memory (no database read:
        the units come from the ``UnitDirectory``), then the write is awaited from the group
        commit's writer thread, so a creation waiting for its commit holds no request thread."""
        ticket, item = self._prepare(data, actor)
        ticket.id, ticket.number = await self.db.write_grouped_async(lambda s: insert_new(s, item),
                                                                     bulk=insert_many, item=item)
        return self._created(ticket, actor)

    def _prepare(self, data: TicketCreate, actor: Actor) -> tuple[Ticket, NewTicket]:
        actor.require(*CENTER_ROLES, "system")
        township, village = self._check_place(data.township, data.village)
        now = self.now()
        fields = data.model_dump(exclude={"dispatch"})
        fields.update(township=township, village=village, event_time=self._aware(data.event_time))
        ticket, events = self._build_new(data, fields, now, actor)
        return ticket, NewTicket(ticket_row(ticket), day_key(self.county.ticket_prefix, now, self.county.timezone),
                                 ticket.co_units, events)

    def _created(self, ticket: Ticket, actor: Actor) -> TicketPublic:
        created = to_public(ticket, actor)
        for hook in self.after_create:
            try:
                hook(created, actor)
            except Exception:  # noqa: BLE001 - the ticket stands; the hook's owner reports its failure
                log.exception("after-create hook failed for ticket %s", created.id)
        return created

    def _build_new(self, data: TicketCreate, fields: dict[str, Any], now: datetime,
                   actor: Actor) -> tuple[Ticket, list[dict[str, Any]]]:
        """The ticket built in memory (number and id still unset), dispatched by the state machine
        when asked, and its audit events."""
        ticket = with_defaults(Ticket(
            **fields,
            number="",
            status="accepted",
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
            version=1,
            lead_unit=None,
            co_units=[],
        ))
        accepted = snapshot(ticket)
        events = [self._event_row(now, actor, "create", {}, accepted, None, "accepted", "受理")]
        if data.dispatch is not None:
            payload = ActionInput(lead_unit=data.dispatch.lead_unit, co_units=data.dispatch.co_units,
                                  handling_level=data.dispatch.handling_level, comment=data.dispatch.comment)
            # the units from memory: no read transaction (a unit deactivated meanwhile still exists)
            ctx = actions.Context(session=None, county=self.county, calendar=self.calendar, now=now,
                                  units=self.units.get)
            actions.apply(ctx, ticket, "dispatch", payload, actor)
            events.append(self._event_row(now, actor, "dispatch", accepted, snapshot(ticket), "accepted",
                                          ticket.status, payload.comment))
        return ticket, events

    @staticmethod
    def _event_row(at: datetime, actor: Actor, action: str, before: dict[str, Any], after: dict[str, Any],
                   from_status: str | None, to_status: str, comment: str) -> dict[str, Any]:
        return {"at": at, "actor_id": actor.user_id, "actor_name": actor.display_name, "actor_role": actor.role,
                "action": action, "from_status": from_status, "to_status": to_status,
                "changes": diff(before, after), "comment": comment}

    def note(self, s: Session, ticket_id: int, actor: Actor, action: str, comment: str = "",
             changes: dict[str, Any] | None = None) -> None:
        """Record in the ticket's audit trail, inside the caller's unit of work, a change made to it
        elsewhere (linked into a governance case, clue transferred …); the ticket itself is untouched,
        so only its status and units are read (detection notes every ticket it links)."""
        s.flush()  # pending changes first: the trail keeps the order things happened in
        conn = s.connection()  # plain statements: no ORM layer on the way
        row = conn.execute(_STATUS_BY_ID, {"ticket_id": ticket_id}).first()
        co_units = list(conn.execute(_CO_UNIT_IDS, {"ticket_id": ticket_id}).scalars()) if row and actor.role == "unit_staff" else []
        if row is None or not can_view_ticket(actor, row.lead_unit_id, co_units):
            raise NotFound(f"工单 {ticket_id} 不存在")
        conn.execute(_INSERT_EVENT, {"ticket_id": ticket_id, "at": self.now(), "actor_id": actor.user_id,
                                  "actor_name": actor.display_name, "actor_role": actor.role, "action": action,
                                  "from_status": row.status, "to_status": row.status, "changes": changes or {},
                                  "comment": comment})

    def update(self, ticket_id: int, data: TicketUpdate, actor: Actor) -> TicketPublic:
        actor.require(*CENTER_ROLES)
        changes = data.model_dump(exclude_unset=True, exclude={"comment"})
        if not changes:
            raise ValidationFailed("没有需要修改的字段")
        with self.db.write() as s:
            ticket = self._load(s, ticket_id, actor, lock=True)
            if ticket.status not in EDITABLE_STATUSES:
                raise InvalidTransition("工单已派出，不能再修改受理信息；如需更正请退单后修改")
            before = snapshot(ticket)
            if "township" in changes or "village" in changes:
                t, v = self._check_place(changes.get("township", ticket.township) or "",
                                         changes.get("village", ticket.village) or "")
                changes["township"], changes["village"] = t, v
            if "event_time" in changes:
                changes["event_time"] = self._aware(changes["event_time"])
            for key, value in changes.items():
                if value is None and key not in {"event_time"}:
                    continue
                setattr(ticket, key, value)
            ticket.updated_at = self.now()
            s.flush()
            self._record(s, ticket, actor, "update", before, ticket.status, data.comment)
            return to_public(ticket, actor)

    def act(self, ticket_id: int, action: str, payload: ActionInput, actor: Actor) -> TicketPublic:
        def apply(s: Session) -> TicketPublic:
            ticket = self._load(s, ticket_id, actor, lock=True)
            self._act(s, ticket, action, payload, actor)
            s.flush()
            return to_public(ticket, actor)

        return self.db.write_grouped(apply)  # answered only once committed

    def supervise_in(self, s: Session, ticket_ids: list[int], comment: str | Mapping[int, str],
                     actor: Actor) -> list[int]:
        """督办 for many tickets inside the caller's unit of work (detection supervises every ticket
        it links into a key-supervision case): the batch form of ``act(…, "supervise", …)``, with
        the same state-machine check, version bump and audit event, in plain statements. Tickets
        that cannot take it now (moved on, already supervised) are skipped; returns those done.
        ``comment``: one for all, or one per ticket."""
        action = get_action("supervise")
        texts = ({t: actions.need(comment[t], "督办意见", 4) for t in ticket_ids} if isinstance(comment, Mapping)
                 else dict.fromkeys(ticket_ids, actions.need(comment, "督办意见", 4)))
        role = "agent" if actor.role == "system" else actor.role
        now = self.now()
        s.flush()
        conn = s.connection()
        due = []
        for row in conn.execute(_SUPERVISE_ROWS, {"ids": ticket_ids}).all():
            if row.supervised:
                continue
            try:
                check_transition(action, row.status, role, is_lead_unit=actor.unit_id == row.lead_unit_id)
            except (InvalidTransition, PermissionDenied) as exc:
                log.info("ticket %s not supervised: %s", row.id, exc)
                continue
            due.append(row)
        if not due:
            return []
        params = [{"ticket_id": row.id, "version": row.version, "now": now} for row in due]
        if conn.dialect.name == "sqlite" and len(due) > 1:
            # one writer at a time: the rows read above cannot change before this one statement
            if conn.execute(_SUPERVISE, params).rowcount != len(due):
                raise Conflict("督办时工单已被他人修改，请重试")
            done = due
        else:  # changed by someone else meanwhile: their change stands
            done = [row for row, p in zip(due, params, strict=True) if conn.execute(_SUPERVISE, p).rowcount == 1]
        for row in done:
            stale = s.identity_map.get(identity_key(Ticket, row.id))
            if stale is not None:  # an ORM copy in this session must not write back its old version
                s.expire(stale)
        if done:
            conn.execute(_INSERT_EVENT, [{"ticket_id": row.id, **self._event_row(
                now, actor, "supervise", {"supervised": False}, {"supervised": True}, row.status, row.status,
                texts[row.id])} for row in done])
        return [row.id for row in done]

    def _act(self, s: Session, ticket: Ticket, action: str, payload: ActionInput, actor: Actor) -> None:
        before = snapshot(ticket)
        from_status = ticket.status
        ctx = actions.Context(session=s, county=self.county, calendar=self.calendar, now=self.now())
        actions.apply(ctx, ticket, action, payload, actor)
        ticket.updated_at = ctx.now
        s.flush()
        if ticket.status == "closed" and from_status != "closed":
            schedule_in(s, ticket, ctx.now, self.county.callback_policy, self.calendar)  # 回访, with the close
        self._record(s, ticket, actor, action, before, from_status, payload.comment)

    # --- queries -------------------------------------------------------------------------
    def get(self, ticket_id: int, actor: Actor) -> TicketPublic:
        with self.db.read() as s:
            found = reading.views(s, reading.ticket_rows().where(Ticket.id == ticket_id))
        if not found or not can_view_ticket(actor, found[0].lead_unit_id, [c.unit_id for c in found[0].co_units]):
            raise NotFound(f"工单 {ticket_id} 不存在")  # another unit's ticket: not even its existence
        return reading.publics(found, actor)[0]

    def get_by_number(self, number: str, actor: Actor) -> TicketPublic:
        with self.db.read() as s:
            ticket_id = s.scalar(select(Ticket.id).where(Ticket.number == number))
            if ticket_id is None:
                raise NotFound(f"工单 {number} 不存在")
            return to_public(self._load(s, ticket_id, actor), actor)

    def history(self, ticket_id: int, actor: Actor) -> list[TicketEventPublic]:
        with self.db.read() as s:
            ticket = self._load(s, ticket_id, actor)
            events = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))
            return [event_public(e, actor, ticket.confidential) for e in events]

    def list(self, f: TicketFilter, actor: Actor) -> Page[TicketPublic]:
        if actor.role not in {"agent", "qa", "supervisor", "admin", "unit_staff"}:
            raise PermissionDenied("当前账号无权查看工单")
        bad = [x for x in f.status if x not in STATUSES]
        if bad:
            raise ValidationFailed(f"未知的工单状态：{'、'.join(bad)}")
        stmt = self._filtered(reading.ticket_rows(), f, actor)
        with self.db.read() as s:
            total = s.scalar(self._filtered(select(func.count(Ticket.id)), f, actor)) or 0
            rows = reading.views(s, stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc())
                                 .offset((f.page - 1) * f.size).limit(f.size))
        return Page[TicketPublic](items=reading.publics(rows, actor), total=total, page=f.page, size=f.size)

    def _filtered(self, stmt: Select[Any], f: TicketFilter, actor: Actor) -> Select[Any]:
        if actor.role == "unit_staff":
            co = select(TicketCoUnit.ticket_id).where(TicketCoUnit.unit_id == actor.unit_id)
            stmt = stmt.where(or_(Ticket.lead_unit_id == actor.unit_id, Ticket.id.in_(co)))
        if f.status:
            stmt = stmt.where(Ticket.status.in_(f.status))
        if f.lead_unit:
            stmt = stmt.where(Ticket.lead_unit_id.in_(select(Unit.id).where(Unit.code == f.lead_unit)))
        for name in ("township", "appeal_type", "urgency", "caller_number"):
            value = getattr(f, name)
            if value:
                stmt = stmt.where(getattr(Ticket, name) == value)
        if f.q:
            # the words as typed: LIKE's wildcards in them are escaped, so "%" or "_" match themselves
            text = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = f"%{text}%"
            stmt = stmt.where(or_(*(col.like(like, escape="\\") for col in (Ticket.title, Ticket.content, Ticket.number))))
        if f.created_from:
            stmt = stmt.where(Ticket.created_at >= self._aware(f.created_from))
        if f.created_to:
            stmt = stmt.where(Ticket.created_at < self._aware(f.created_to))
        if f.supervised is not None:
            stmt = stmt.where(Ticket.supervised.is_(f.supervised))
        if f.overdue is not None:
            now = self.now()
            late = or_(
                (Ticket.status == "dispatched") & (Ticket.sign_by < now),
                Ticket.status.in_(["dispatched", "handling"]) & (Ticket.close_by < now),
            )
            stmt = stmt.where(late if f.overdue else ~late)
        return stmt
