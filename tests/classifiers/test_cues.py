"""Appeal type and urgency: the shipped rules+model on clear cases, JSON round trip, rule sets."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifiers import (
    APPEAL_TYPES,
    URGENCY_LEVELS,
    AppealTypeClassifier,
    ClassifierError,
    RuleSet,
    UrgencyClassifier,
    load_shipped,
)

CLEAR_TYPES = {
    "请问办理居住证需要带哪些材料，在哪里办？": "咨询",
    "我要举报我们村有人半夜往河里偷排工业废水，河水都黑了。": "举报",
    "我要投诉小区楼下的烧烤店，天天营业到凌晨三点，吵得睡不着，反映多次没人管。": "投诉",
    "建议在县一中门口增设红绿灯，放学的时候学生过马路太危险了。": "建议",
    "我想表扬一下自来水公司的维修师傅，半夜冒雨来给我们抢修水管，太感谢了。": "表扬",
    "我家老人走失了，七十多岁，穿蓝色衣服，麻烦帮忙找一下。": "求助",
}
CLEAR_URGENCY = {
    "楼道里好大一股天然气味道，好像有人家漏气了，快派人来！": "特急",
    "我们村后山滑坡了，石头滚下来把两户人家的房子埋了一半。": "特急",
    "我们整个村停水两天了，几百口人都没得水吃，请尽快处理。": "紧急",
    "请问社保卡丢了怎么补办？": "一般",
    "建议在广场多放几个垃圾桶。": "一般",
}


@pytest.fixture(scope="module")
def appeal_type():
    return load_shipped("appeal_type")


@pytest.fixture(scope="module")
def urgency():
    return load_shipped("urgency")


def test_shipped_appeal_type_on_clear_cases(appeal_type):
    assert set(appeal_type.classes_) == set(APPEAL_TYPES)
    preds = appeal_type.classify(list(CLEAR_TYPES))
    assert [p.label for p in preds] == list(CLEAR_TYPES.values())
    assert all(0 < p.confidence <= 1 and len(p.alternatives) == 2 for p in preds)
    assert "举报" in preds[1].evidence[0]


def test_shipped_urgency_on_clear_cases(urgency):
    assert set(urgency.classes_) == set(URGENCY_LEVELS)
    assert list(urgency.predict(list(CLEAR_URGENCY))) == list(CLEAR_URGENCY.values())
    proba = urgency.predict_proba(list(CLEAR_URGENCY))
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_shipped_model_metadata_says_project_data(appeal_type):
    meta = appeal_type.metadata_
    assert meta["data"] == "project-written appeals only"
    assert meta["trained_on"] == "appeals_train.jsonl"


def test_fit_and_json_round_trip():
    texts = ["请问怎么办理", "想问一下在哪里交", "咨询一下材料", "我要投诉噪音", "投诉物业不作为", "态度恶劣我要投诉"]
    labels = ["咨询"] * 3 + ["投诉"] * 3
    model = AppealTypeClassifier().fit(texts, labels)
    again = AppealTypeClassifier.from_dict(json.loads(json.dumps(model.to_dict({"note": "x"}))))
    probe = ["请问在哪里办理", "我要投诉这个老板"]
    assert np.allclose(model.predict_proba(probe), again.predict_proba(probe), atol=1e-3)
    assert list(again.predict(probe)) == ["咨询", "投诉"]
    assert again.metadata_ == {"note": "x"}


def test_rules_are_data():
    rules = RuleSet({"特急": ["漏气", "着火"], "紧急": ["停水"]})
    assert rules.match("家里漏气了") == {"特急": ["漏气"]}
    assert rules.features(["停水又漏气"]).tolist() == [[0.5, 0.5]]
    with pytest.raises(ClassifierError, match="不是有效的正则表达式"):
        RuleSet({"特急": ["(未闭合"]})
    custom = UrgencyClassifier(rules={"特急": ["冒烟"]}).fit(
        ["厨房冒烟了", "仓库冒烟了", "请问几点上班", "咨询一下政策"], ["特急", "特急", "一般", "一般"]
    )
    assert custom.classify("楼下冒烟了")[0].evidence == ["冒烟"]
