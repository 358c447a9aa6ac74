"""Call sessions: segments stored as they arrive, suggestions per caller segment, draft edits."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assistant.calls import SegmentIn
from assistant.db.call_models import DraftCorrection
from assistant.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tests.assistant.test_tickets import actor
from tests.conftest import demo_users


def test_segments_are_stored_and_answered(kb_hotline) -> None:
    agent = actor(kb_hotline, demo_users("agent")[0]["username"])
    call = kb_hotline.calls.start(agent, caller_number="13907181111")
    kb_hotline.calls.add_segments(call.id, [SegmentIn(speaker="agent", start=0, end=2.1,
                                                      text="您好，12345热线，请问有什么可以帮您")], agent)
    update = kb_hotline.calls.add_segments(
        call.id, [SegmentIn(speaker="caller", start=2.4, end=6.0, text="呃，我想问哈，娃儿刚生的，么样上户口嘛")], agent)
    assert update.segments[0].seq == 2
    assert update.suggestions and any("户口" in s.question for s in update.suggestions.suggestions)
    stored = kb_hotline.calls.get(call.id, agent)
    assert [s.speaker for s in stored.segments] == ["agent", "caller"] and stored.duration_s == 6.0
    kb_hotline.calls.end(call.id, agent)
    with pytest.raises(InvalidTransition):
        kb_hotline.calls.add_segments(call.id, [SegmentIn(speaker="caller", start=7, end=8, text="喂")], agent)


def test_agent_edits_are_recorded(hotline) -> None:
    agent = actor(hotline, demo_users("agent")[0]["username"])
    call = hotline.calls.start(agent)
    draft = hotline.calls.edit_draft(call.id, "township", "走马镇", agent)
    assert draft["township"]["value"] == "走马镇" and hotline.calls.get(call.id, agent).pinned == ["township"]
    with hotline.db.read() as s:
        row = s.scalar(select(DraftCorrection))
    assert (row.field, json.loads(row.before), json.loads(row.after)) == ("township", None, "走马镇")
    with pytest.raises(ValidationFailed):
        hotline.calls.add_segments(call.id, [SegmentIn(speaker="caller", start=5, end=4, text="倒着的")], agent)
    unit = actor(hotline, demo_users("unit_staff")[0]["username"])
    with pytest.raises(PermissionDenied):
        hotline.calls.get(call.id, unit)


def test_draft_fills_itself_and_keeps_agent_edits(hotline) -> None:
    agent = actor(hotline, demo_users("agent")[0]["username"])
    call = hotline.calls.start(agent, caller_number="13907182222")
    say = [
        SegmentIn(speaker="agent", start=0, end=2, text="您好，鹤峰12345，请问您贵姓？"),
        SegmentIn(speaker="caller", start=2.5, end=9, text="我姓向，我是走马镇白果村的，昨天晚上我们村口那个路灯又不亮了"),
    ]
    update = hotline.calls.add_segments(call.id, say, agent, suggest=False)
    assert update.draft["township"]["value"] == "走马镇" and update.draft["village"]["value"] == "白果村"
    assert update.draft["township"]["spans"]  # where in the call it came from
    hotline.calls.edit_draft(call.id, "village", "梅坪村", agent)
    more = [SegmentIn(speaker="caller", start=10, end=14, text="对，就是白果村，电话幺三九零七幺八二二二二")]
    draft = hotline.calls.add_segments(call.id, more, agent, suggest=False).draft
    assert draft["village"]["value"] == "梅坪村" and draft["village"]["source"] == "agent"
    form = hotline.calls.prefill(call.id, agent)
    assert form["township"] == "走马镇" and form["call_id"] == call.uid
