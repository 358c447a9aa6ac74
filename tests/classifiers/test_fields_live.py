"""The live draft (segment by segment, pinned agent edits), settings checks, spans, a full-call timing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from classifiers.fields import (
    FIELD_NAMES,
    FieldExtractor,
    FieldsError,
    InvalidFieldValueError,
    InvalidGazetteerError,
    InvalidSettingError,
    InvalidTurnError,
    LiveDraft,
    UnknownFieldError,
)

ROOT = Path(__file__).resolve().parents[2]
COUNTY = json.loads((ROOT / "assistant/demo/heifeng/county.json").read_text("utf-8"))
CALL = "2025-03-03T09:12:00+08:00"
SEGMENTS = [
    ("agent", "您好，12345热线，请问有什么可以帮您？"),
    ("caller", "喂，我是走马镇白果村的，我们那边从昨天晚上就停水了。"),
    ("agent", "请问您贵姓？"),
    ("caller", "我姓王。"),
    ("agent", "王先生，您的联系电话是多少呢？"),
    ("caller", "一五九，幺七二三，"),
    ("agent", "嗯。"),
    ("caller", "四五六八。你们不要透露我的信息哈。"),
    ("agent", "好的。处理完了给您回访，可以吗？"),
    ("caller", "要得。哦对了，其实是燕子镇那边我亲戚屋里也停了。"),
]


@pytest.fixture(scope="module")
def fx() -> FieldExtractor:
    extractor = FieldExtractor(COUNTY, address_library=None)
    extractor.warm_up()
    return extractor


def segment(i: int) -> dict:
    speaker, text = SEGMENTS[i]
    return {"speaker": speaker, "start": 3.0 * i, "end": 3.0 * i + 2.5, "text": text}


def test_draft_grows_segment_by_segment(fx: FieldExtractor) -> None:
    live = LiveDraft(fx, CALL)
    live.add(segment(0))
    assert live.draft.township.value is None
    live.add(segment(1))
    assert (live.draft.township.value, live.draft.village.value) == ("走马镇", "白果村")
    assert live.draft.event_time.value == "2025-03-02"
    for i in range(2, 6):
        live.add(segment(i))
    assert live.draft.phones.value == []  # only half the number so far
    live.add(segment(6))
    draft = live.add(segment(7))
    assert draft.phones.value == ["15917234568"]
    assert draft.caller_name.value == "王先生"
    assert draft.confidential.value is True
    assert [s.turn for s in draft.phones.spans] == [5, 7]


def test_agent_edits_are_pinned_and_recorded(fx: FieldExtractor) -> None:
    live = LiveDraft(fx, CALL)
    live.extend(segment(i) for i in range(4))
    live.agent_edit("caller_name", "王建国")
    live.agent_edit("village", "梅坪村")
    for i in range(4, len(SEGMENTS)):
        live.add(segment(i))
    draft = live.draft
    assert draft.caller_name.value == "王建国" and draft.caller_name.source == "agent"
    assert draft.caller_name.confidence == 1.0
    assert draft.village.value == "梅坪村"
    assert draft.callback_ok.value is True
    assert [(c.field, c.before, c.after) for c in live.corrections] == [
        ("caller_name", "王", "王建国"), ("village", "白果村", "梅坪村")]
    assert live.pinned == {"caller_name", "village"}


def test_pinned_township_clears_a_village_of_another_township(fx: FieldExtractor) -> None:
    live = LiveDraft(fx, CALL)
    live.extend(segment(i) for i in range(2))
    live.agent_edit("township", "燕子镇")
    assert live.draft.township.value == "燕子镇"
    assert live.draft.village.value is None
    live.release("township")
    live.add(segment(2))
    assert live.draft.township.value == "走马镇"


def test_classifier_slots_persist(fx: FieldExtractor) -> None:
    live = LiveDraft(fx, CALL)
    live.add(segment(1))
    live.set_classification("appeal_type", "求助", 0.7)
    live.add(segment(3))
    assert live.draft.appeal_type.value == "求助" and live.draft.appeal_type.source == "classifier"
    with pytest.raises(UnknownFieldError):
        live.set_classification("township", "燕子镇", 0.9)


def test_edit_checks(fx: FieldExtractor) -> None:
    live = LiveDraft(fx, CALL)
    with pytest.raises(UnknownFieldError) as err:
        live.agent_edit("colour", "红")
    assert err.value.code == "unknown_field" and "字段" in str(err.value)
    with pytest.raises(InvalidFieldValueError):
        live.agent_edit("confidential", "是")
    with pytest.raises(InvalidFieldValueError):
        live.agent_edit("event_time", "昨天")
    assert live.agent_edit("phones", "13972880416").phones.value == ["13972880416"]
    assert live.agent_edit("event_time", "2025-03-02T22:00").event_time.value == "2025-03-02T22:00"


def test_settings_and_inputs_are_checked() -> None:
    with pytest.raises(InvalidGazetteerError):
        FieldExtractor({"name": "无乡镇县"})
    with pytest.raises(InvalidSettingError) as err:
        FieldExtractor(COUNTY, area_code="718")
    assert isinstance(err.value, FieldsError) and err.value.code == "invalid_setting"
    with pytest.raises(InvalidSettingError):
        FieldExtractor(COUNTY, address_library="cpca")
    fx = FieldExtractor(COUNTY, address_library=None)
    with pytest.raises(InvalidTurnError):
        fx.run([{"speaker": "robot", "start": 0, "end": 1, "text": "你好"}], CALL)


def test_every_field_and_its_spans(fx: FieldExtractor) -> None:
    turns = [segment(i) for i in range(len(SEGMENTS))]
    draft = fx.run(turns, CALL)
    assert set(draft.values()) == set(FIELD_NAMES)
    for name in FIELD_NAMES:
        field = draft.get(name)
        assert 0.0 <= field.confidence <= 1.0
        for span in field.spans:
            assert turns[span.turn]["text"][span.start:span.end] == span.text
            assert span.time == turns[span.turn]["start"]
    assert draft.title.value == "走马镇白果村停水" and len(draft.title.value) <= 30
    assert "停水" in draft.summary.value
    assert draft.appeal_type.value is None and draft.category.value is None and draft.urgency.value is None
    json.dumps(draft.to_dict(), ensure_ascii=False)


def test_written_message(fx: FieldExtractor) -> None:
    text = ("本人龚某，系鹤峰县邬阳乡朝阳社区居民。5月3日下午，邬阳集镇农贸市场内多家摊贩占道经营。"
            "联系方式：18872630155，来电人要求不公开个人信息。")
    draft = fx.run(text, "2025-05-06T14:35:00+08:00")
    assert (draft.caller_name.value, draft.phones.value, draft.township.value, draft.village.value) == (
        "龚某", ["18872630155"], "邬阳乡", "朝阳社区")
    assert draft.event_time.value == "2025-05-03" and draft.confidential.value is True


def test_five_minute_call_is_quick(fx: FieldExtractor) -> None:
    lines = [json.loads(x) for x in (ROOT / "eval/dev/fill/tuning.jsonl").read_text("utf-8").splitlines()]
    turns, clock = [], 0.0
    for case in lines:
        for t in case["turns"]:
            turns.append({**t, "start": clock, "end": clock + 3.0})
            clock += 3.7
        if clock > 300:
            break
    cold = FieldExtractor(COUNTY, address_library=None)
    cold.warm_up()
    start = time.perf_counter()
    cold.run(turns, CALL)
    assert (time.perf_counter() - start) < 1.0  # the aim is 300 ms on 2 cores; eval fill reports it
