"""Quality inspection: scored when the call ends, routed, reviewed item by item, appealed."""

from __future__ import annotations

import pytest

from assistant.calls import SegmentIn
from assistant.errors import NotFound, PermissionDenied, ValidationFailed
from assistant.quality import Appeal, ItemReview
from tests.assistant.test_tickets import actor
from tests.conftest import demo_users

RUDE_CALL = [
    SegmentIn(speaker="agent", start=0.0, end=1.5, text="喂，说。"),
    SegmentIn(speaker="caller", start=1.8, end=7.0, text="我们村里停水三天了，你们管不管嘛，打了好多次电话了"),
    SegmentIn(speaker="agent", start=6.2, end=9.0, text="这个不归我们管，你自己去问自来水公司。"),
    SegmentIn(speaker="caller", start=9.5, end=12.0, text="你这是啥子态度嘛"),
    SegmentIn(speaker="agent", start=12.5, end=13.5, text="挂了。"),
]


def test_scored_after_the_call_and_reviewed(hotline) -> None:
    agent = actor(hotline, demo_users("agent")[0]["username"])
    qa = actor(hotline, demo_users("qa")[0]["username"])
    call = hotline.calls.start(agent)
    hotline.calls.add_segments(call.id, RUDE_CALL, agent, suggest=False)
    hotline.calls.end(call.id, agent)
    results = hotline.quality.list(qa)
    assert len(results) == 1 and results[0].call_id == call.id
    record = results[0]
    violated = [i for i in record.items if i["violated"]]
    assert record.total < 100 and violated
    assert all(i["evidence"] for i in violated if i["item_id"] != "opening")  # deductions carry evidence
    assert hotline.quality.list(agent)[0].id == record.id  # the agent sees their own result
    item = violated[0]["item_id"]
    with pytest.raises(ValidationFailed, match="理由"):
        hotline.quality.review_item(record.id, item, ItemReview(decision="overrule"), qa)
    with pytest.raises(PermissionDenied):
        hotline.quality.review_item(record.id, item, ItemReview(decision="accept"), agent)
    appealed = hotline.quality.appeal(record.id, Appeal(item_id=item, comment="来电人先挂断的，不是我"), agent)
    assert appealed.status == "appealed"
    reviewed = hotline.quality.review_item(record.id, item, ItemReview(decision="overrule", comment="核实录音属实"), qa)
    assert reviewed.status == "reviewed" and reviewed.final_total > reviewed.total
    assert [d.kind for d in reviewed.decisions] == ["appeal", "overrule"]
    stats = hotline.quality.stats(qa)
    assert stats["agents"][0]["calls"] == 1 and any(i["overruled"] == 1 for i in stats["items"])
    other_agent = type(agent)(999, "x", "别人", "agent")
    with pytest.raises(NotFound):
        hotline.quality.get(record.id, other_agent)


def test_batch_scores_past_calls(hotline) -> None:
    agent = actor(hotline, demo_users("agent")[0]["username"])
    hotline.calls.on_end.clear()  # calls that ended before scoring existed
    for _ in range(2):
        call = hotline.calls.start(agent)
        hotline.calls.add_segments(call.id, RUDE_CALL, agent, suggest=False)
        hotline.calls.end(call.id, agent)
    empty = hotline.calls.start(agent)
    hotline.calls.end(empty.id, agent)
    result = hotline.quality.score_batch()
    assert result["scored"] == 2 and result["failed"][0]["call_id"] == empty.id
    assert hotline.quality.score_batch()["scored"] == 0
