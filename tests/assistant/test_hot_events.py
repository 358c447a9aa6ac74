"""Hot-spot events: appeals about one matter in one place from several people, ranked by heat."""

from __future__ import annotations

from datetime import datetime, timedelta

from assistant.hotspots.events import Appeal, find_events
from assistant.tickets.schemas import TicketCreate
from tests.assistant.test_tickets import actor
from tests.conftest import demo_users, login_role

T0 = datetime(2026, 6, 1, 9, 0)
ROAD = ["走马镇白果村到官仓的公路塌方了，车子过不去", "白果村那段公路塌方，娃儿上学要绕好远的路",
        "走马镇白果村公路塌方好几天了没人来修", "我们白果村公路塌方了，拖拉机都过不去",
        "白果村去官仓的路塌方了，请尽快派人来修"]


def _appeals(texts: list[str], place: str, start: datetime, person: str, first_id: int) -> list[Appeal]:
    # as a ticket reads: the agent's title, then the caller's words
    return [Appeal(id=first_id + i, text=f"白果村公路塌方。{t}", place=place, at=start + timedelta(hours=i),
                   person=f"{person}{i}") for i, t in enumerate(texts)]


def test_events_group_by_place_and_rank_by_people() -> None:
    road = _appeals(ROAD, "走马镇", T0, "a", 100)
    # the same words in another township are another event
    elsewhere = _appeals(ROAD[:2], "太平镇", T0, "b", 200)
    noise = [Appeal(id=9001, text="请问新农合今年交多少钱", place="走马镇", at=T0, person="c"),
             Appeal(id=9002, text="容美镇夜市烧烤油烟扰民", place="容美镇", at=T0, person="d")]
    events = find_events(road + elsewhere + noise)
    assert [len(e.ids) for e in events] == [5, 2]
    top = events[0]
    assert top.place == "走马镇" and top.people == 5 and "5 人次反映 5 件" in top.explanation
    assert events[0].heat > events[1].heat


def test_one_caller_many_times_is_not_a_hot_spot_and_old_appeals_fall_out() -> None:
    same_person = [Appeal(id=i, text=f"白果村公路塌方。{t}", place="走马镇", at=T0 + timedelta(hours=i), person="13900000000")
                   for i, t in enumerate(ROAD)]
    assert find_events(same_person) == []  # one person: a repeated appeal, not a hot spot
    spread = [Appeal(id=i, text=f"白果村公路塌方。{t}", place="走马镇", at=T0 + timedelta(days=40 * i), person=f"p{i}")
              for i, t in enumerate(ROAD)]
    assert find_events(spread, window=timedelta(days=30)) == []


def test_api_ranks_hot_events_among_recent_tickets(hotline, client) -> None:
    agent = actor(hotline, demo_users("agent")[0]["username"])
    for i, text in enumerate(ROAD):
        hotline.tickets.create(TicketCreate(appeal_type="求助", title="白果村公路塌方", content=text,
                                            township="走马镇", village="白果村", caller_number=f"1397260010{i}"),
                               agent)
    hotline.tickets.create(TicketCreate(appeal_type="咨询", title="医保缴费", content="请问今年医保交多少",
                                        township="容美镇", caller_number="13972600200"), agent)
    r = client.get("/api/v1/hotspots/events", params={"days": 7}, headers=login_role(client, "supervisor"))
    assert r.status_code == 200, r.text
    events = r.json()
    assert len(events) == 1 and events[0]["tickets"] == 5 and events[0]["township"] == "走马镇"
    assert "塌方" in events[0]["title"]
    assert client.get("/api/v1/hotspots/events", headers=login_role(client, "unit_staff")).status_code == 403
