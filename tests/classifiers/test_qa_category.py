"""工单分类一致: the recorded category against the category model's reading of the caller, with evidence."""

from __future__ import annotations

import pytest

from classifiers import CategoryClassifier
from classifiers.qa import QaScorer
from classifiers.qa.category import ranker

TRAIN = {
    "水电气": ["停水三天了没人管", "自来水公司电话打不通", "屋里停电了一天", "水管爆了到处是水", "天然气没气了"],
    "劳动保障": ["老板拖欠工资不给", "工地欠了三个月工钱", "工资一直拖着不发", "加班费不给", "辞退不给补偿"],
    "教育": ["孩子转学要什么手续", "学校乱收补课费", "幼儿园报名材料", "学籍怎么转", "学生资助什么时候发"],
}


@pytest.fixture(scope="module")
def scorer() -> QaScorer:
    texts = [t for ts in TRAIN.values() for t in ts]
    labels = [label for label, ts in TRAIN.items() for _ in ts]
    return QaScorer(use_model=False, category=ranker(CategoryClassifier(method="tfidf").fit(texts, labels)))


def _call(category: str | None) -> dict:
    return {
        "turns": [
            {"speaker": "agent", "start": 0.0, "end": 4.0, "text": "您好，12345热线，很高兴为您服务。"},
            {"speaker": "caller", "start": 4.5, "end": 12.0, "text": "喂，我们工地老板拖欠工资三个月了，工钱一直不给。"},
            {"speaker": "caller", "start": 12.5, "end": 14.0, "text": "嗯嗯。"},
            {"speaker": "agent", "start": 14.5, "end": 20.0, "text": "好的，我给您登记，转劳动保障监察部门处理。"},
        ],
        "ticket": {"appeal_type": "投诉", "content": "来电人投诉拖欠工资", "category": category},
    }


def test_wrong_category_is_flagged_with_the_callers_words(scorer) -> None:
    item = scorer.run(_call("教育")).item("category")
    assert item.violated and item.details["predicted"] == "劳动保障" and item.deduction == 5
    assert "工资" in item.evidence[0].text and item.evidence[0].start == 4.5 and "教育" in item.evidence[0].note


@pytest.mark.parametrize("recorded", ["劳动保障", "劳动保障/欠薪", ["劳动保障", "欠薪"]])
def test_same_category_at_any_level_is_fine(scorer, recorded) -> None:
    item = scorer.run(_call(recorded)).item("category")
    assert item.applicable and not item.violated


def test_not_applicable_without_category_or_model(scorer) -> None:
    assert not scorer.run(_call(None)).item("category").applicable
    bare = QaScorer(use_model=False)
    assert not bare.run(_call("教育")).item("category").applicable


def test_a_long_call_asks_the_model_once_about_the_head_of_the_callers_words(scorer) -> None:
    """Speed: one short query a call (the caller states the matter first), not the whole call."""
    asked: list[list[str]] = []
    inner = scorer.category

    def counting(texts):
        asked.append(list(texts))
        return inner(texts)

    call = _call("劳动保障")
    filler = [{"speaker": "caller", "start": 30.0 + 10 * k, "end": 38.0 + 10 * k,
               "text": "我再跟你说一遍，那个老板的工钱到现在还是一分都没有给我们。"} for k in range(30)]
    call["turns"] = call["turns"] + filler
    scorer = QaScorer(use_model=False, category=counting)
    scorer.warm_up()
    asked.clear()
    item = scorer.run(call).item("category")
    assert not item.violated
    assert len(asked) == 1 and len(asked[0]) == 1 and len(asked[0][0]) <= 128 and "工资" in asked[0][0]


def test_warm_up_loads_the_category_model_before_the_first_call() -> None:
    asked: list[list[str]] = []

    def category(texts):
        asked.append(list(texts))
        return [[("劳动保障", 0.9)] for _ in texts]

    scorer = QaScorer(use_model=False, category=category)
    scorer.warm_up()
    assert len(asked) == 1

    def broken(texts):
        raise RuntimeError("model file missing")

    QaScorer(use_model=False, category=broken).warm_up()  # a broken model does not stop the scorer
