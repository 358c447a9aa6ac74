"""督办 in a batch (``TicketService.supervise_in``, used by detection) against the one-ticket
workflow path: the same audit event, the same version bump, the same refusals, and no stale ORM
copy left behind in the unit of work."""

from __future__ import annotations

from sqlalchemy import select

from assistant.db.models import Ticket, TicketEvent
from assistant.governance.cases import MONITOR
from assistant.tickets.schemas import ActionInput
from tests.assistant.test_governance import create
from tests.assistant.test_tickets import people  # noqa: F401  (fixture)


def last_event(hotline, ticket_id: int) -> dict:
    with hotline.db.read() as s:
        e = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id.desc())).first()
        return {"action": e.action, "from": e.from_status, "to": e.to_status, "changes": dict(e.changes),
                "comment": e.comment, "actor": e.actor_name, "role": e.actor_role}


def version(hotline, ticket_id: int) -> int:
    with hotline.db.read() as s:
        return s.scalar(select(Ticket.version).where(Ticket.id == ticket_id))


def test_batch_supervision_matches_the_workflow_path(hotline, people) -> None:  # noqa: F811
    one = create(hotline, people["agent"], "走马镇白果村通村公路塌方，车子过不去", number="13900000001")
    two = create(hotline, people["agent"], "走马镇集镇路灯不亮好几天了", number="13900000002")
    v1, v2 = version(hotline, one), version(hotline, two)
    hotline.tickets.act(one, "supervise", ActionInput(comment="重点督办：测试"), MONITOR)
    with hotline.db.write() as s:
        assert hotline.tickets.supervise_in(s, [two], "重点督办：测试", MONITOR) == [two]
    assert last_event(hotline, one) == last_event(hotline, two)
    assert version(hotline, one) == v1 + 1 and version(hotline, two) == v2 + 1
    assert hotline.tickets.get(two, people["supervisor"]).supervised


def test_batch_supervision_skips_what_cannot_take_it(hotline, people) -> None:  # noqa: F811
    undispatched = create(hotline, people["agent"], "走马镇集镇垃圾没人收", dispatch=None, number="13900000003")
    done = create(hotline, people["agent"], "走马镇集镇自来水停了", number="13900000004")
    with hotline.db.write() as s:
        assert hotline.tickets.supervise_in(s, [undispatched, done], "重点督办：测试", MONITOR) == [done]
    with hotline.db.write() as s:  # already supervised: nothing twice
        assert hotline.tickets.supervise_in(s, [done], "重点督办：测试", MONITOR) == []
    assert not hotline.tickets.get(undispatched, people["supervisor"]).supervised


def test_an_orm_copy_in_the_same_unit_of_work_is_refreshed(hotline, people) -> None:  # noqa: F811
    tid = create(hotline, people["agent"], "走马镇集镇占道经营", number="13900000005")
    with hotline.db.write() as s:
        loaded = s.get(Ticket, tid)
        hotline.tickets.supervise_in(s, [tid], "重点督办：测试", MONITOR)
        loaded.urgency = "urgent"  # a later change in the same transaction must not hit a stale version
        s.flush()
        assert loaded.supervised
    ticket = hotline.tickets.get(tid, people["supervisor"])
    assert ticket.supervised and ticket.urgency == "urgent"
