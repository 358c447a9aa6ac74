"""Detection's findings written a chunk at a time, in few statements.

In a surge every new ticket completes a finding, and nearly every finding links one ticket into a
case that is already open and under key supervision. Written one finding at a time that is a dozen
statements each (the case lookup over all its matches, the ticket's note, the link, the case's
event, the case update, the supervision); on SQLite they all run under the one write lock, which
then stalls every creation. Here a chunk's findings are worked out in memory, in order, exactly as
one at a time would (a later finding sees the earlier ones' links), and written together: a case
lookup only for tickets not seen yet in the chunk, then one INSERT each for the notes, links and
case events, one UPDATE per case touched and one supervision pass per key-supervision case.
``CaseService.apply_findings`` falls back to a chunk of one per finding, each in its own savepoint,
if the chunk fails. Detection acts as the system (a supervisor's rights), which sees every ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from assistant.access import Actor
from assistant.db.governance_models import CaseLink, GovernanceCase, GovernanceEvent
from assistant.db.models import Ticket, TicketEvent
from assistant.errors import NotFound
from assistant.governance.detector import Finding
from assistant.governance.schemas import KIND_LABELS

if TYPE_CHECKING:
    from assistant.governance.cases import CaseService

SUPERVISABLE = {"dispatched", "handling", "returned"}
# built once (statement construction costs more than running them)
_OPEN_CASES_OF = (select(CaseLink.ticket_id, CaseLink.case_id, GovernanceCase.key_supervision)
                 .join(GovernanceCase, CaseLink.case_id == GovernanceCase.id)
                 .where(CaseLink.ticket_id.in_(bindparam("ids", expanding=True)), GovernanceCase.status == "open",
                        GovernanceCase.kind == bindparam("kind")).order_by(GovernanceCase.id))
_UNSUPERVISED_IN = (select(Ticket.id, CaseLink.case_id).join(CaseLink, CaseLink.ticket_id == Ticket.id)
                    .where(CaseLink.case_id.in_(bindparam("case_ids", expanding=True)),
                           Ticket.status.in_(sorted(SUPERVISABLE)), Ticket.supervised.is_(False)).order_by(Ticket.id))
INSERT_LINK = insert(CaseLink.__table__)
INSERT_CASE_EVENT = insert(GovernanceEvent.__table__)
_INSERT_TICKET_EVENT = insert(TicketEvent.__table__)
_CASES = GovernanceCase.__table__
_TOUCH_CASE = (update(_CASES).where(_CASES.c.id == bindparam("case_id"))
               .values(updated_at=bindparam("updated_at"), reason=bindparam("reason")))
_KEY_CASE = update(_CASES).where(_CASES.c.id == bindparam("case_id")).values(key_supervision=True)
_STATUSES = select(Ticket.id, Ticket.status).where(Ticket.id.in_(bindparam("ids", expanding=True)))


class ChunkWriter:
    """One chunk of findings inside the caller's transaction (``run`` once)."""

    def __init__(self, cases: CaseService, s: Session, actor: Actor) -> None:
        self.cases, self.s, self.actor = cases, s, actor
        self.now = cases.now()
        self.known: dict[tuple[str, int], tuple[int, bool] | None] = {}  # (kind, ticket) → (case, key) or none
        self.key: dict[int, bool] = {}  # case → under key supervision, as this chunk left it
        self.links: list[dict[str, Any]] = []
        self.case_events: list[dict[str, Any]] = []
        self.notes: list[tuple[int, int, str]] = []  # ticket, case, comment
        self.case_values: dict[int, dict[str, Any]] = {}
        self.supervise: dict[int, str] = {}  # case → kind

    def run(self, findings: list[Finding]) -> list[tuple[int, list[int]]]:
        for kind in dict.fromkeys(f.kind for f in findings):  # every ticket's open case, one query a kind
            self._lookup(kind, [t for f in findings if f.kind == kind for t in f.ticket_ids])
        out = [self._one(f) for f in findings]
        self._write_rows()
        conn = self.s.connection()
        touched = [{"case_id": c, "updated_at": v["updated_at"], "reason": v["reason"]}
                   for c, v in self.case_values.items() if "reason" in v]
        if touched:
            conn.execute(_TOUCH_CASE, touched)
        keyed = [{"case_id": c} for c, v in self.case_values.items() if v.get("key_supervision")]
        if keyed:
            conn.execute(_KEY_CASE, keyed)
        for case_id in self.case_values:
            stale = self.s.identity_map.get(identity_key(GovernanceCase, case_id))
            if stale is not None:  # the ORM copy of a case made just now must not write back old values
                self.s.expire(stale)
        if self.supervise:  # 督办 in the same transaction as the links, for every case at once
            due = {row.id: f"重点督办：{KIND_LABELS[self.supervise[row.case_id]]}（案件 {row.case_id}）"
                   for row in conn.execute(_UNSUPERVISED_IN, {"case_ids": list(self.supervise)}).all()}
            if due:
                self.cases.tickets.supervise_in(self.s, list(due), due, self.actor)
        return out

    def _lookup(self, kind: str, ids: list[int]) -> None:
        unknown = [t for t in dict.fromkeys(ids) if (kind, t) not in self.known]
        if not unknown:
            return
        for t in unknown:
            self.known[(kind, t)] = None
        for row in self.s.connection().execute(_OPEN_CASES_OF, {"ids": unknown, "kind": kind}).all():
            if self.known[(kind, row.ticket_id)] is None:  # the oldest open case, as one at a time
                self.known[(kind, row.ticket_id)] = (row.case_id, row.key_supervision)

    def _one(self, f: Finding) -> tuple[int, list[int]]:
        reason = {"kind": f.kind, "count": f.count, "threshold": f.threshold, "window_days": f.window_days,
                  "trigger_ticket_id": f.ticket_id, "method": f.matches[0].method if f.matches else ""}
        sims = {m.ticket_id: m.similarity for m in f.matches} | {f.ticket_id: 1.0}
        ids = f.ticket_ids  # their cases were looked up for the whole chunk in ``run``
        found = next((c for t in ids if (c := self.known[(f.kind, t)]) is not None), None)
        if found is None:
            self._write_rows()  # the trail keeps the order things happened in
            master = self.s.get(Ticket, min(ids))
            assert master is not None
            text = (f"同一来电人 {f.window_days:g} 日内第 {f.count} 次反映同一事项" if f.kind == "repeat"
                    else f"{f.window_days:g} 日内 {f.count} 名来电人反映同一事件")
            case = self.cases._new_case(self.s, f.kind, master, self.actor,
                                        caller_key=f.callers[0] if f.callers else "", reason=reason, comment=text)
            self.s.flush()
            case_id, key = case.id, case.key_supervision
            self.known[(f.kind, master.id)] = (case_id, key)
        else:
            case_id, key = found[0], self.key.get(found[0], found[1])
        added = []
        comment = f"系统识别为{KIND_LABELS[f.kind]}，并入案件 {case_id}"
        for tid in sorted(set(ids)):
            if self.known[(f.kind, tid)] is None:
                self._link(case_id, tid, sims.get(tid, 0.0), comment)
                self.known[(f.kind, tid)] = (case_id, key)
                added.append(tid)
        values: dict[str, Any] = {}
        if added:  # a re-check that links nothing (after a crash, a batch replay) changes nothing
            values = {"updated_at": self.now, "reason": reason | {"linked": len(added)}}
        if self.cases.policy.auto_supervise and not key:
            values["key_supervision"] = key = True
            self.case_events.append(self._event(case_id, None, "key_supervision", reason, "达到阈值，列为重点督办"))
        self.key[case_id] = key
        if values:
            self.case_values.setdefault(case_id, {}).update(values)
        if key:
            self.supervise[case_id] = f.kind
        return case_id, added

    def _link(self, case_id: int, ticket_id: int, similarity: float, comment: str) -> None:
        self.notes.append((ticket_id, case_id, comment))
        self.links.append({"case_id": case_id, "ticket_id": ticket_id, "role": "related", "similarity": similarity,
                           "source": "auto", "linked_at": self.now, "linked_by": self.actor.display_name})
        self.case_events.append(self._event(case_id, ticket_id, "link",
                                            {"role": "related", "similarity": similarity, "source": "auto"}, comment))

    def _event(self, case_id: int, ticket_id: int | None, action: str, details: dict[str, Any],
               comment: str) -> dict[str, Any]:
        a = self.actor
        return {"subject": "case", "subject_id": case_id, "ticket_id": ticket_id, "at": self.now,
                "actor_id": a.user_id, "actor_name": a.display_name, "actor_role": a.role, "action": action,
                "details": details, "comment": comment}

    def _write_rows(self) -> None:
        self.s.flush()
        conn = self.s.connection()
        if self.notes:
            status = dict(conn.execute(_STATUSES, {"ids": [t for t, _, _ in self.notes]}).tuples().all())
            missing = [t for t, _, _ in self.notes if t not in status]
            if missing:
                raise NotFound(f"工单 {missing[0]} 不存在")
            a = self.actor
            conn.execute(_INSERT_TICKET_EVENT, [
                {"ticket_id": t, "at": self.now, "actor_id": a.user_id, "actor_name": a.display_name,
                 "actor_role": a.role, "action": "case_link", "from_status": status[t], "to_status": status[t],
                 "changes": {"case_id": [None, c]}, "comment": text} for t, c, text in self.notes])
        if self.links:
            conn.execute(INSERT_LINK, self.links)
        if self.case_events:
            conn.execute(INSERT_CASE_EVENT, self.case_events)
        self.notes, self.links, self.case_events = [], [], []
