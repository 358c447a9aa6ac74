"""What the agent sees during a call: the caller's history and the open cases and recent tickets
that the appeal being recorded resembles (so the same matter is not accepted twice)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select

from assistant.access import Actor
from assistant.db.engine import Database
from assistant.db.models import Ticket
from assistant.errors import ValidationFailed
from assistant.governance.cases import CENTER, CaseService, brief
from assistant.governance.detector import DAY, Entry, distinct_callers, same_matter
from assistant.governance.monitor import GovernanceMonitor, caller_keys
from assistant.governance.schemas import CallerHistory, RelatedAnswer, RelatedQuery, RelatedTicket
from assistant.governance.similarity import ngram_vector

DRAFT_ID = -1  # the appeal being recorded has no ticket yet


class CallerDesk:
    def __init__(self, db: Database, cases: CaseService, monitor: GovernanceMonitor) -> None:
        self.db = db
        self.cases = cases
        self.monitor = monitor

    def history(self, actor: Actor, *, phone: str = "", id_number: str = "", limit: int = 20) -> CallerHistory:
        actor.require(*CENTER)
        phone, id_number = phone.strip(), id_number.strip().upper()
        if not phone and not id_number:
            raise ValidationFailed("请提供来电号码或身份证号")
        conds = []
        if phone:
            conds += [Ticket.caller_number == phone, Ticket.contact_number == phone]
        if id_number:
            conds.append(Ticket.id_number == id_number)
        since = self.monitor.now() - timedelta(days=30)
        with self.db.read() as s:
            total = s.scalar(select(func.count(Ticket.id)).where(or_(*conds))) or 0
            recent = s.scalar(select(func.count(Ticket.id)).where(or_(*conds), Ticket.created_at >= since)) or 0
            rows = list(s.scalars(select(Ticket).where(or_(*conds))
                                  .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)))
            cases = self.cases.open_cases_for(s, [t.id for t in rows], actor)
            return CallerHistory(tickets=[brief(t) for t in rows], total=total, last_30_days=recent, open_cases=cases)

    def related(self, actor: Actor, q: RelatedQuery, *, limit: int = 10) -> RelatedAnswer:
        """Recent tickets like the draft: the caller's own within the repeat window, anyone's within
        the concentrated window, ranked by similarity."""
        actor.require(*CENTER)
        if not (q.text.strip() or q.phone or q.id_number):
            raise ValidationFailed("请提供来电号码、身份证号或诉求内容")
        mon, policy = self.monitor, self.monitor.policy
        mon.sync(embed_max=mon.surge_backlog)  # a surge's tickets by n-grams here: a query must not embed hundreds
        now = mon.now().timestamp()
        keys = caller_keys(q.phone, q.id_number.upper())
        vector = mon.encoder.encode([q.text])[0] if q.text.strip() and mon.encoder.ready else None
        draft = Entry(ticket_id=DRAFT_ID, at=now, callers=keys, township=q.township,
                      category=q.category[0] if q.category else "", grams=ngram_vector(q.text), vector=vector)
        index = mon.index
        own = [e for e in index.by_callers(keys) if e.at >= now - policy.repeat.window_days * DAY] if keys else []
        near = index.window(now - policy.concentrated.window_days * DAY, now) if q.text.strip() else []
        own_ids = {e.ticket_id for e in own}
        matches = same_matter(draft, own + [e for e in near if e.ticket_id not in own_ids], policy) \
            if q.text.strip() else []
        sims = {m.ticket_id: m.similarity for m in matches}
        same_matter_own = [i for i in own_ids if i in sims]
        crowd = [e for e in near if e.ticket_id in sims]
        triggers = []
        if keys and len(same_matter_own) + 1 >= policy.repeat.min_count:
            triggers.append("repeat")
        if distinct_callers([draft, *crowd]) >= policy.concentrated.min_callers:
            triggers.append("concentrated")
        # the caller's other recent tickets are shown too, less similar ones after the similar ones
        ranked = sorted(set(sims) | own_ids, key=lambda i: (-sims.get(i, 0.0), -i))[:limit]
        with self.db.read() as s:
            rows = {t.id: t for t in s.scalars(select(Ticket).where(Ticket.id.in_(ranked)))}
            cases = self.cases.open_cases_for(s, [i for i in ranked if i in sims], actor)
            case_of = {t.id: c.id for c in cases for t in c.tickets}
            tickets = [RelatedTicket(**brief(rows[i]).model_dump(exclude={"similarity"}), similarity=sims.get(i),
                                     same_caller=i in own_ids, case_ids=[case_of[i]] if i in case_of else [])
                       for i in ranked if i in rows]
        method = "embedding" if vector is not None else "ngram"
        return RelatedAnswer(method=method, tickets=tickets, cases=cases, would_trigger=triggers,
                             hint=_hint(cases, triggers, tickets))


def _hint(cases: list, triggers: list[str], tickets: list[RelatedTicket]) -> str:
    parts = []
    if cases:
        parts.append("有相关的未结案件（" + "、".join(str(c.id) for c in cases[:3]) + "），请核实是否同一事项，是则并入案件，避免重复受理")
    if "repeat" in triggers:
        parts.append("该来电人近期多次反映同一事项，受理后将列为重点督办（一人多次）")
    if "concentrated" in triggers:
        parts.append("近日多名群众反映同一事件，受理后将列为重点督办（一事多人）")
    if not parts:
        parts.append("未发现相同事项的近期工单" if not tickets else "有该来电人或相似内容的近期工单，请核实")
    return "；".join(parts)


