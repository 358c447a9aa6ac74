"""The rubric is data: the default loads, a county's edits take effect, bad edits are refused in Chinese."""

from __future__ import annotations

import copy
import json

import pytest

from classifiers.qa import DEFAULT_RUBRIC, InvalidRubric, QaScorer, load_rubric
from classifiers.qa.numbers import arabize, cn_to_int, phones, quantities
from classifiers.qa.text import fold

GROUPS = {"服务规范", "业务准确", "工单质量", "情绪与态度", "致命错误"}


def default() -> dict:
    return json.loads(DEFAULT_RUBRIC.read_text(encoding="utf-8"))


def test_default_rubric_covers_every_group_and_marks_fatal_items():
    rubric = load_rubric()
    assert {i.group for i in rubric.items} == GROUPS
    assert {i.id for i in rubric.items if i.fatal} == {"confidential_leak", "abuse", "forbidden_promise"}
    assert all(i.name and i.description for i in rubric.items)
    assert 0 < rubric.routing["review_below_confidence"] < rubric.routing["auto_accept_confidence"] <= 1


def test_county_can_change_thresholds_word_lists_and_disable_items(tmp_path):
    raw = default()
    raw["items"] = [i for i in raw["items"] if i["id"] != "speech_rate"]
    silence = next(i for i in raw["items"] if i["id"] == "silence")
    silence["params"]["max_gap_s"] = 30
    raw["word_lists"] = {"forbidden": ["再打就拉黑你"]}
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    scorer = QaScorer(path)
    turns = [
        {"speaker": "agent", "start": 0, "end": 4, "text": "您好，12345热线，很高兴为您服务。"},
        {"speaker": "caller", "start": 4.5, "end": 8, "text": "我又打来了。"},
        {"speaker": "agent", "start": 28, "end": 31, "text": "再打就拉黑你。不知道。"},
    ]
    result = scorer.run({"turns": turns})
    assert result.item("speech_rate") is None
    assert not result.item("silence").violated  # a 20 s gap is under the county's 30 s
    hits = result.item("forbidden_phrase").evidence
    assert [e.text for e in hits] == ["再打就拉黑你"]  # the county's list replaced the default one


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda r: r["items"][0].update(id=r["items"][1]["id"]), "重复"),
        (lambda r: r["items"][0].update(group="其他"), "分组"),
        (lambda r: r["items"][0].update(check="no_such_check"), "检查方法"),
        (lambda r: r["items"][0]["params"].update(window_sec=3), "不认识的参数"),
        (lambda r: r["items"][0].update(deduction=-5), "不小于0"),
        (lambda r: r["routing"].update(auto_accept_confidence=1.5), "0到1"),
        (lambda r: r["items"][5]["params"].update(min_rate=7.0), "语速下限"),
        (lambda r: r.update(items=[]), "至少要有一个评分项"),
        (lambda r: r.update(word_lists={"forbidden": ["re:(未闭合"]}), "表达式"),
        (lambda r: r.update(word_lists={"closing": "感谢来电"}), "closing"),
    ],
)
def test_bad_rubrics_are_refused_with_a_chinese_message(edit, words):
    raw = copy.deepcopy(default())
    edit(raw)
    with pytest.raises(InvalidRubric) as err:
        QaScorer(raw)
    assert err.value.code == "invalid_rubric" and words in str(err.value)


def test_missing_rubric_file(tmp_path):
    with pytest.raises(InvalidRubric, match="找不到"):
        load_rubric(tmp_path / "none.json")


def test_spoken_numbers():
    assert [cn_to_int(s) for s in ("十五", "两千三", "一万二", "三十", "一百零五")] == [
        15,
        2300,
        12000,
        30,
        105,
    ]
    found = phones(
        fold("一三八，七二六五，一一九零。电话0718-5522100，身份证四二二八二八一九五二零三一五四六二八")
    )
    assert [p.digits for p in found] == ["13872651190", "07185522100"]
    qty = quantities(arabize(fold("一般七个工作日，收二十块钱，百分之六十")))
    assert [(q.value, q.unit) for q in qty] == [(7, "workday"), (20, "yuan"), (60, "percent")]
