"""Callback cues: negation, concession, dialect, bare answers, IVR keys, reason side, errors."""

from __future__ import annotations

import pytest

from classifiers.callback import (
    DEFAULT_KEY_MAP,
    EXTERNAL_SIDE,
    UNIT_SIDE,
    UNKNOWN_SIDE,
    CallbackError,
    InvalidKeypressError,
    InvalidSettingError,
    caller_reply,
    read_keys,
    rule_reading,
    suggest_reason,
)
from classifiers.callback import errors as errors_module
from classifiers.callback.cues import bare_answer, clauses, find_cues, normalize


def categories(text: str) -> set[str]:
    return {c.category for c in find_cues(text)}


@pytest.mark.parametrize(("text", "expected"), [
    ("解决了，很满意", ("解决", "满意")),
    ("没解决，不满意", ("未解决", "不满意")),
    ("还行吧，弄了一半", ("部分解决", "基本满意")),
    ("搞好哒，巴适得很", ("解决", "满意")),
    ("冇得人来，还是那个样子", ("未解决", "不满意")),
    ("满意是满意，就是问题还没解决", ("未解决", "基本满意")),
])
def test_rules_read_clear_cues(text: str, expected: tuple[str, str]) -> None:
    assert rule_reading(text) == expected


def test_negated_and_double_negated_satisfaction() -> None:
    assert "sat_not_neg" in categories("不是不满意，就是没解决")
    assert rule_reading("不是不满意，就是没解决")[1] == "基本满意"
    assert "sat_pos" in categories("我没说不满意啊")          # a plain denial of 不满意 is 满意
    assert "sat_hedged" in categories("不太满意，还没解决")
    assert "sat_neg" in categories("满意啥子哟，人都没来")     # rhetorical
    assert "sat_mid" in categories("满意谈不上，弄了一部分")   # hedge after the word
    assert "res_not_no" in categories("不是没解决，解决了")


def test_concession_and_contrast_parts() -> None:
    parts = clauses("你们态度是好的，就是没解决")
    assert parts == [("你们态度是好的", "before"), ("就是没解决", "main")]
    assert clauses("好是好了，就是拖了一个多月")[0][1] == "conceded"
    assert rule_reading("解决了，不过拖了一个多月") == ("解决", "基本满意")


def test_dialect_normalisation_and_bare_answers() -> None:
    assert normalize("搞好哒，莫得问题") == "搞好了,没有问题"  # NFKC: full-width comma too
    assert bare_answer("没有。") is False
    assert bare_answer("嗯嗯") is True
    assert bare_answer("没有人来") is None


def test_turns_make_bare_answers_explicit() -> None:
    turns = [
        {"speaker": "agent", "text": "请问您反映的问题解决了吗？"},
        {"speaker": "caller", "text": "没有。"},
        {"speaker": "agent", "text": "您对处理结果满意吗？"},
        {"speaker": "caller", "text": "不满意，打了几次电话都没人管"},
    ]
    assert caller_reply(turns) == "没解决，不满意，打了几次电话都没人管"


def test_ivr_keys_and_key_map() -> None:
    assert read_keys("13") == ("解决", "不满意")
    assert read_keys("2#2#") == ("部分解决", "基本满意")
    assert read_keys(["3", "3"]) == ("未解决", "不满意")
    assert read_keys({"resolution": "1", "satisfaction": "2"}) == ("解决", "基本满意")
    swapped = {"resolution": {"9": "解决", "8": "部分解决", "7": "未解决"},
               "satisfaction": DEFAULT_KEY_MAP["satisfaction"]}
    assert read_keys("71", swapped) == ("未解决", "满意")
    for bad in ("1", "123", "40", "1*"):
        with pytest.raises(InvalidKeypressError):
            read_keys(bad)
    with pytest.raises(InvalidSettingError):
        read_keys("11", {"resolution": {"1": "好"}})


@pytest.mark.parametrize(("text", "side", "code"), [
    ("没解决，他们推来推去，这个推那个", UNIT_SIDE, "推诿"),
    ("打了几次电话都没人管，不满意", UNIT_SIDE, "没人来"),
    ("接电话的态度凶得很，不满意", UNIT_SIDE, "态度差"),
    ("答应月底弄好，到现在都没动", UNIT_SIDE, "没按承诺办"),
    ("他们说我这个不符合政策，办不了，不满意", EXTERNAL_SIDE, "政策不允许"),
    ("说是历史遗留问题，镇里解决不了", EXTERNAL_SIDE, "历史遗留需更高层解决"),
    ("我要他们赔我二十万，他们不给", EXTERNAL_SIDE, "要求不合理"),
])
def test_reason_side_from_cues(text: str, side: str, code: str) -> None:
    reason = suggest_reason(text)
    assert (reason.side, reason.code) == (side, code)
    assert reason.evidence and reason.evidence in normalize(text)
    assert reason.action == ("重办" if side == UNIT_SIDE else "记录原因")


def test_reason_not_taken_from_praise() -> None:
    assert suggest_reason("态度还是好的，不满意").side == UNKNOWN_SIDE
    assert suggest_reason("不满意").action == "人工确认原因"


def test_errors_have_chinese_messages_and_english_codes() -> None:
    for name in dir(errors_module):
        cls = getattr(errors_module, name)
        if isinstance(cls, type) and issubclass(cls, CallbackError):
            err = cls()
            assert cls.code.isascii() and cls.code.replace("_", "").isalpha()
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err))
