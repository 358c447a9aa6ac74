"""Spoken numbers: 幺/两/洞, groups across turns, read-backs, corrections; ID numbers and their checksum."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.fields import FieldExtractor, check_char, is_valid_id
from classifiers.fields.digits import runs

COUNTY = json.loads((Path(__file__).resolve().parents[2] / "assistant/demo/heifeng/county.json").read_text("utf-8"))
CALL = "2025-03-03T09:12:00+08:00"


@pytest.fixture(scope="module")
def fx() -> FieldExtractor:
    extractor = FieldExtractor(COUNTY, address_library=None)
    extractor.warm_up()
    return extractor


def call(*lines: str) -> list[dict]:
    return [{"speaker": "agent" if s == "A" else "caller", "start": 2.0 * i, "end": 2.0 * i + 1.5, "text": t}
            for i, (s, t) in enumerate(line.split("：", 1) for line in lines)]


def phones(fx: FieldExtractor, *lines: str) -> list[str]:
    return fx.run(call(*lines), CALL).phones.value


@pytest.mark.parametrize(("text", "digits"), [
    ("幺三六，零七一八，洞洞二三。", "13607180023"),
    ("一三九，三个八，零七一八零", "13988807180"),
    ("138，0718，幺五二六", "13807181526"),
    ("幺八七 拐二 两两 勾九", "187722299"),
])
def test_spoken_digits(text: str, digits: str) -> None:
    assert "".join(r.digits for r in runs(text)) == digits


def test_no_digits_in_ordinary_words() -> None:
    assert [r.digits for r in runs("我一个人欠三万二，怎么样，什么") if len(r.digits) > 2] == []


def test_mobile_with_yao_and_readback(fx: FieldExtractor) -> None:
    draft = fx.run(call("A：您的联系电话是多少？", "C：一五九，幺七二三，四五六八。", "A：一五九幺七二三四五六八，对吧？", "C：对对。"), CALL)
    assert draft.phones.value == ["15917234568"]
    assert draft.phones.confidence > 0.9
    assert {s.turn for s in draft.phones.spans} == {1, 2}


def test_number_split_across_turns(fx: FieldExtractor) -> None:
    assert phones(fx, "A：留个电话吧。", "C：电话是一三九，", "A：嗯。", "C：七二八八，零四一六。") == ["13972880416"]


def test_caller_correction_wins(fx: FieldExtractor) -> None:
    got = phones(fx, "A：电话？", "C：一三六，零七一八，五五四七。哦不对不对，是一三六零七一八五五七四。")
    assert got == ["13607185574"]


def test_partial_correction_replaces_the_end(fx: FieldExtractor) -> None:
    got = phones(fx, "A：电话？", "C：一三九零七一八八四二六。", "A：好的。", "C：不对，最后四位是八四六二。")
    assert got == ["13907188462"]


def test_denied_readback_then_corrected(fx: FieldExtractor) -> None:
    got = phones(fx, "A：电话？", "C：一五二，七一八六，二三三二。", "A：一五二七一八六二三二三？",
                 "C：不是，二三三二，一五二七一八六二三三二。", "A：好的，一五二七一八六二三三二。", "C：对了。")
    assert got == ["15271862332"]


def test_confirmed_readback_wins_over_what_was_heard(fx: FieldExtractor) -> None:
    got = phones(fx, "A：电话？", "C：一三九，零七一八，八四二六。", "A：一三九零七一八八四六二，对吗？", "C：对，是的。")
    assert got == ["13907188462"]


def test_restart_and_second_number(fx: FieldExtractor) -> None:
    got = phones(fx, "A：电话？", "C：一三五，呃，一三五七二，二一八零，七六。还有一个，我儿子的，一八二，七一六五，零零三一。")
    assert got == ["13572218076", "18271650031"]


def test_landlines(fx: FieldExtractor) -> None:
    assert phones(fx, "A：电话？", "C：零七一八，五三二，六六九一。") == ["0718-5326691"]
    assert phones(fx, "A：联系电话？", "C：你打我屋里座机嘛，五三四，二二七六。") == ["0718-5342276"]


def test_other_peoples_numbers_are_left_out(fx: FieldExtractor) -> None:
    got = phones(fx, "C：打物业的电话，零七一八，五二二，六八八八，从来没人接。", "A：您的电话？", "C：一三九，七一八二，五五零一。")
    assert got == ["13971825501"]
    got = phones(fx, "A：工头叫什么名字？", "C：姓张，电话是一三九，八八八八，一二三四，打不通。", "A：您电话多少？",
                 "C：一五九，七一八二，二四四二。")
    assert got == ["15971822442"]


def test_agent_information_is_not_a_caller_number(fx: FieldExtractor) -> None:
    assert phones(fx, "C：残联电话是多少？", "A：您可以拨打零七一八五二二六八八八咨询。", "C：好的。") == []


def test_check_char() -> None:
    assert check_char("42282819750812105") == "X"
    assert is_valid_id("42282819750812105X")
    assert is_valid_id("42282819750812105x")
    assert not is_valid_id("422828197508121051")
    assert not is_valid_id("422828199913451234")  # no such date


def test_spoken_id_with_x_across_turns(fx: FieldExtractor) -> None:
    draft = fx.run(call("A：身份证号码？", "C：四二二八二八，一九七五，", "A：嗯。", "C：零八一二，幺零五叉。"), CALL)
    assert draft.id_number.value == "42282819750812105X"
    assert draft.phones.value == []


def test_invalid_id_is_not_filled(fx: FieldExtractor) -> None:
    draft = fx.run(call("C：我身份证四二二八二八一九七零零三零八二二一五。"), CALL)
    assert draft.id_number.value is None
    assert draft.phones.value == []
