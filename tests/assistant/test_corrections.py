"""Agents' corrections of the suggestions: stored with text, suggested, chosen, who, when and ticket;
read back as training data and as statistics."""

from __future__ import annotations

import pytest

from assistant.corrections import SuggestionShown
from assistant.db.call_models import Call
from assistant.errors import NotFound, PermissionDenied, ValidationFailed
from tests.assistant.test_tickets import actor, new_ticket
from tests.conftest import demo_users


@pytest.fixture
def people(hotline):
    return {role: actor(hotline, demo_users(role)[0]["username"]) for role in ("agent", "admin", "unit_staff")}


def test_form_corrections_are_stored_only_where_they_differ(hotline, people) -> None:
    tid = new_ticket(hotline, people, category=["城乡建设", "市政设施"], appeal_type="投诉", urgency="一般")
    shown = SuggestionShown(category=["城乡建设"], appeal_type="咨询", urgency="一般", lead_unit="cgj")
    stored = hotline.corrections.record_for_ticket(tid, shown, people["agent"])
    assert stored == [{"field": "appeal_type", "suggested": "咨询", "chosen": "投诉"}]  # 城乡建设 ⊂ path
    stored = hotline.corrections.record_for_ticket(tid, SuggestionShown(category="交通运输"), people["agent"])
    assert stored == [{"field": "category", "suggested": "交通运输", "chosen": "城乡建设/市政设施"}]
    listed = hotline.corrections.list(people["admin"])
    assert listed["total"] == 2 and listed["items"][0]["ticket_id"] == tid
    assert listed["items"][0]["actor"] == people["agent"].display_name and listed["items"][0]["text"].startswith("走马镇")
    with pytest.raises(ValidationFailed):
        hotline.corrections.record_for_ticket(tid, SuggestionShown(), people["agent"])
    with pytest.raises(NotFound):
        hotline.corrections.record_for_ticket(99999, shown, people["agent"])
    with pytest.raises(PermissionDenied):
        hotline.corrections.stats(people["agent"])
    stats = hotline.corrections.stats(people["admin"])
    assert stats["corrections"] == 2 and stats["fields"]["appeal_type"]["top"][0] == {
        "suggested": "咨询", "chosen": "投诉", "count": 1}
    assert stats["fields"]["category"]["rate"] == 1.0 and stats["tickets"] == 1


def test_lead_unit_correction_after_dispatch(hotline, people) -> None:
    from assistant.tickets.schemas import ActionInput

    tid = new_ticket(hotline, people)
    hotline.tickets.act(tid, "dispatch", ActionInput(lead_unit="zmz"), people["agent"])
    stored = hotline.corrections.record_for_ticket(tid, SuggestionShown(lead_unit="cgj"), people["agent"])
    assert stored == [{"field": "lead_unit", "suggested": "cgj", "chosen": "zmz"}]


def test_call_draft_suggestions_against_the_ticket(hotline, people) -> None:
    call = hotline.calls.start(people["agent"], caller_number="13907181234")
    with hotline.db.write() as s:
        s.get(Call, call.id).draft = {
            "appeal_type": {"value": "咨询", "confidence": 0.7, "source": "classifier", "spans": []},
            "urgency": {"value": "一般", "confidence": 0.9, "source": "classifier", "spans": []},
            "category": {"value": ["交通运输"], "confidence": 0.5, "source": "classifier", "spans": []},
        }
    hotline.calls.edit_draft(call.id, "category", ["城乡建设"], people["agent"])  # the agent fixes the draft
    tid = new_ticket(hotline, people, category=["城乡建设"], appeal_type="投诉", urgency="一般")
    hotline.calls.link_ticket(call.id, tid, people["agent"])
    stored = hotline.corrections.record_from_call(call.id, tid, people["agent"])
    assert sorted((c["field"], c["suggested"], c["chosen"]) for c in stored) == [
        ("appeal_type", "咨询", "投诉"), ("category", "交通运输", "城乡建设")]


def test_training_uses_tickets_and_corrections(hotline, people) -> None:
    samples = {
        "城乡建设": ["小区门口的路挖开了几个月没填", "楼上装修天天打电钻", "村里的桥面裂了好宽的缝", "物业不管电梯坏了"],
        "劳动和社会保障": ["老板拖欠三个月工资不给", "社保断缴了怎么补", "工伤认定要多久", "养老金这个月没到账"],
    }
    for label, texts in samples.items():
        for text in texts:
            new_ticket(hotline, people, title=text[:10], content=text, category=[label])
    wrong = new_ticket(hotline, people, title="学校乱收补课费", content="孩子学校乱收补课费", category=["城乡建设"])
    hotline.corrections.record_for_ticket(wrong, SuggestionShown(category="城乡建设"), people["agent"])  # same: none
    rows = dict((t, label) for t, label in hotline.corrections.training_rows())
    assert len(rows) == 9 and rows["学校乱收补课费。孩子学校乱收补课费"] == "城乡建设"
    result = hotline.routing.train(None, "csv", test_frac=0.25)
    assert result["metrics"]["history_rows"] == 9 and result["metrics"]["imported_rows"] == 0
    with pytest.raises(ValidationFailed, match="没有训练数据"):
        hotline.routing.train(None, "csv", use_history=False)
