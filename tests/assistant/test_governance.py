"""Governance on a real database: detection on ticket creation, cases, key supervision through the
ticket workflow, the agent's desk and clue transfers, all audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from assistant.db.governance_models import GovernanceEvent
from assistant.db.models import TicketEvent
from assistant.errors import InvalidTransition, NotFound, PermissionDenied, RuleViolation, ValidationFailed
from assistant.governance.schemas import (
    CaseCreate,
    CommentInput,
    LinkInput,
    RelatedQuery,
    TransferCreate,
    TransferUpdate,
)
from assistant.tickets.schemas import ActionInput, TicketCreate
from tests.assistant.test_tickets import people  # noqa: F401  (fixture)

ROAD = ["白果村通村公路塌方了，车子过不去，请尽快修复", "白果村到集镇的通村公路塌方，车过不去，请尽快派人修",
        "我们白果村的通村公路塌方了车子过不去，请尽快修复", "白果村通村公路塌方，车子过不去了，麻烦尽快修复",
        "走马镇白果村通村公路塌方，车子过不去，请尽快修复"]


def create(hotline, who, text: str, number: str = "13907181234", dispatch: str | None = "zmz", **extra) -> int:
    data = {"caller_name": "王先生", "caller_number": number, "appeal_type": "求助", "title": text[:20],
            "content": text, "township": "走马镇", "category": ["城乡建设"]} | extra
    if dispatch:
        data["dispatch"] = {"lead_unit": dispatch}
    return hotline.tickets.create(TicketCreate(**data), who).id


def events(hotline, ticket_id: int) -> list[str]:
    with hotline.db.read() as s:
        return list(s.scalars(select(TicketEvent.action).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)))


def test_fifth_repeat_makes_a_key_supervision_case(hotline, people, clock) -> None:  # noqa: F811
    ids = []
    for text in ROAD:
        ids.append(create(hotline, people["agent"], text))
        clock.advance(days=5)
    cases = hotline.governance.cases.list(people["supervisor"])["items"]
    repeat = [c for c in cases if c.kind == "repeat"]
    assert len(repeat) == 1
    case = repeat[0]
    assert case.key_supervision and case.master_ticket_id == ids[0] and case.ticket_count == 5
    assert {t.id for t in case.tickets} == set(ids)
    assert case.reason["count"] == 5
    for tid in ids:  # linked and supervised, each step in the ticket's own audit trail
        acts = events(hotline, tid)
        assert "case_link" in acts and "supervise" in acts
        assert hotline.tickets.get(tid, people["supervisor"]).supervised
    # a sixth one joins the same case
    sixth = create(hotline, people["agent"], ROAD[0])
    case = hotline.governance.cases.get(case.id, people["supervisor"])
    assert sixth in {t.id for t in case.tickets}
    assert hotline.governance.monitor.last_ms is not None and hotline.governance.monitor.last_ms < 1000


def test_four_times_or_other_matters_make_no_case(hotline, people, clock) -> None:  # noqa: F811
    for text in ROAD[:4]:
        create(hotline, people["agent"], text)
    create(hotline, people["agent"], "容美镇溇水大道路灯晚上不亮，坏了一个多星期", township="容美镇")
    assert hotline.governance.cases.list(people["supervisor"])["total"] == 0


def test_concentrated_appeals_from_five_callers(hotline, people, clock) -> None:  # noqa: F811
    for i, text in enumerate(ROAD):
        create(hotline, people["agent"], text, number=f"1390718000{i}", dispatch=None if i == 4 else "zmz")
        clock.advance(hours=10)
    cases = hotline.governance.cases.list(people["supervisor"], kind="concentrated")["items"]
    assert len(cases) == 1 and cases[0].ticket_count == 5 and cases[0].key_supervision
    # the last one was not dispatched yet: linked, but 督办 waits until it can take it; the batch run catches up
    last = max(t.id for t in cases[0].tickets)
    assert not hotline.tickets.get(last, people["agent"]).supervised

    hotline.tickets.act(last, "dispatch", ActionInput(lead_unit="zmz"), people["agent"])
    out = hotline.governance.monitor.run_batch(clock() - timedelta(days=5), clock())
    assert out["checked"] == 5 and out["cases"] == [cases[0].id]
    assert hotline.tickets.get(last, people["agent"]).supervised


def test_manual_case_link_unlink_and_visibility(hotline, people) -> None:  # noqa: F811
    a = create(hotline, people["agent"], "太平镇某村饮水管道破裂", township="太平镇", dispatch="zmz")
    b = create(hotline, people["agent"], "太平镇某村自来水停水三天", township="太平镇", number="13907180000",
               dispatch=people["unit_a_code"])
    c = create(hotline, people["agent"], "太平镇某村自来水还是没有来", township="太平镇", number="13907180001")
    case = hotline.governance.cases.create(CaseCreate(master_ticket_id=a, related_ticket_ids=[b], comment="同一停水事件"),
                                           people["agent"])
    assert case.kind == "manual" and case.ticket_count == 2
    with pytest.raises(RuleViolation, match="已并入案件"):
        hotline.governance.cases.create(CaseCreate(master_ticket_id=c, related_ticket_ids=[b]), people["agent"])
    case = hotline.governance.cases.link(case.id, LinkInput(ticket_id=c, comment="同一事件"), people["agent"])
    assert case.ticket_count == 3
    with pytest.raises(ValidationFailed, match="移出理由"):
        hotline.governance.cases.unlink(case.id, LinkInput(ticket_id=c), people["agent"])
    with pytest.raises(RuleViolation, match="主工单"):
        hotline.governance.cases.unlink(case.id, LinkInput(ticket_id=a, comment="误并"), people["agent"])
    case = hotline.governance.cases.unlink(case.id, LinkInput(ticket_id=c, comment="不是同一村"), people["agent"])
    assert case.ticket_count == 2 and events(hotline, c)[-2:] == ["case_link", "case_unlink"]
    # a unit sees the case only through its own tickets
    assert [t.id for t in hotline.governance.cases.get(case.id, people["unit_a"]).tickets] == [b]
    assert [t.id for t in hotline.governance.cases.get(case.id, people["unit_b"]).tickets] == [a]
    other = hotline.governance.cases.create(CaseCreate(master_ticket_id=c), people["agent"])
    with pytest.raises(NotFound):
        hotline.governance.cases.get(other.id, people["unit_a"])
    assert [x.id for x in hotline.governance.cases.list(people["unit_a"])["items"]] == [case.id]
    with pytest.raises(PermissionDenied):
        hotline.governance.cases.close(case.id, CommentInput(comment="办结"), people["agent"])
    closed = hotline.governance.cases.close(case.id, CommentInput(comment="已统一办结"), people["supervisor"])
    assert closed.status == "closed"
    with pytest.raises(InvalidTransition):
        hotline.governance.cases.link(case.id, LinkInput(ticket_id=c), people["agent"])
    log = [e.action for e in hotline.governance.cases.events(case.id, people["agent"])]
    assert log == ["create", "link", "link", "link", "unlink", "close"]


def test_desk_shows_history_and_what_a_draft_would_trigger(hotline, people) -> None:  # noqa: F811
    for text in ROAD[:4]:
        create(hotline, people["agent"], text)
    history = hotline.governance.desk.history(people["agent"], phone="13907181234")
    assert history.total == 4 and history.last_30_days == 4 and len(history.tickets) == 4
    answer = hotline.governance.desk.related(people["agent"], RelatedQuery(
        phone="13907181234", text="白果村通村公路塌方还没修，车子过不去", township="走马镇", category=["城乡建设"]))
    assert answer.method == "ngram" and "repeat" in answer.would_trigger
    assert len(answer.tickets) == 4 and all(t.same_caller for t in answer.tickets) and "一人多次" in answer.hint
    other = hotline.governance.desk.related(people["agent"], RelatedQuery(phone="13900000000", text="五里乡学校食堂卫生差"))
    assert other.tickets == [] and other.would_trigger == []
    with pytest.raises(ValidationFailed):
        hotline.governance.desk.history(people["agent"])
    with pytest.raises(PermissionDenied):
        hotline.governance.desk.history(people["unit_a"], phone="13907181234")


def test_clue_transfer_is_recorded_and_audited(hotline, people) -> None:  # noqa: F811
    tid = create(hotline, people["agent"], "反映走马镇某站所工作人员吃拿卡要", appeal_type="举报")
    sup = people["supervisor"]
    with pytest.raises(RuleViolation, match="尚未督办"):
        hotline.governance.transfers.create(TransferCreate(ticket_id=tid, target="petition", grounds="unresolved",
                                                           reason="督办后仍未解决"), sup)
    with pytest.raises(PermissionDenied):
        hotline.governance.transfers.create(TransferCreate(ticket_id=tid, target="discipline", grounds="misconduct",
                                                           reason="涉嫌吃拿卡要"), people["agent"])
    t = hotline.governance.transfers.create(TransferCreate(
        ticket_id=tid, target="discipline", grounds="misconduct", reason="反映公职人员吃拿卡要，移送纪委监委",
        attachments=["来电录音 REC-001", "工单记录"]), sup)
    assert (t.status, t.target_label, t.attachments) == ("sent", "纪委监委", ["来电录音 REC-001", "工单记录"])
    with pytest.raises(RuleViolation, match="请勿重复移送"):
        hotline.governance.transfers.create(TransferCreate(ticket_id=tid, target="discipline", grounds="misconduct",
                                                           reason="再次移送"), sup)
    with pytest.raises(ValidationFailed, match="接收人"):
        hotline.governance.transfers.update(t.id, TransferUpdate(status="received"), sup)
    with pytest.raises(InvalidTransition):
        hotline.governance.transfers.update(t.id, TransferUpdate(status="concluded", result="已查处"), sup)
    hotline.governance.transfers.update(t.id, TransferUpdate(status="received", receiver="县纪委信访室李某"), sup)
    done = hotline.governance.transfers.update(t.id, TransferUpdate(status="concluded", result="已立案查处"), sup)
    assert done.status_label == "已办结" and done.receiver == "县纪委信访室李某"
    assert [x.id for x in hotline.governance.transfers.list(sup, target="discipline")] == [t.id]
    assert events(hotline, tid)[-3:] == ["clue_transfer", "clue_transfer_status", "clue_transfer_status"]
    assert [e.action for e in hotline.governance.transfers.events(t.id, sup)] == ["create", "received", "concluded"]
    with hotline.db.write() as s, pytest.raises(Exception, match="append-only"):  # the log cannot be rewritten
        s.execute(GovernanceEvent.__table__.delete())


def test_case_list_pages_in_the_database(hotline, people):  # noqa: F811
    ids = [create(hotline, people["agent"], f"{v}村路灯坏了一个月没人修", number=f"1390718{i:04d}",
                  dispatch=people["unit_a_code"]) for i, v in enumerate("甲乙丙丁戊")]
    made = [hotline.governance.cases.create(CaseCreate(master_ticket_id=t, comment="人工并案"), people["agent"]).id
            for t in ids]
    cases = hotline.governance.cases
    first = cases.list(people["supervisor"], kind="manual", size=2)
    second = cases.list(people["supervisor"], kind="manual", page=2, size=2)
    last = cases.list(people["supervisor"], kind="manual", page=3, size=2)
    assert first["total"] == second["total"] == last["total"] == 5
    seen = [c.id for page in (first, second, last) for c in page["items"]]
    assert seen == sorted(made, reverse=True)  # newest activity first, every case once
    assert cases.list(people["supervisor"], kind="manual", page=4, size=2)["items"] == []
    # the unit that leads these tickets sees all five, counted the same way; another unit none
    mine = cases.list(people["unit_a"], kind="manual", size=3)
    assert mine["total"] == 5 and len(mine["items"]) == 3
    assert cases.list(people["unit_b"], kind="manual")["total"] == 0
