"""Detection's findings written a chunk at a time (``findings.ChunkWriter``) leave exactly what
writing them one at a time leaves: the same cases, links, case events, ticket audit events,
supervisions and version bumps. Two isomorphic surges in two townships, one written each way."""

from __future__ import annotations

import logging

from sqlalchemy import select

from assistant.db.governance_models import CaseLink, GovernanceCase, GovernanceEvent
from assistant.db.models import Ticket, TicketEvent
from assistant.tickets.schemas import TicketCreate
from tests.assistant.test_tickets import people  # noqa: F401  (fixture)

WORDS = ("{t}{v}自来水停了三天了，一家人吃水都成问题", "{t}{v}停水三天了，么子时候来水哦，吃水都成问题了",
         "我是{t}{v}的，我们这里自来水停了三天，吃水成问题", "{t}{v}停水停了三天了，吃水都成问题，麻烦快点",
         "{t}{v}这个自来水停了三天了，吃水成问题了", "反映一下{t}{v}自来水停了三天，到现在吃水成问题",
         "{t}{v}自来水停三天了，老人吃水都成问题")


def surge(hotline, agent, township: str, village: str, first_number: int) -> list[int]:
    ids = []
    for k, text in enumerate(WORDS):
        body = TicketCreate(caller_number=str(first_number + k), appeal_type="求助", title=f"{village}停水",
                            content=text.format(t=township, v=village), township=township, village=village,
                            category=["城乡建设"], dispatch={"lead_unit": "zmz"})
        ids.append(hotline.tickets.create(body, agent).id)
    return ids


def shape(hotline, ids: list[int]) -> dict:
    """What detection left on these tickets, with ids replaced by positions."""
    pos = {t: i for i, t in enumerate(ids)}
    with hotline.db.read() as s:
        links = s.execute(select(CaseLink.case_id, CaseLink.ticket_id, CaseLink.role, CaseLink.source)
                          .where(CaseLink.ticket_id.in_(ids)).order_by(CaseLink.ticket_id)).all()
        cases = sorted({c for c, *_ in links})
        case_pos = {c: i for i, c in enumerate(cases)}
        kinds = [s.scalar(select(GovernanceCase.kind).where(GovernanceCase.id == c)) for c in cases]
        keys = [s.scalar(select(GovernanceCase.key_supervision).where(GovernanceCase.id == c)) for c in cases]
        reasons = [{k: v for k, v in dict(s.scalar(select(GovernanceCase.reason).where(GovernanceCase.id == c))).items()
                    if k != "trigger_ticket_id"} | {"trigger": pos[s.scalar(select(GovernanceCase.reason)
                                                                          .where(GovernanceCase.id == c))["trigger_ticket_id"]]}
                   for c in cases]
        case_events = [[(e.action, pos.get(e.ticket_id), e.comment.replace(str(c), "#")) for e in s.scalars(
            select(GovernanceEvent).where(GovernanceEvent.subject == "case", GovernanceEvent.subject_id == c)
            .order_by(GovernanceEvent.id))] for c in cases]
        # what detection added to each ticket's trail (its creation differs: caller, place)
        trails = [[(e.action, e.from_status, e.to_status, e.actor_name, e.comment.replace(str(cases[0]), "#"),
                    {k: ([None, case_pos[v[1]]] if k == "case_id" else v) for k, v in dict(e.changes).items()})
                   for e in s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t,
                                                                TicketEvent.action.not_in(("create", "dispatch")))
                                      .order_by(TicketEvent.id))]
                  for t in ids]
        tickets = [s.execute(select(Ticket.supervised, Ticket.version).where(Ticket.id == t)).one() for t in ids]
    return {"links": [(case_pos[c], pos[t], role, source) for c, t, role, source in links], "kinds": kinds,
            "keys": keys, "reasons": reasons, "case_events": case_events, "trails": trails, "tickets": [tuple(t) for t in tickets]}


def test_a_chunk_written_together_leaves_what_one_at_a_time_leaves(hotline, people, caplog) -> None:  # noqa: F811
    monitor = hotline.governance.monitor
    hotline.tickets.after_create.clear()  # detected below, a whole surge in one batch
    one = surge(hotline, people["agent"], "走马镇", "白果村", 13900001000)
    two = surge(hotline, people["agent"], "太平镇", "桃园村", 13900002000)
    monitor.batched_writes = True
    with caplog.at_level(logging.INFO, logger="assistant.governance.cases"):
        found_one = monitor.detect_tickets(one)
    assert not [r for r in caplog.records if "one by one" in r.getMessage()]  # written together, no fallback
    monitor.batched_writes = False
    found_two = monitor.detect_tickets(two)
    assert found_one and len(found_one) == len(found_two)
    a, b = shape(hotline, one), shape(hotline, two)
    assert a["kinds"] == ["concentrated"] and a["keys"] == [True]
    assert len(a["links"]) == len(WORDS) and all(supervised for supervised, _version in a["tickets"])
    assert a == b


def test_a_failing_chunk_is_retried_finding_by_finding(hotline, people, caplog) -> None:  # noqa: F811
    """A finding that cannot be written (its ticket is gone) fails alone: the chunk's other finding
    and its new case stand, written one at a time after the chunk was rolled back."""
    from assistant.governance.detector import Finding, Match

    hotline.tickets.after_create.clear()
    ids = surge(hotline, people["agent"], "走马镇", "白果村", 13900003000)
    good = Finding("concentrated", ids[-1], [Match(t, 0.9, "ngram") for t in ids[:-1]], len(ids), 5, 3.0)
    bad = Finding("concentrated", 10**9, [Match(ids[0], 0.9, "ngram")], 5, 5, 3.0)
    with caplog.at_level(logging.INFO, logger="assistant.governance.cases"):
        done = hotline.governance.cases.apply_findings([good, bad])
    assert [r for r in caplog.records if "one by one" in r.getMessage()]
    assert isinstance(done[1], Exception)
    case_id, added = done[0]
    assert sorted(added) == sorted(ids[1:])  # the master is linked when the case is made
    assert shape(hotline, ids)["links"] == [(0, k, "master" if k == 0 else "related", "auto") for k in range(len(ids))]


def test_a_surge_is_compared_by_ngrams_and_its_vectors_filled_in_later(hotline, people) -> None:  # noqa: F811
    """With more tickets queued than ``surge_backlog``, a batch gets no e5 vectors (detection on
    n-grams keeps up); ``backfill`` embeds them afterwards, a chunk at a time (the real model)."""
    monitor = hotline.governance.monitor
    if not monitor.encoder.warm_up():
        import pytest

        pytest.skip(f"e5 model unavailable: {monitor.encoder.error}")
    hotline.tickets.after_create.clear()
    ids = surge(hotline, people["agent"], "走马镇", "白果村", 13900004000)
    monitor.surge_backlog = -1  # every batch counts as a surge
    found = monitor.detect_tickets(ids)
    assert found and all(m["kind"] == "concentrated" for m in found)
    assert all(monitor.index.get(t).vector is None for t in ids) and monitor.unembedded
    assert hotline.governance.capability()["vectors_pending"] is True
    assert monitor.backfill(limit=4) == 4 and monitor.unembedded  # a full chunk: more may wait
    assert monitor.backfill(limit=4) == len(ids) - 4 and not monitor.unembedded
    assert all(monitor.index.get(t).vector is not None for t in ids) and monitor.backfill() == 0
