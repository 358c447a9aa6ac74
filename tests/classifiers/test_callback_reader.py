"""The shipped callback model through the haystack-style reader: text, turns, notes, IVR keys."""

from __future__ import annotations

import pytest

from classifiers.callback import (
    EXTERNAL_SIDE,
    UNIT_SIDE,
    CallbackOutcomeReader,
    EmptyReplyError,
    InvalidSettingError,
    ModelUnavailableError,
    load_model,
)


@pytest.fixture(scope="module")
def reader() -> CallbackOutcomeReader:
    r = CallbackOutcomeReader()
    r.warm_up()
    return r


@pytest.mark.parametrize(("text", "resolution", "satisfaction"), [
    ("嗯，已经弄好了，非常满意，谢谢你们", "解决", "满意"),
    ("根本没人来，到现在还是老样子，不满意", "未解决", "不满意"),
    ("还行吧，弄了一半", "部分解决", "基本满意"),
    ("解决了，不过拖了一个多月", "解决", "基本满意"),
    ("打了几次电话都没人管", "未解决", "不满意"),
    ("不是不满意，就是弄了一半没弄完", "部分解决", "基本满意"),
    ("满意是满意，就是事情还没办", "未解决", "基本满意"),
])
def test_reads_clear_and_indirect_replies(reader: CallbackOutcomeReader, text: str, resolution: str,
                                          satisfaction: str) -> None:
    out = reader.run(text)
    assert (out.resolution, out.satisfaction) == (resolution, satisfaction)
    assert 0.0 < out.resolution_confidence <= 1.0 and 0.0 < out.satisfaction_confidence <= 1.0
    assert abs(sum(out.resolution_proba.values()) - 1.0) < 1e-3
    assert out.resolution_confidence == max(out.resolution_proba.values())


def test_contradictory_reply_is_unresolved_and_not_satisfied(reader: CallbackOutcomeReader) -> None:
    out = reader.run("你们态度是好的，就是没解决")
    assert out.resolution == "未解决"
    assert out.satisfaction != "满意"


def test_unsatisfied_reason_side_and_evidence(reader: CallbackOutcomeReader) -> None:
    unit = reader.run("没解决，他们推来推去，这个推那个，不满意")
    assert unit.reason is not None and unit.reason.side == UNIT_SIDE and unit.reopen
    assert unit.reason.action == "重办" and unit.reason.code == "推诿" and "推" in unit.reason.evidence
    outside = reader.run("他们说我这个条件不符合政策，办不了，不满意")
    assert outside.reason is not None and outside.reason.side == EXTERNAL_SIDE and not outside.reopen
    assert outside.reason.action == "记录原因" and outside.reason.code == "政策不允许"
    assert reader.run("解决了，很满意").reason is None


def test_turns_notes_and_keys(reader: CallbackOutcomeReader) -> None:
    turns = [{"speaker": "agent", "text": "您好，这里是鹤峰县12345热线回访。请问问题解决了吗？"},
             {"speaker": "caller", "text": "嗯"},
             {"speaker": "agent", "text": "您对处理结果满意吗？"},
             {"speaker": "caller", "text": "是的"}]
    out = reader.run(turns=turns)
    assert (out.resolution, out.satisfaction, out.source) == ("解决", "满意", "turns")
    notes = reader.run(notes="回访群众，反映问题未解决，单位未上门核实，群众不满意")
    assert (notes.resolution, notes.satisfaction, notes.source) == ("未解决", "不满意", "notes")
    ivr = reader.run(keys="3 3")
    assert (ivr.resolution, ivr.satisfaction, ivr.source, ivr.resolution_confidence) == ("未解决", "不满意", "ivr", 1.0)
    assert ivr.reason is not None and ivr.reason.action == "人工确认原因"


def test_bad_calls(reader: CallbackOutcomeReader, tmp_path) -> None:
    with pytest.raises(EmptyReplyError):
        reader.run("  ")
    with pytest.raises(InvalidSettingError):
        reader.run("满意", keys="11")
    with pytest.raises(InvalidSettingError):
        CallbackOutcomeReader(review_below=2)
    missing = CallbackOutcomeReader(tmp_path / "none.pkl")
    assert missing.available is False
    with pytest.raises(ModelUnavailableError):
        missing.warm_up()


def test_model_is_loaded_once(reader: CallbackOutcomeReader) -> None:
    assert load_model() is load_model()
    other = CallbackOutcomeReader()
    other.warm_up()
    assert other._model is reader._model
